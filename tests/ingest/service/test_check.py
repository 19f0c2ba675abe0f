"""`intake check` against the test Dovecot and SMTP servers: right passwords pass, a wrong one fails and says where."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from ingest.cli.main import main
from ingest.config.service_settings import MailboxSettings, SmtpSettings
from ingest.service.check import check_all
from rules import clock
from rules.campaign import Batch
from tests.conftest import SMTP_PASSWORD


@pytest.fixture
def servers(settings, imap_account, smtp_server, monkeypatch):
    port, user, password = imap_account
    _sink, smtp_port = smtp_server(auth=True, auth_require_tls=False, auth_required=True)
    monkeypatch.setenv("INTAKE_IMAP_PASSWORD", password)
    monkeypatch.setenv("INTAKE_SMTP_PASSWORD", SMTP_PASSWORD)
    settings.mailboxes = [MailboxSettings(name="辽宁征集邮箱", host="127.0.0.1", port=port, security="none", user=user)]
    settings.smtp = SmtpSettings(host="127.0.0.1", port=smtp_port, security="none", user="lnsqjy@163.com")
    settings.campaign.batches = [Batch("第一批", clock.now() + timedelta(days=30))]
    return settings


def _by_name(findings) -> dict:
    return {f.name: f for f in findings}


def test_with_the_right_passwords_every_needed_check_passes(servers):
    found = _by_name(check_all(servers))
    assert found["收件邮箱“辽宁征集邮箱”"].ok and found["发信（SMTP）"].ok
    assert found["数据库"].ok and found["数据目录"].ok and found["文字识别（Tesseract）"].ok
    assert "下一个截止：第一批" in found["征集“liaoning-2022”"].detail
    assert not [f for f in found.values() if f.blocking], [f for f in found.values() if f.blocking]


def test_a_wrong_imap_password_fails_the_mailbox_line_only(servers, monkeypatch):
    monkeypatch.setenv("INTAKE_IMAP_PASSWORD", "wrong-password")
    found = _by_name(check_all(servers))
    box = found["收件邮箱“辽宁征集邮箱”"]
    assert box.blocking and "无法连接邮箱“辽宁征集邮箱”" in box.detail
    assert found["发信（SMTP）"].ok


def test_a_wrong_smtp_authorisation_code_fails_and_names_its_variable(servers, monkeypatch):
    monkeypatch.setenv("INTAKE_SMTP_PASSWORD", "not-the-code")
    smtp = _by_name(check_all(servers))["发信（SMTP）"]
    assert smtp.blocking and "INTAKE_SMTP_PASSWORD" in smtp.detail


def test_an_unreachable_host_and_a_malformed_coordinator_address_fail(servers, unused_port):
    servers.mailboxes[0].port = unused_port
    servers.coordinators = ["zhaolaoshi#example.org.cn"]
    found = _by_name(check_all(servers))
    assert found["收件邮箱“辽宁征集邮箱”"].blocking and found["协调人邮箱"].blocking


def test_the_command_exits_non_zero_and_prints_chinese_when_something_needed_fails(servers, tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_IMAP_PASSWORD", "wrong-password")
    box = servers.mailboxes[0]
    config = tmp_path / "intake.toml"
    config.write_text(f'[[mailboxes]]\nname = "辽宁征集邮箱"\nhost = "127.0.0.1"\nport = {box.port}\nsecurity = "none"\n'
                      f'user = "{box.user}"\n[storage]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert "✗ 收件邮箱“辽宁征集邮箱”" in result.output and "体检未通过" in result.output
    as_json = CliRunner().invoke(main, ["check", "--json", "--config", str(config)])
    report = json.loads(as_json.output)
    assert as_json.exit_code == 1 and report["ok"] is False
    assert any(c["name"] == "收件邮箱“辽宁征集邮箱”" and not c["ok"] for c in report["checks"])
