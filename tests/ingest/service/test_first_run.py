"""The README's first run, end to end against the test servers: intake init → edit → intake check → intake run --once."""

from __future__ import annotations

from email import message_from_bytes, policy

from click.testing import CliRunner
from imapclient import IMAPClient

from ingest.cli.main import main
from ingest.samples.forms import build_case_form
from ingest.samples.mails import MailSpec, build_mail
from rules import clock
from tests.conftest import SMTP_PASSWORD

UNIT = "沈阳市铁西区社区学院"


def _edited(text: str, imap_port: int, user: str, smtp_port: int) -> str:
    """What the IT person changes in the starter file: the two servers (here on 127.0.0.1, without TLS)."""
    return (text.replace('host = "imap.example.org.cn"', 'host = "127.0.0.1"').replace("port = 993", f"port = {imap_port}")
            .replace('host = "smtp.example.org.cn"', 'host = "127.0.0.1"').replace("port = 465", f"port = {smtp_port}")
            .replace('security = "ssl"', 'security = "none"').replace('user = "zhzl@example.org.cn"', f'user = "{user}"', 1))


def test_init_check_and_one_pass_work_as_the_readme_shows(tmp_path, imap_account, smtp_server, monkeypatch):
    imap_port, user, password = imap_account
    sink, smtp_port = smtp_server(auth=True, auth_require_tls=False, auth_required=True)
    monkeypatch.setenv("INTAKE_IMAP_PASSWORD", password)
    monkeypatch.setenv("INTAKE_SMTP_PASSWORD", SMTP_PASSWORD)
    config = tmp_path / "intake.toml"
    runner = CliRunner()

    made = runner.invoke(main, ["init", "--profile", "liaoning-2022", "--data-dir", str(tmp_path / "data"), str(config)])
    assert made.exit_code == 0, made.output
    config.write_text(_edited(config.read_text("utf-8"), imap_port, user, smtp_port), encoding="utf-8")

    checked = runner.invoke(main, ["check", "--config", str(config)])
    assert checked.exit_code == 0, checked.output
    assert "✓ 收件邮箱“征集邮箱”" in checked.output and "✓ 发信（SMTP）" in checked.output

    client = IMAPClient("127.0.0.1", port=imap_port, ssl=False)
    client.login(user, password)
    client.append("INBOX", build_mail(MailSpec(
        subject=f"{UNIT}+智慧助老材料+1个", sender=("铁西区", "txsqxy@163.com"), message_id="<first-run@163.com>",
        date=clock.now(), attachments=[(f"{UNIT}+案例.docx", build_case_form(unit=UNIT))])))
    client.logout()

    ran = runner.invoke(main, ["run", "--once", "--config", str(config)])
    assert ran.exit_code == 0, ran.output
    to_unit = [message_from_bytes(e.content, policy=policy.default) for e in sink.envelopes
               if e.rcpt_tos == ["txsqxy@163.com"]]  # the coordinators may get the day's digest in the same pass
    assert len(to_unit) == 1 and UNIT in str(to_unit[0]["Subject"])
