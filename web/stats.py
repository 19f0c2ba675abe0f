"""The 统计表 page's model: per statistics profile and period, the units' figures as `intake export` sums them.

The aggregation is `ingest.coordinator.statistics.profile_stats` (the same summaries
as the export workbook and the digest); this module only picks the profile
and period the page asks for and lines the roster up against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.coordinator.statistics import ProfileStats, StatsFiling, StatsSummary, profile_stats
from rules import clock
from rules.campaign import Campaign
from storage.collection import Collection


@dataclass
class StatsRow:
    unit: str
    figures: dict[str, int | None]
    filing: StatsFiling
    in_roster: bool


@dataclass
class StatsPage:
    profiles: list[ProfileStats]  # every statistics profile, for the switch
    chosen: ProfileStats | None
    table: StatsSummary | None  # the chosen period's summary
    rows: list[StatsRow]
    silent: list[str]  # roster units that sent no table for the period


def stats_page(collection: Collection, campaigns: list[Campaign], profile: str | None, period: str | None) -> StatsPage:
    """The page for `profile` and `period` as the query names them; the first profile and its current period else."""
    profiles = profile_stats(collection.submissions, campaigns, clock.now())
    chosen = next((p for p in profiles if p.campaign.name == profile), profiles[0] if profiles else None)
    table = chosen.period(period) if chosen else None
    if table is None:
        return StatsPage(profiles, chosen, None, [], [])
    roster = chosen.campaign.roster
    rows = [StatsRow(unit, figures, table.filings[unit], roster.for_name(unit) is not None)
            for unit, figures in table.units.items()]
    return StatsPage(profiles, chosen, table, rows, table.silent(roster))
