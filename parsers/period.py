"""The reporting period a document states: which quarter (of which year) a quarterly table is for.

Units write the quarter every way: `2021年第3季度`, `2021年度第三季度`,
`2021年三季度`, `第三季度` (the year left to the reader), `7-9月`,
`2021年7月至9月`, `2021.7-2021.9`, `2021/07-09`, in full-width or half-width
characters. A date alone (`填报日期：2021年10月8日`) states no period, nor
does a span of quarters (`1-3季度`, a year to date) or of months that is no
quarter (`1-5月`); two different quarters in one heading state none either.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CN = {"一": 1, "二": 2, "三": 3, "四": 4}
_DASH = r"\s*(?:-|—|–|~|至|到)+\s*"
_QUARTER = re.compile(r"(?:(?<!\d)(\d{4})\s*年\s*(?:度\s*)?)?(?:第\s*)?(?<![\d一二三四])([一二三四1-4])\s*季度")
_QUARTER_SPAN = re.compile(rf"[一二三四1-4]\s*(?:季度)?{_DASH}(?:第\s*)?[一二三四1-4]\s*季度")
_MONTHS = re.compile(rf"(?:(?<!\d)(\d{{4}})\s*年\s*)?(?<!\d)(\d{{1,2}})\s*(?:月份?)?{_DASH}"
                     rf"(?:(\d{{4}})\s*年\s*)?(\d{{1,2}})\s*月")
_DOTTED = re.compile(rf"(?<!\d)(\d{{4}})\s*[./]\s*(\d{{1,2}})(?![./]?\d){_DASH}(?:(\d{{4}})\s*[./]\s*)?(\d{{1,2}})(?![./]?\d)")


@dataclass(frozen=True)
class Quarter:
    year: int | None  # None when the document leaves it to the reader (`第三季度`)
    quarter: int

    @property
    def name(self) -> str:
        """`2021年第3季度`, as the recurring batches and the statistics summary name it."""
        return f"{self.year}年第{self.quarter}季度" if self.year else f"第{self.quarter}季度"


def read_quarter(text: str) -> Quarter | None:
    """The one quarter a heading states, or None (none, a span, or two that disagree)."""
    text = unicodedata.normalize("NFKC", text or "")
    if _QUARTER_SPAN.search(text):
        return None
    found = {_from_quarter(m) for m in _QUARTER.finditer(text)}
    found |= {q for m in (*_MONTHS.finditer(text), *_DOTTED.finditer(text)) if (q := _from_months(m))}
    years = {q.year for q in found if q.year}
    quarters = {q.quarter for q in found}
    if len(quarters) != 1 or len(years) > 1:
        return None
    return Quarter(next(iter(years), None), quarters.pop())


def _from_quarter(match: re.Match) -> Quarter:
    number = match.group(2)
    return Quarter(int(match.group(1)) if match.group(1) else None, _CN.get(number) or int(number))


def _from_months(match: re.Match) -> Quarter | None:
    """A span of months that is exactly one quarter (7-9月), within one year."""
    first_year, first, last_year, last = match.groups()
    first, last = int(first), int(last)
    if first not in (1, 4, 7, 10) or last != first + 2:
        return None
    if first_year and last_year and first_year != last_year:
        return None
    year = first_year or last_year
    return Quarter(int(year) if year else None, (first - 1) // 3 + 1)
