"""`intake user add/passwd/list`, `intake web`, the `[web]` table, and `intake run` serving the console."""

from __future__ import annotations

import threading

import httpx
import pytest
from click.testing import CliRunner

from ingest.cli.main import main
from ingest.config.settings import ConfigError, load_settings
from tests.support.imap_server import free_port
from ingest.service.loop import Service
from storage import users
from storage.database import Database


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "intake.toml"
    path.write_text(f'[storage]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n'
                    f'database_url = "sqlite:///{(tmp_path / "intake.sqlite").as_posix()}"\n', encoding="utf-8")
    return path


def _intake(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_user_add_list_and_passwd_read_the_password_from_stdin(config):
    added = _intake("user", "add", "张老师", "--role", "viewer", "--password-stdin", "--config", str(config),
                    input="Zhang-2022-pass\n")
    assert added.exit_code == 0 and "已添加账号“张老师”：只读" in added.output
    listed = _intake("user", "list", "--config", str(config))
    assert "张老师" in listed.output and "只读" in listed.output
    changed = _intake("user", "passwd", "张老师", "--password-stdin", "--config", str(config), input="New-pass-2023\n")
    assert changed.exit_code == 0
    db = Database(load_settings(config).database_url)
    assert users.verify(db, "张老师", "New-pass-2023").role == "viewer"
    assert users.verify(db, "张老师", "Zhang-2022-pass") is None


def test_user_add_refuses_a_password_on_the_command_line_a_short_one_and_a_taken_name(config):
    without = _intake("user", "add", "li", "--config", str(config))
    assert without.exit_code == 2 and "--password-stdin" in without.output
    short = _intake("user", "add", "li", "--password-stdin", "--config", str(config), input="abc\n")
    assert short.exit_code == 1 and "至少需要 8 个字符" in short.output
    _intake("user", "add", "li", "--password-stdin", "--config", str(config), input="Li-pass-2022\n")
    again = _intake("user", "add", "li", "--password-stdin", "--config", str(config), input="Li-pass-2022\n")
    assert again.exit_code == 1 and "已经存在" in again.output
    assert _intake("user", "passwd", "nobody", "--password-stdin", "--config", str(config),
                   input="Some-pass-2022\n").exit_code == 1


def test_intake_web_takes_config_db_host_and_port():
    shown = _intake("web", "--help").output
    assert all(option in shown for option in ("--config", "--db", "--host", "--port"))


def test_the_web_table_is_read_and_checked(tmp_path):
    path = tmp_path / "web.toml"
    path.write_text('[web]\nenabled = true\nhost = "0.0.0.0"\nport = 8181\n', encoding="utf-8")
    web = load_settings(path).web
    assert (web.enabled, web.host, web.port) == (True, "0.0.0.0", 8181)
    assert (load_settings(None).web.enabled, load_settings(None).web.host) == (False, "127.0.0.1")
    path.write_text('[web]\nenabled = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="enabled"):
        load_settings(path)


def test_intake_run_serves_the_console_when_enabled_and_stops_it_on_shutdown(settings):
    settings.web.enabled, settings.web.port = True, free_port()
    settings.schedule.poll_seconds = 600
    stop = threading.Event()
    worker = threading.Thread(target=Service(settings).run, args=(stop,), daemon=True)
    worker.start()
    base = f"http://127.0.0.1:{settings.web.port}"
    for _ in range(200):
        try:
            login = httpx.get(base + "/login", timeout=2)
            break
        except httpx.ConnectError:
            stop.wait(0.05)
    assert login.status_code == 200 and "登录征集工作台" in login.text
    assert httpx.get(base + "/units").headers["location"] == "/login?next=/units"
    stop.set()
    worker.join(timeout=30)
    assert not worker.is_alive()
    with pytest.raises(httpx.ConnectError):
        httpx.get(base + "/login", timeout=2)
