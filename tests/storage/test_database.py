"""The database keeps every message once, supersedes corrected resubmissions, and replies once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from parsers.facts import ApplicationForm, Defect, MailMessage, Material, ShareLink, SubjectInfo, Submission
from rules.collection import place_in_collection
from storage.models import Outgoing
from storage.outgoing import queue
from storage.files import FileStore, sha256_hex

CST = timezone(timedelta(hours=8))


def _submission(unit="杭州市西湖区社区学院", batch="第一批", message_id="<a1@163.com>", sender="xihu@163.com"):
    form = ApplicationForm(kind="case", title="“银龄触网”智能手机应用进社区", unit=unit,
                           fields={"案例名称": "“银龄触网”智能手机应用进社区", "申报单位": unit})
    sub = Submission(
        message=MailMessage(message_id=message_id, subject=f"{unit}+智慧助老材料+1个", sender=sender,
                            date=datetime(2022, 4, 20, 10, 30, tzinfo=CST)),
        subject=SubjectInfo(raw=f"{unit}+智慧助老材料+1个", unit=unit, keyword_found=True, declared_count=1),
        materials=[Material(kind="case", filename="西湖区+案例.docx", sha256="ab" * 32, size=1234, form=form)],
        links=[ShareLink(provider="baidu", url="https://pan.baidu.com/s/1AbCdEfGhIjKlMnOpQrStUv", code="a1b2",
                         share_id="AbCdEfGhIjKlMnOpQrStUv")],
        batch=batch,
    )
    place_in_collection(sub, answers_our_notice=False)
    return sub


def test_filed_submission_keeps_materials_links_and_defects(db):
    defects = [Defect("SCAN_MISSING", "error", "缺少盖章扫描件", "西湖区+案例.docx")]
    sid = db.file_submission(_submission(), raw_sha256="f" * 64, source="inbox/1.eml",
                             status="defective", defects=defects)
    record = db.submission(sid)
    assert (record.unit, record.batch, record.status, record.declared_count) == ("杭州市西湖区社区学院", "第一批", "defective", 1)
    stored = db.load(sid)
    [material] = [m.material for m in stored.materials]
    assert material.title == "“银龄触网”智能手机应用进社区"
    assert material.fields["申报单位"] == "杭州市西湖区社区学院"
    [link] = stored.submission.links
    assert (link.provider, link.code) == ("baidu", "a1b2")
    assert stored.defects == defects


def test_same_bytes_or_same_message_id_is_a_duplicate(db):
    db.file_submission(_submission(), raw_sha256="e" * 64, source="x", status="accepted", defects=[])
    assert db.find_duplicate("<other@163.com>", "e" * 64, "xihu@163.com") is not None
    assert db.find_duplicate("<a1@163.com>", "d" * 64, "xihu@163.com") is not None
    assert db.find_duplicate("<a1@163.com>", "d" * 64, "someone-else@qq.com") is None


def test_failed_messages_are_not_duplicates_so_they_are_retried(db):
    db.file_submission(_submission(), raw_sha256="c" * 64, source="x", status="error", defects=[])
    assert db.find_duplicate("<a1@163.com>", "c" * 64, "xihu@163.com") is None


def test_later_submission_of_the_same_unit_and_batch_supersedes_the_earlier(db):
    first = db.file_submission(_submission(), raw_sha256="1" * 64, source="a", status="defective", defects=[])
    other_batch = db.file_submission(_submission(batch="第二批", message_id="<b@163.com>"), raw_sha256="2" * 64,
                                     source="b", status="accepted", defects=[])
    second = db.file_submission(_submission(unit="杭州市西湖区社区学院 ", message_id="<c@163.com>"),
                                raw_sha256="3" * 64, source="c", status="accepted", defects=[])
    assert db.submission(first).superseded_by == second
    assert db.submission(other_batch).superseded_by is None
    assert db.submission(second).superseded_by is None


def _reply(key: str) -> Outgoing:
    return Outgoing(key=key, kind="receipt", to=["xihu@163.com"], message_id=f"<{key}@example.org.cn>",
                    raw=b"Subject: Re\r\n\r\n\xe5\x8f\x97\xe7\x90\x86")


def test_a_submission_and_its_reply_are_filed_together_and_a_reply_key_is_used_once(db):
    sid = db.file_submission(_submission(), raw_sha256="4" * 64, source="a", status="accepted", defects=[],
                             outgoing=[_reply("auto:4444")])
    assert [(r.kind, r.status, r.key) for r in db.load(sid).replies] == [("receipt", "pending", "auto:4444")]
    again = db.file_submission(_submission(message_id="<again@163.com>"), raw_sha256="4" * 64, source="a",
                               status="accepted", defects=[], outgoing=[_reply("auto:4444")])
    assert again is None and len(db.load_all()) == 1  # nothing of the second filing is left
    assert not queue(db, _reply("auto:4444"), sid)
    assert queue(db, _reply(f"resend-1:{sid}"), sid)  # a coordinator's resend is its own key, once
    assert not queue(db, _reply(f"resend-1:{sid}"), sid)


def test_file_store_is_content_addressed_and_idempotent(tmp_path):
    store = FileStore(tmp_path)
    raw = "Subject: 杭州市+智慧助老材料+1个\r\n\r\n正文".encode("utf-8")
    digest = store.put(raw)
    assert digest == sha256_hex(raw) and store.put(raw) == digest
    assert store.get(digest) == raw and digest in store
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


def test_moments_come_back_as_the_same_instant_in_utc_on_every_database(db, machine_tz):
    sub = _submission()
    sub.sent_at = datetime(2022, 5, 5, 23, 59, 30, tzinfo=CST)
    record = db.submission(db.file_submission(sub, raw_sha256="1" * 64, source="a.eml", status="accepted", defects=[]))
    assert record.sent_at == sub.sent_at and record.sent_at.utcoffset() == timedelta(0)
    assert record.received_at.tzinfo is not None and record.received_at.utcoffset() == timedelta(0)


def test_a_beijing_day_selects_what_was_received_in_it_whatever_the_machine_zone(db, machine_tz, freeze):
    from rules import clock

    beijing = clock.zone("Asia/Shanghai")
    with freeze(datetime(2022, 5, 6, 0, 30, tzinfo=beijing)):  # still the 5th in UTC and in Los Angeles
        db.file_submission(_submission(), raw_sha256="2" * 64, source="a.eml", status="accepted", defects=[])
    assert len(db.load_all(*clock.day_window(datetime(2022, 5, 6).date(), beijing))) == 1
    assert db.load_all(*clock.day_window(datetime(2022, 5, 5).date(), beijing)) == []


def test_a_naive_moment_is_refused_rather_than_stored_in_a_guessed_zone(db):
    sub = _submission()
    sub.sent_at = datetime(2022, 5, 5, 23, 59)
    with pytest.raises(Exception, match="naive datetime"):
        db.file_submission(sub, raw_sha256="3" * 64, source="a.eml", status="accepted", defects=[])


REFUSE_XIHU = {  # the database itself refuses this sender's rows: a constraint, not a duplicate
    "sqlite": "CREATE TRIGGER refuse_xihu BEFORE INSERT ON submission WHEN NEW.sender = 'xihu@163.com' "
              "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: sender'); END",
    "postgresql": "ALTER TABLE submission ADD CONSTRAINT refuse_xihu CHECK (sender <> 'xihu@163.com')",
}


def test_a_filing_the_database_refuses_for_another_reason_than_a_duplicate_raises(db):
    """Any IntegrityError used to read as "filed already": the mailbox then flagged a mail that was nowhere."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    with db.engine.begin() as connection:
        connection.execute(text(REFUSE_XIHU[db.engine.dialect.name]))
    reply = Outgoing(key="auto:" + "e" * 64, kind="receipt", to=["xihu@163.com"], message_id="<r-e@example.org.cn>",
                     raw=b"Subject: receipt\r\n\r\nreceived\r\n")
    with pytest.raises(IntegrityError):
        db.file_submission(_submission(), raw_sha256="e" * 64, source="inbox/1.eml", status="accepted", defects=[],
                           outgoing=[reply])
    with pytest.raises(IntegrityError):
        db.file_submission(_submission(), raw_sha256="e" * 64, source="inbox/1.eml", status="error", defects=[])
    assert db.load_all() == []
    other = _submission(message_id="<a2@163.com>", sender="gongshu@163.com")
    assert db.file_submission(other, raw_sha256="d" * 64, source="inbox/2.eml", status="accepted", defects=[])
    assert db.file_submission(other, raw_sha256="d" * 64, source="inbox/2.eml", status="accepted", defects=[]) is None
