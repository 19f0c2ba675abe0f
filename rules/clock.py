"""The campaign's clock and calendar: the one place where moments meet days.

Everything stored is a timezone-aware moment in UTC; everything a person
reads, and every day boundary (a deadline day, the digest's day, "今天"), is
in the campaign's zone (China Standard Time unless configured otherwise),
whatever zone the machine's clock is in. So nothing in `intake` reads the
clock except `now()`, and nothing guesses a zone for a naive datetime except
`localize()`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"


@lru_cache(maxsize=16)
def zone(name: str | None = None) -> ZoneInfo:
    """The ZoneInfo of a zone name (the default zone for None or "")."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"未知的时区：{name}") from exc


def now() -> datetime:
    """The current moment, aware, in UTC. The only reading of the clock."""
    return datetime.now(timezone.utc)


def localize(moment: datetime, tz: ZoneInfo) -> datetime:
    """An aware moment; a naive one is taken as wall time in `tz`.

    Naive datetimes come from sources that state no zone (a `Date:` header
    without an offset, a deadline written as `2022-05-05 17:00`, an Excel
    cell): the people who wrote them live in the campaign's zone.
    """
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def to_utc(moment: datetime, tz: ZoneInfo) -> datetime:
    return localize(moment, tz).astimezone(timezone.utc)


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """The moment as wall time in `tz` (still aware)."""
    return localize(moment, tz).astimezone(tz)


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    return local(moment, tz).date()


def today(tz: ZoneInfo) -> date:
    return local_day(now(), tz)


def day_window(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in `tz`, as UTC moments."""
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """23:59:59 of `day` in `tz`: what "5月5日前" means for a deadline."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


def is_past(moment: datetime, deadline: datetime) -> bool:
    """Whether `moment` is after `deadline`, counting the deadline's last unit in full.

    A deadline written to the minute ("23:59") runs to the end of that minute,
    one written to the second ("23:59:59") to the end of that second: a mail
    sent at 23:59:40 is on time for "23:59".
    """
    minute_only = deadline.second == 0 and deadline.microsecond == 0
    grace = timedelta(minutes=1) if minute_only else timedelta(seconds=1)
    return moment >= deadline + grace


def cn_date(day: date) -> str:
    """`2022年5月5日`."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_datetime(moment: datetime | None, tz: ZoneInfo) -> str:
    """`2022年5月5日 23:59` as wall time in `tz`; empty for None."""
    if moment is None:
        return ""
    wall = local(moment, tz)
    return f"{cn_date(wall.date())} {wall:%H:%M}"


def day_word(day: date, tz: ZoneInfo, at: datetime | None = None) -> str:
    """How a text written at `at` (default: now) names `day`: 今天, 昨天, or the date itself."""
    offset = (local_day(at or now(), tz) - day).days
    return {0: "今天", 1: "昨天"}.get(offset, cn_date(day))


_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:(\d{1,2})\s*[:：时]\s*(\d{2})\s*分?)?\s*$")


def deadline(value: object, tz: ZoneInfo) -> datetime:
    """A deadline as the notice writes it, as an aware moment.

    A day alone ("2022-05-05", a TOML date, "2022年5月5日") runs to 23:59:59
    that day; a time without a zone ("2022-05-05T17:00") is in the campaign's
    zone; a time with an offset stays as written.
    """
    if isinstance(value, datetime):
        return localize(value, tz)
    if isinstance(value, date):
        return end_of_day(value, tz)
    text = str(value).strip()
    if found := _CN_DATE.match(text):
        year, month, day, hour, minute = found.groups()
        if hour is None:
            return end_of_day(date(int(year), int(month), int(day)), tz)
        return datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=tz)
    try:
        return deadline(date.fromisoformat(text), tz)
    except ValueError:
        pass
    try:
        return localize(datetime.fromisoformat(text), tz)
    except ValueError:
        raise ValueError(f"无法识别截止时间 {value!r}") from None
