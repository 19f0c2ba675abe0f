"""The city-wide table a coordinator used to build by hand: every unit's statistics, per profile and period.

Read from the standing collection (the latest filing of each unit counts),
for the digest and the `intake export` workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.facts import StatsTable
from rules.campaign import Campaign
from storage.database import ACTIVE
from storage.mapping import StoredSubmission

NO_PERIOD = "未分期"


@dataclass
class StatsSummary:
    profile: str
    title: str  # the table's name in the notice
    period: str  # 2021年第2季度, a batch name, or 未分期
    columns: list[str]
    units: dict[str, dict[str, int | None]] = field(default_factory=dict)  # unit -> its figures

    def totals(self) -> dict[str, int | None]:
        """Column sums over the units; None where a unit's figure is not a valid number."""
        out: dict[str, int | None] = {}
        for column in self.columns:
            figures = [u.get(column) for u in self.units.values()]
            out[column] = None if any(v is None for v in figures) else sum(figures)
        return out


def unit_figures(table: StatsTable) -> dict[str, int | None]:
    """A unit's own figures: its 合计 row when it has a sound one, else the sum of its rows."""
    total = table.total()
    body = table.body()
    figures: dict[str, int | None] = {}
    for column in table.columns:
        values = [r.values.get(column) for r in body]
        summed = None if not values or any(v is None for v in values) else sum(values)
        stated = total.values.get(column) if total else None
        figures[column] = summed if summed is not None else stated
    return figures


def stats_summaries(submissions: list[StoredSubmission], campaigns: list[Campaign]) -> list[StatsSummary]:
    """One summary per (profile, period), units in the order they first reported; later filings replace earlier."""
    titles = {c.name: c.stats.title for c in campaigns if c.stats is not None}
    order = {c.name: [col.name for col in c.stats.columns] for c in campaigns if c.stats is not None}
    found: dict[tuple[str, str], StatsSummary] = {}
    for stored in submissions:
        if stored.status not in ACTIVE or stored.superseded_by is not None:
            continue
        sub = stored.submission
        for m in stored.live_materials():
            table = m.material.stats
            if table is None:
                continue
            profile = sub.profile or ""
            period = table.period or sub.batch or NO_PERIOD
            key = (profile, period)
            summary = found.setdefault(key, StatsSummary(profile, titles.get(profile, "统计表"), period,
                                                         order.get(profile, list(table.columns))))
            unit = sub.unit or table.unit or sub.message.sender
            summary.units[unit] = unit_figures(table)
    return sorted(found.values(), key=lambda s: (s.profile, s.period))
