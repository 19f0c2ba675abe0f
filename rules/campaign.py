"""The campaign profile: everything a notice fixes, as plain data.

Each collection notice (national, Shandong's three batches, Taizhou, ...) is
one profile in configuration; the rules read it and never hard-code a notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from rules import clock


@dataclass
class Batch:
    name: str
    deadline: datetime  # timezone-aware


@dataclass
class Campaign:
    keyword: str = "智慧助老"
    batches: list[Batch] = field(default_factory=list)
    # Character limits of the case form's sections (附件2).
    text_limits: dict[str, int] = field(
        default_factory=lambda: {"基本情况": 500, "主要做法": 1500, "经验效果": 1000, "全文": 3000}
    )
    accepted_link_providers: list[str] = field(default_factory=lambda: ["baidu"])
    require_scan: bool = True
    check_links_online: bool = False
    # Where the campaign's days begin and end, and the zone every time is shown in.
    timezone: str = clock.DEFAULT_ZONE

    @property
    def zone(self) -> ZoneInfo:
        return clock.zone(self.timezone)

    @property
    def final_deadline(self) -> datetime | None:
        return max((b.deadline for b in self.batches), default=None)
