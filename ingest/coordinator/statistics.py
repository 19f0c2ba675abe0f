"""The city-wide table a coordinator used to build by hand: every unit's statistics, per profile and period.

Read from the standing collection (the latest filing of each unit counts),
for the digest, the `intake export` workbook and the console's 统计表 page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from parsers.facts import StatsTable
from rules.campaign import Campaign, Roster
from storage.database import ACTIVE
from storage.mapping import StoredSubmission

NO_PERIOD = "未分期"


@dataclass
class StatsFiling:
    """The mail a unit's figures came from."""

    submission_id: int
    status: str  # accepted / defective


@dataclass
class StatsSummary:
    profile: str
    title: str  # the table's name in the notice
    period: str  # 2021年第2季度, a batch name, or 未分期
    columns: list[str]
    units: dict[str, dict[str, int | None]] = field(default_factory=dict)  # unit -> its figures
    filings: dict[str, StatsFiling] = field(default_factory=dict)  # unit -> the mail they came from

    def totals(self) -> dict[str, int | None]:
        """Column sums over the units; None where a unit's figure is not a valid number."""
        out: dict[str, int | None] = {}
        for column in self.columns:
            figures = [u.get(column) for u in self.units.values()]
            out[column] = None if any(v is None for v in figures) else sum(figures)
        return out

    def silent(self, roster: Roster) -> list[str]:
        """The roster's units that sent no table for this period, in roster order."""
        sent = {getattr(roster.for_name(unit), "name", unit) for unit in self.units}
        return [entry.name for entry in roster.units if entry.name not in sent]


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
            summary.filings[unit] = StatsFiling(stored.id, stored.status)
    return sorted(found.values(), key=lambda s: (s.profile, s.period))


@dataclass
class ProfileStats:
    """One statistics profile's tables, one per period so far (its deadlines up to the next one, and any
    period a unit's table names besides)."""

    campaign: Campaign
    periods: list[StatsSummary]
    current: str | None  # the period whose deadline is next ahead; None once all have passed

    def period(self, name: str | None) -> StatsSummary | None:
        """The named period; else the current one if any unit has reported for it, else the latest reported."""
        by_name = {p.period: p for p in self.periods}
        if name in by_name:
            return by_name[name]
        current = by_name.get(self.current)
        if current is not None and current.units:
            return current
        return next((p for p in reversed(self.periods) if p.units), current or (self.periods or [None])[-1])


def profile_stats(submissions: list[StoredSubmission], campaigns: list[Campaign], now: datetime) -> list[ProfileStats]:
    """Per statistics profile, every period's summary (empty ones too: a period nobody reported for yet)."""
    summaries = stats_summaries(submissions, campaigns)
    out = []
    for campaign in (c for c in campaigns if c.stats is not None):
        mine = {s.period: s for s in summaries if s.profile == campaign.name}
        ahead = campaign.next_batch(now)
        due = [b.name for b in campaign.batches_due(now)]
        names = due + sorted(p for p in mine if p not in due)
        columns = [col.name for col in campaign.stats.columns]
        periods = [mine.get(n) or StatsSummary(campaign.name, campaign.stats.title, n, columns) for n in names]
        out.append(ProfileStats(campaign, periods, ahead.name if ahead else None))
    return out
