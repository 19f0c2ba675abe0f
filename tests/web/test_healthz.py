"""GET /healthz: what a monitor may know without a login — each mailbox's last good pass, and nothing else."""

from __future__ import annotations

from datetime import timedelta

from ingest.config.service_settings import MailboxSettings
from ingest.core.pipeline import Pipeline
from rules import clock
from storage import mailboxes
from tests.support.settings import folder_settings
from tests.web.client import client
from web.app import create_app


def _app(tmp_path, boxes: list[str]):
    settings = folder_settings(tmp_path)
    settings.mailboxes = [MailboxSettings(name=name, host="127.0.0.1", user="u", password_env="X") for name in boxes]
    pipeline = Pipeline(settings)
    return create_app(settings, pipeline), pipeline.db


def test_healthz_answers_without_a_login_and_says_ok_when_every_mailbox_passed_lately(tmp_path):
    app, db = _app(tmp_path, ["辽宁征集邮箱"])
    mailboxes.handled_pass(db, "辽宁征集邮箱")
    answer = client(app).get("/healthz")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "ok" and body["database"] is True
    assert [(m["name"], m["ok"]) for m in body["mailboxes"]] == [("辽宁征集邮箱", True)]
    assert body["mailboxes"][0]["last_ok_seconds_ago"] < 60
    assert "set-cookie" not in answer.headers and answer.headers["cache-control"] == "no-store"


def test_a_mailbox_never_read_or_silent_too_long_makes_it_degraded(tmp_path, freeze):
    app, db = _app(tmp_path, ["辽宁征集邮箱", "备用邮箱"])
    mailboxes.handled_pass(db, "辽宁征集邮箱")
    answer = client(app).get("/healthz")
    assert answer.status_code == 503 and answer.json()["status"] == "degraded"
    assert [m["ok"] for m in answer.json()["mailboxes"]] == [True, False]  # 备用邮箱 never succeeded
    mailboxes.handled_pass(db, "备用邮箱")
    with freeze(clock.now() + timedelta(minutes=16)):  # 3 polls of 120 s, at least 15 min
        late = client(app).get("/healthz").json()
    assert late["status"] == "degraded" and all(not m["ok"] for m in late["mailboxes"])


def test_healthz_tells_nothing_about_mail_or_people(tmp_path):
    app, db = _app(tmp_path, [])
    text = client(app).get("/healthz").text
    assert set(client(app).get("/healthz").json()) == {"status", "ok", "database", "checked_at", "mailboxes"}
    assert "@" not in text and "submission" not in text
