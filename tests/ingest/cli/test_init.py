"""`intake init` writes a starter configuration the service loads, without secrets, never over a file."""

from __future__ import annotations

import tomllib
from dataclasses import fields

import pytest
from click.testing import CliRunner

from ingest.cli.main import main
from ingest.config import service_settings
from ingest.config.profile_files import builtin_names
from ingest.config.settings import load_settings

# The keys load_settings reads in each section; a misspelt key would be silently ignored by it.
READ_KEYS = {
    "mailboxes": {f.name for f in fields(service_settings.MailboxSettings)},
    "smtp": {f.name for f in fields(service_settings.SmtpSettings)},
    "schedule": {f.name for f in fields(service_settings.ScheduleSettings)},
    "web": {f.name for f in fields(service_settings.WebSettings)},
    "reply": {"address", "name", "organisation", "signature", "coordinators", "templates_dir"},
    "storage": {"data_dir", "database_url"},
}


@pytest.mark.parametrize("profile", builtin_names())
def test_the_starter_file_loads_with_the_chosen_profile(tmp_path, profile):
    path = tmp_path / "征集.toml"
    result = CliRunner().invoke(main, ["init", "--profile", profile, str(path)])
    assert result.exit_code == 0, result.output
    settings = load_settings(path)
    assert settings.campaign.name == profile
    assert not settings.more_campaigns
    [mailbox] = settings.mailboxes
    assert (mailbox.host, mailbox.password_env) == ("imap.example.org.cn", "INTAKE_IMAP_PASSWORD")
    assert settings.smtp is not None and settings.smtp.password_env == "INTAKE_SMTP_PASSWORD"
    assert settings.coordinators == ["coordinator@example.org.cn"]
    assert settings.web.enabled is False and settings.web.host == "127.0.0.1"


def test_without_a_profile_the_default_is_liaoning_and_data_dir_is_as_given(tmp_path):
    path = tmp_path / "intake.toml"
    result = CliRunner().invoke(main, ["init", "--data-dir", "/var/lib/intake", str(path)])
    assert result.exit_code == 0, result.output
    settings = load_settings(path)
    assert settings.campaign.name == "liaoning-2022"
    assert str(settings.data_dir) == "/var/lib/intake"
    assert settings.database_url == "sqlite:////var/lib/intake/intake.sqlite"


def test_every_key_written_is_one_the_settings_read(tmp_path):
    path = tmp_path / "intake.toml"
    assert CliRunner().invoke(main, ["init", str(path)]).exit_code == 0
    data = tomllib.loads(path.read_text("utf-8"))
    assert set(data) == {"profiles", *READ_KEYS}
    for section, known in READ_KEYS.items():
        tables = data[section] if isinstance(data[section], list) else [data[section]]
        for table in tables:
            assert set(table) <= known, (section, set(table) - known)


def test_the_file_is_commented_in_chinese_and_names_the_notice(tmp_path):
    path = tmp_path / "intake.toml"
    assert CliRunner().invoke(main, ["init", "--profile", "liaoning-2022", str(path)]).exit_code == 0
    text = path.read_text("utf-8")
    assert "辽社指〔2022〕8号" in text
    assert "存放授权码的环境变量名" in text
    assert text.count("请修改") >= 5


def test_no_secret_is_written_even_when_the_environment_holds_one(tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_IMAP_PASSWORD", "imap-授权码-7f3k")
    monkeypatch.setenv("INTAKE_SMTP_PASSWORD", "smtp-授权码-9q2x")
    path = tmp_path / "intake.toml"
    assert CliRunner().invoke(main, ["init", str(path)]).exit_code == 0
    text = path.read_text("utf-8")
    assert "7f3k" not in text and "9q2x" not in text

    def keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    secretish = [k for k in keys(tomllib.loads(text)) if any(w in k for w in ("password", "secret", "token"))]
    assert secretish and all(k == "password_env" for k in secretish)


def test_an_existing_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "intake.toml"
    path.write_text('profiles = ["shandong-2021"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(path)])
    assert result.exit_code != 0
    assert "已存在" in result.output and "不覆盖" in result.output
    assert path.read_text("utf-8") == 'profiles = ["shandong-2021"]\n'


def test_an_unknown_profile_is_refused_in_chinese_and_nothing_written(tmp_path):
    path = tmp_path / "intake.toml"
    result = CliRunner().invoke(main, ["init", "--profile", "hebei-2030", str(path)])
    assert result.exit_code != 0
    assert "没有名为“hebei-2030”的内置征集配置" in result.output and "liaoning-2022" in result.output
    assert not path.exists()


def test_a_missing_folder_is_a_chinese_error(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "没有的文件夹" / "intake.toml")])
    assert result.exit_code != 0
    assert "无法写入" in result.output


def test_init_is_listed_with_chinese_help():
    listing = CliRunner().invoke(main, ["--help"])
    assert listing.exit_code == 0
    assert "init" in listing.output and "起始配置文件" in listing.output
    own = CliRunner().invoke(main, ["init", "--help"])
    assert own.exit_code == 0 and "--profile" in own.output and "不覆盖" in own.output
