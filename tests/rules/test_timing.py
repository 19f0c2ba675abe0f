"""When a message counts as sent, and what its batch and lateness are, on Beijing's calendar."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from parsers.facts import MailMessage, Submission
from parsers.subject import parse_subject
from rules import clock
from rules.campaign import Batch, Campaign
from rules.timing import assign_batch, check_late, check_late_batch, sending_time

BEIJING = clock.zone("Asia/Shanghai")
UTC = timezone.utc
CAMPAIGN = Campaign(batches=[Batch("第一批", datetime(2022, 5, 5, 23, 59, 59, tzinfo=BEIJING)),
                             Batch("第二批", datetime(2022, 8, 31, 23, 59, 59, tzinfo=BEIJING))])


def test_date_header_decides_when_the_server_agrees_within_a_day():
    header = datetime(2022, 5, 5, 23, 58, tzinfo=BEIJING)
    server = datetime(2022, 5, 6, 0, 3, tzinfo=BEIJING)  # delivered five minutes later, after midnight
    got = sending_time(header, server, BEIJING)
    assert got.moment == header and got.note is None


def test_a_header_without_zone_is_beijing_wall_time(machine_tz):
    got = sending_time(datetime(2022, 5, 5, 23, 59), None, BEIJING)
    assert got.moment == datetime(2022, 5, 5, 15, 59, tzinfo=UTC)


@pytest.mark.parametrize("header", [
    datetime(2023, 5, 5, 10, 0, tzinfo=BEIJING),  # PC clock a year ahead
    datetime(2019, 1, 1, 8, 0, tzinfo=BEIJING),  # PC clock never set
])
def test_a_wrong_pc_clock_gives_way_to_the_server_and_says_so(header):
    server = datetime(2022, 5, 6, 9, 30, tzinfo=BEIJING)
    got = sending_time(header, server, BEIJING)
    assert got.moment == server
    assert "相差超过一天" in got.note and "2022年5月6日 09:30" in got.note
    assert clock.cn_datetime(header, BEIJING) in got.note


def test_a_server_time_alone_or_nothing_at_all():
    server = datetime(2022, 5, 6, 1, 30, tzinfo=UTC)
    assert sending_time(None, server, BEIJING).moment == server
    assert sending_time(None, None, BEIJING).moment is None


@pytest.mark.parametrize("sent,batch,late_batch,late", [
    (datetime(2022, 5, 5, 23, 59, 0, tzinfo=BEIJING), "第一批", False, False),  # the deadline's last minute
    (datetime(2022, 5, 5, 23, 59, 59, tzinfo=BEIJING), "第一批", False, False),
    (datetime(2022, 5, 6, 0, 0, 30, tzinfo=BEIJING), "第二批", True, False),  # the first minute after
    (datetime(2022, 5, 5, 15, 59, 30, tzinfo=UTC), "第一批", False, False),  # 23:59:30 Beijing, written in UTC
    (datetime(2022, 8, 31, 23, 59, 0, tzinfo=BEIJING), "第二批", True, False),
    (datetime(2022, 9, 1, 0, 0, 30, tzinfo=BEIJING), "第二批", False, True),
])
def test_batches_turn_at_beijing_midnight(machine_tz, sent, batch, late_batch, late):
    got = assign_batch(sent, CAMPAIGN)
    assert (got.batch, got.late_batch, got.late) == (batch, late_batch, late)


def _sub(**extra) -> Submission:
    subject = "杭州市西湖区社区学院+智慧助老材料+1个"
    return Submission(message=MailMessage(message_id="<1@x>", subject=subject),
                      subject=parse_subject(subject, "智慧助老"), **extra)


def test_late_messages_print_the_deadline_in_beijing_time_even_when_configured_in_utc(machine_tz):
    campaign = Campaign(batches=[Batch("第一批", datetime(2022, 5, 5, 15, 59, 59, tzinfo=UTC)),
                                 Batch("第二批", datetime(2022, 8, 31, 15, 59, 59, tzinfo=UTC))])
    [late] = check_late(_sub(batch="第二批", late=True), campaign)
    assert "2022年8月31日 23:59" in late.message
    [warning] = check_late_batch(_sub(batch="第二批", late_batch=True), campaign)
    assert "第一批截止时间（2022年5月5日 23:59）" in warning.message and "已归入第二批处理" in warning.message
    assert "重新发送" not in warning.message  # a notice asking for corrections must not also say "no need to resend"
