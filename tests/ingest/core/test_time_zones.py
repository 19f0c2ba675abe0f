"""A deadline day read the same on any machine: the pipeline, the replies and the digest, with the clock frozen
at 23:30 and at 00:30 Beijing time, under TZ=UTC, Asia/Shanghai and America/Los_Angeles."""

from __future__ import annotations

import email
import email.policy
import io
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import openpyxl
import pytest
import time_machine
from click.testing import CliRunner

from ingest.cli.main import main
from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form
from ingest.samples.mails import MailSpec, build_mail
from ingest.samples.paper import scanned, to_pdf
from ingest.samples.scans import render_form_pages
from rules import clock

BEIJING = clock.zone("Asia/Shanghai")
EVENING = datetime(2022, 5, 5, 23, 30, tzinfo=BEIJING)  # half an hour before the first batch closes
AFTER_MIDNIGHT = datetime(2022, 5, 6, 0, 30, tzinfo=BEIJING)  # 16:30 UTC on the 5th, 09:30 the 5th in Los Angeles
CLEAN_UNIT = "杭州市西湖区社区学院"
CLEAN_TITLE = "“银龄触网”智能手机应用进社区"


def _word_only(index: int, unit: str, date_header: str, extra: dict[str, str] | None = None) -> bytes:
    raw = build_mail(MailSpec(subject=f"{unit}+智慧助老材料+1个", sender=(unit, f"unit{index}@163.com"),
                              message_id=f"<case-{index}@163.com>", extra_headers=extra or {},
                              attachments=[(f"{unit}+案例.docx", build_case_form(unit=unit))]))
    return re.sub(rb"^Date: .*$", f"Date: {date_header}".encode(), raw, count=1, flags=re.M)


def _clean_last_minute() -> bytes:
    scan = to_pdf([scanned(p, skew=0.5) for p in render_form_pages("case", CLEAN_TITLE, CLEAN_UNIT)])
    return build_mail(MailSpec(
        subject=f"{CLEAN_UNIT}+智慧助老材料+1个", message_id="<last-minute@163.com>",
        date=datetime(2022, 5, 5, 23, 59, 0, tzinfo=BEIJING),
        attachments=[(f"{CLEAN_UNIT}+案例.docx", build_case_form(name=CLEAN_TITLE, unit=CLEAN_UNIT)),
                     (f"{CLEAN_UNIT}+案例盖章扫描件.pdf", scan)]))


# unit, Date header (and Received stamp), expected batch, LATE_BATCH, LATE
CASES = [
    ("宁波市海曙区社区学院", "Thu, 5 May 2022 23:59:00", None, "第一批", False, False),  # no zone: Beijing
    ("宁波市江北区社区学院", "Fri, 6 May 2022 00:00:30 +0800", None, "第二批", True, False),
    ("宁波市镇海区社区学院", "Thu, 5 May 2022 16:00:30 +0000", None, "第二批", True, False),  # 00:00:30 Beijing
    ("宁波市北仑区社区学院", "Sun, 1 Jan 2023 09:00:00 +0800",  # wrong PC clock; the server took it in time
     "from smtp.163.com by mx.example.org.cn; Thu, 5 May 2022 23:50:00 +0800", "第一批", False, False),
    ("宁波市奉化区社区学院", "Wed, 30 Nov 2022 23:59:00 +0800", None, "第三批", True, False),
    ("宁波市余姚市社区学院", "Thu, 1 Dec 2022 00:00:30 +0800", None, "第三批", False, True),
]


@pytest.fixture(scope="module")
def mails() -> list[bytes]:
    mails = [_clean_last_minute()]
    for index, (unit, date_header, received, *_) in enumerate(CASES):
        mails.append(_word_only(index, unit, date_header, {"Received": received} if received else None))
    return mails


