"""`intake run` killed with SIGKILL at random points, again and again, loses nothing and answers once.

200 messages wait in a real Dovecot mailbox; the service is started as a
separate process and killed 20 times at random moments (while starting, while
fetching, filing, flagging or sending), then left to finish. Every message
must be filed exactly once and every unit must receive exactly one reply per
message at the SMTP sink — with SQLite and with PostgreSQL.

The one window no mail system can close is a kill between the SMTP server's
"250 accepted" and our commit of `sent`: the same stored message (same
Message-ID, same bytes) then goes out again, which mail clients show once.
So a resend of those exact bytes is counted, and any second *different*
reply to one message fails the test.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from email import message_from_bytes, policy

import pytest
from sqlmodel import Session, select

from ingest.samples.forms import build_case_form
from ingest.samples.mails import MailSpec, build_mail
from rules import clock
from storage.database import Database
from storage.models import FetchedRecord, OutgoingRecord

MESSAGES = 200
KILLS = 20
INTAKE = [sys.executable, "-c", "from ingest.cli.main import main; main()"]
FORM = build_case_form(name="“银龄触网”智能手机应用进社区", unit="沈阳市铁西区社区学院")


def _mail(n: int) -> bytes:
    unit = f"沈阳市第{n}社区学校"
    return build_mail(MailSpec(subject=f"{unit}+智慧助老材料+1个", sender=(unit, f"school{n}@163.com"),
                               message_id=f"<crash-{n}@163.com>", date=clock.now(),
                               attachments=[(f"{unit}+案例.docx", FORM)]))


def _config(tmp_path, box_port, user, smtp_port, database_url) -> str:
    path = tmp_path / "服务.toml"
    path.write_text(f"""
[campaign]
require_scan = false
batches = [{{ name = "第一批", deadline = "2099-12-31" }}]

[[mailboxes]]
name = "辽宁征集邮箱"
host = "127.0.0.1"
port = {box_port}
security = "none"
user = "{user}"
password_env = "INTAKE_IMAP_PASSWORD"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"

[schedule]
poll_seconds = 1

[reply]
coordinators = []   # no digest in the middle of the count, whatever the hour

[storage]
data_dir = "{(tmp_path / 'data').as_posix()}"
database_url = "{database_url}"
""", encoding="utf-8")
    return str(path)


def _start(config: str, env: dict, once: bool = False) -> subprocess.Popen:
    """One `intake run`; under `faketime -f '@…'` it starts at this process's (faked) now, as a real restart would,
    not again at the fixed moment, which would put it behind the retry times its predecessors recorded."""
    if env.get("FAKETIME", "").startswith("@"):
        env = {**env, "FAKETIME": "@" + time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())}
    return subprocess.Popen(INTAKE + ["run", "--config", config] + (["--once"] if once else []), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_twenty_sigkills_lose_nothing_and_answer_every_message_once(backend, request, tmp_path, imap_account,
                                                                     smtp_server):
    port, user, password = imap_account
    sink, smtp_port = smtp_server()
    url = (f"sqlite:///{tmp_path / 'intake.sqlite'}" if backend == "sqlite"
           else request.getfixturevalue("pg_database"))
    config = _config(tmp_path, port, user, smtp_port, url)
    env = {**os.environ, "INTAKE_IMAP_PASSWORD": password}
    from imapclient import IMAPClient

    client = IMAPClient("127.0.0.1", port=port, ssl=False)
    client.login(user, password)
    for n in range(MESSAGES):
        client.append("INBOX", _mail(n))
    client.logout()

    rng = random.Random(20221201)
    for _ in range(KILLS):
        process = _start(config, env)
        time.sleep(rng.uniform(0.5, 4.0))  # python start-up and imports take about 1.5 s
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    for _ in range(5):  # then it is left to finish: passes until nothing is new or pending
        done = _start(config, env, once=True)
        assert done.wait(timeout=300) == 0
        if len({_in_reply_to(e) for e in sink.envelopes}) == MESSAGES:
            break

    database = Database(url)
    filed = database.load_all()
    assert Counter(s.submission.message.message_id for s in filed) == {f"<crash-{n}@163.com>": 1
                                                                       for n in range(MESSAGES)}
    assert {s.status for s in filed} == {"accepted"}
    with Session(database.engine) as session:
        fetched = session.exec(select(FetchedRecord)).all()
        outgoing = session.exec(select(OutgoingRecord)).all()
    assert len(fetched) == MESSAGES == len({f.uid for f in fetched})
    assert len(outgoing) == MESSAGES and {o.status for o in outgoing} == {"sent"}

    replies: dict[str, set[str]] = defaultdict(set)
    for envelope in sink.envelopes:
        replies[_in_reply_to(envelope)].add(message_from_bytes(envelope.content, policy=policy.default)["Message-ID"])
    assert set(replies) == {f"<crash-{n}@163.com>" for n in range(MESSAGES)}
    assert all(len(ids) == 1 for ids in replies.values()), {k: v for k, v in replies.items() if len(v) > 1}
    resent = len(sink.envelopes) - MESSAGES  # identical bytes again: a kill right after the server's 250
    assert resent <= KILLS // 4, f"{resent} identical resends in {KILLS} kills"


def _in_reply_to(envelope) -> str:
    return message_from_bytes(envelope.content, policy=policy.default)["In-Reply-To"]
