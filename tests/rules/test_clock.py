"""The campaign's calendar gives the same days and the same printed times whatever the machine's zone."""

from __future__ import annotations

import ast
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from rules import clock

BEIJING = clock.zone("Asia/Shanghai")
UTC = timezone.utc


def test_now_is_aware_utc_and_follows_the_frozen_clock(machine_tz, freeze):
    with freeze(datetime(2022, 5, 5, 23, 30, tzinfo=BEIJING)):
        moment = clock.now()
    assert moment.utcoffset() == timedelta(0)
    assert moment == datetime(2022, 5, 5, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize("frozen,expected", [
    (datetime(2022, 5, 5, 23, 30, tzinfo=BEIJING), date(2022, 5, 5)),
    (datetime(2022, 5, 6, 0, 30, tzinfo=BEIJING), date(2022, 5, 6)),  # 16:30 UTC on the 5th
])
def test_today_is_the_campaign_day_not_the_machine_day(machine_tz, freeze, frozen, expected):
    with freeze(frozen):
        assert clock.today(BEIJING) == expected


def test_day_window_is_midnight_to_midnight_in_beijing_as_utc_moments(machine_tz):
    start, end = clock.day_window(date(2022, 5, 5), BEIJING)
    assert (start, end) == (datetime(2022, 5, 4, 16, 0, tzinfo=UTC), datetime(2022, 5, 5, 16, 0, tzinfo=UTC))


def test_naive_moments_are_wall_time_in_the_given_zone_and_aware_ones_are_kept(machine_tz):
    assert clock.localize(datetime(2022, 5, 5, 23, 59), BEIJING) == datetime(2022, 5, 5, 15, 59, tzinfo=UTC)
    aware = datetime(2022, 5, 5, 15, 59, tzinfo=UTC)
    assert clock.localize(aware, BEIJING) is aware


@pytest.mark.parametrize("moment", [
    datetime(2022, 5, 5, 23, 59, 30, tzinfo=BEIJING),
    datetime(2022, 5, 5, 15, 59, 30, tzinfo=UTC),
    datetime(2022, 5, 5, 8, 59, 30, tzinfo=clock.zone("America/Los_Angeles")),
    datetime(2022, 5, 5, 23, 59, 30),  # naive: Beijing wall time
])
def test_a_moment_prints_as_beijing_time_however_it_was_written(machine_tz, moment):
    assert clock.cn_datetime(moment, BEIJING) == "2022年5月5日 23:59"


def test_nothing_prints_as_nothing():
    assert clock.cn_datetime(None, BEIJING) == ""


def test_end_of_day_is_the_last_second_of_that_day_in_the_zone():
    assert clock.end_of_day(date(2022, 5, 5), BEIJING) == datetime(2022, 5, 5, 15, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("deadline", [
    datetime(2022, 5, 5, 23, 59, 59, tzinfo=BEIJING),
    datetime(2022, 5, 5, 23, 59, tzinfo=BEIJING),  # written to the minute: the whole minute counts
])
def test_the_deadline_minute_is_on_time_and_the_next_minute_is_past(deadline):
    assert not clock.is_past(datetime(2022, 5, 5, 23, 59, 0, tzinfo=BEIJING), deadline)
    assert not clock.is_past(datetime(2022, 5, 5, 23, 59, 59, tzinfo=BEIJING), deadline)
    assert clock.is_past(datetime(2022, 5, 6, 0, 0, 0, tzinfo=BEIJING), deadline)
    assert clock.is_past(datetime(2022, 5, 6, 0, 0, 30, tzinfo=BEIJING), deadline)


def test_a_deadline_to_the_second_does_not_stretch_to_its_minute():
    deadline = datetime(2022, 5, 5, 17, 0, 30, tzinfo=BEIJING)
    assert not clock.is_past(datetime(2022, 5, 5, 17, 0, 30, tzinfo=BEIJING), deadline)
    assert clock.is_past(datetime(2022, 5, 5, 17, 0, 31, tzinfo=BEIJING), deadline)


@pytest.mark.parametrize("frozen,day,word", [
    (datetime(2022, 5, 5, 23, 30, tzinfo=BEIJING), date(2022, 5, 5), "今天"),
    (datetime(2022, 5, 6, 0, 30, tzinfo=BEIJING), date(2022, 5, 5), "昨天"),
    (datetime(2022, 5, 6, 0, 30, tzinfo=BEIJING), date(2022, 5, 6), "今天"),
    (datetime(2022, 5, 8, 8, 0, tzinfo=BEIJING), date(2022, 5, 5), "2022年5月5日"),
])
def test_today_and_yesterday_are_counted_in_beijing(machine_tz, freeze, frozen, day, word):
    with freeze(frozen):
        assert clock.day_word(day, BEIJING) == word


def test_unknown_zone_name_is_refused_in_chinese():
    with pytest.raises(ValueError, match="未知的时区"):
        clock.zone("Mars/Olympus_Mons")


CLOCK_READS = {"now", "today", "utcnow", "utcfromtimestamp", "fromtimestamp"}
PACKAGES = ("ingest", "parsers", "rules", "storage", "notifier", "web", "bench")


def _clock_reads(path: Path) -> list[str]:
    """`datetime.now()`, `date.today()`, `datetime.utcnow()`… calls in one source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CLOCK_READS:
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if name in ("datetime", "date"):
                found.append(f"{path}:{node.lineno} {name}.{node.func.attr}()")
    return found


def test_only_the_campaign_clock_reads_the_time():
    root = Path(__file__).resolve().parents[2]
    sources = [p for package in PACKAGES for p in (root / package).rglob("*.py")]
    assert len(sources) > 40
    reads = [r for p in sources if p != root / "rules" / "clock.py" for r in _clock_reads(p)]
    assert reads == []
    assert len(_clock_reads(root / "rules" / "clock.py")) == 1  # clock.now()