def _mail(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


@pytest.mark.parametrize("frozen", [EVENING, AFTER_MIDNIGHT], ids=["23:30", "00:30"])
def test_deadline_day_is_judged_replied_and_digested_alike_in_every_machine_zone(machine_tz, freeze, frozen, settings, mails):
    with freeze(frozen):
        pipeline = Pipeline(settings)
        outcomes = [pipeline.process(raw, f"inbox/{i}.eml") for i, raw in enumerate(mails)]

        clean, *others = outcomes
        assert clean.status == "accepted", [d.message for d in clean.defects]
        assert (clean.submission.batch, clean.submission.late_batch) == ("第一批", False)
        for outcome, (unit, _, received, batch, late_batch, late) in zip(others, CASES):
            codes = [d.code for d in outcome.defects]
            assert outcome.submission.subject.unit == unit
            assert (outcome.submission.batch, "LATE_BATCH" in codes, "LATE" in codes) == (batch, late_batch, late), unit
            assert ("服务器收信时间" in (outcome.note or "")) == bool(received)

        receipt = _mail(clean.reply_path)
        assert "已于 2022年5月5日 23:59 收到" in receipt.get_body(("plain",)).get_content()
        assert parsedate_to_datetime(receipt["Date"]) == frozen and receipt["Date"].endswith("+0800")
        notice = _mail(others[1].reply_path).get_body(("plain",)).get_content()
        assert "第一批截止时间（2022年5月5日 23:59）" in notice and "第二批截止时间为 2022年8月31日 23:59" in notice
        late = _mail(others[5].reply_path).get_body(("plain",)).get_content()
        assert "最后截止时间为 2022年11月30日 23:59" in late and "请不必重新发送" in late

        runner = CliRunner()
        db = ["--db", settings.database_url]
        today = runner.invoke(main, ["digest", *db, "--outbox", str(settings.data_dir / "today")])
        assert today.exit_code == 0, today.output
        assert f"已生成 {clock.cn_date(frozen.date())} 的每日汇总" in today.output
        [path] = (settings.data_dir / "today").glob("*.eml")
        digest = _mail(path)
        text = digest.get_body(("plain",)).get_content()
        assert f"收到 {len(mails)} 封" in text and CLEAN_UNIT in text and "宁波市余姚市社区学院" in text
        assert f"｜{clock.cn_datetime(frozen, BEIJING)}｜" in text
        assert "发件电脑的时钟可能有误" in text
        [sheet] = [p for p in digest.iter_attachments() if p.get_filename().endswith(".xlsx")]
        rows = list(openpyxl.load_workbook(io.BytesIO(sheet.get_content())).active.iter_rows(values_only=True))
        assert [r[11] for r in rows if r[1] == CLEAN_UNIT] == [datetime(2022, 5, 5, 23, 59)]  # 收到时间

        yesterday = frozen.date() - timedelta(days=1)
        day_before = runner.invoke(main, ["digest", *db, "--day", yesterday.isoformat(),
                                          "--outbox", str(settings.data_dir / "yesterday")])
        assert f"已生成 {clock.cn_date(yesterday)} 的每日汇总" in day_before.output
        [path] = (settings.data_dir / "yesterday").glob("*.eml")
        assert "昨天没有收到来信" in _mail(path).get_body(("plain",)).get_content()


INSTANT = datetime(2026, 12, 1, 18, 40, tzinfo=timezone.utc)  # 02:40 on 2 December in Beijing


@pytest.fixture(scope="module")
def ingested_at_instant(tmp_path_factory, mails) -> str:
    """A database with two submissions ingested at INSTANT."""
    from ingest.config.settings import load_settings

    base = tmp_path_factory.mktemp("faketime")
    settings = load_settings(None, db=f"sqlite:///{base / 'intake.sqlite'}", outbox=base / "outbox")
    settings.data_dir = base / "data"
    with time_machine.travel(INSTANT.timestamp(), tick=False):
        pipeline = Pipeline(settings)
        for raw in mails[1:3]:
            pipeline.process(raw, "inbox.eml")
    return settings.database_url


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/Los_Angeles"])
def test_intake_digest_under_faketime_finds_the_mail_of_beijings_today(tmp_path, ingested_at_instant, zone):
    """The real command, with the process clock moved by libfaketime (no patching inside Python)."""
    wall = INSTANT.astimezone(clock.zone(zone)).strftime("%Y-%m-%d %H:%M:%S")  # faketime reads local time
    env = {"TZ": zone, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    result = subprocess.run(["faketime", "-f", f"@{wall}", sys.executable, "-m", "ingest.cli.main", "digest",
                             "--db", ingested_at_instant, "--outbox", str(tmp_path)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "已生成 2026年12月2日 的每日汇总" in result.stdout
    [path] = tmp_path.glob("*.eml")
    text = _mail(path).get_body(("plain",)).get_content()
    assert "收到 2 封" in text and "宁波市海曙区社区学院" in text and "宁波市江北区社区学院" in text
