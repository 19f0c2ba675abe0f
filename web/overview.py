"""What the 总览, 单位 and 统计表 pages show, computed from the collection read model (no queries of its own)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from parsers.facts import FORM_KINDS
from rules import clock
from rules.campaign import Campaign
from rules.unit_names import normalise_unit
from storage.collection import Collection, MaterialStanding, UnitStanding

NO_BATCH = "未分批"


@dataclass
class BatchRow:
    """One batch on the 总览: units expected / sent / accepted / to correct / silent, materials by kind and status."""

    name: str
    deadline: datetime | None
    expected: int | None  # roster units; None without a roster
    sent: int = 0
    accepted: int = 0
    to_correct: int = 0
    silent: list[str] = field(default_factory=list)
    kinds: dict[str, Counter] = field(default_factory=dict)


def _unit_of(m: MaterialStanding) -> str:
    return normalise_unit(m.unit) if m.unit else f"<{m.sender}>"


def batch_rows(collection: Collection, campaign: Campaign) -> list[BatchRow]:
    materials = collection.materials()
    roster = {normalise_unit(u.name): u.name for u in campaign.roster.units}
    names = [(b.name, b.deadline) for b in campaign.batches]
    if any(m.batch is None for m in materials):
        names.append((None, None))
    rows = []
    for name, deadline in names:
        mine = [m for m in materials if m.batch == name]
        statuses: dict[str, set[str]] = {}
        row = BatchRow(name or NO_BATCH, deadline, len(roster) if roster else None)
        for m in mine:
            statuses.setdefault(_unit_of(m), set()).add(m.status)
            row.kinds.setdefault(m.kind, Counter())[m.status] += 1
        row.sent = len(statuses)
        row.accepted = sum(s == {"accepted"} for s in statuses.values())
        row.to_correct = sum("defective" in s for s in statuses.values())
        row.silent = [shown for key, shown in roster.items() if key not in statuses]
        rows.append(row)
    return rows


def next_deadline(campaign: Campaign) -> tuple[str, datetime, int] | None:
    """(batch, deadline, whole days left in the campaign's calendar) of the next deadline still ahead."""
    now, tz = clock.now(), campaign.zone
    ahead = next((b for b in campaign.batches if b.deadline > now), None)
    if ahead is None:
        return None
    return ahead.name, ahead.deadline, (clock.local_day(ahead.deadline, tz) - clock.local_day(now, tz)).days


@dataclass
class UnitFilter:
    """The 单位 page's filters, as the form sends them."""

    status: str = ""  # "" / accepted / defective
    batch: str = ""
    kind: str = ""
    silent: bool = False  # only units with nothing (matching batch and kind) sent yet
    q: str = ""

    @classmethod
    def from_query(cls, params) -> UnitFilter:
        return cls(status=params.get("status", ""), batch=params.get("batch", ""), kind=params.get("kind", ""),
                   silent=params.get("silent") == "1", q=params.get("q", "").strip())


@dataclass
class UnitRow:
    unit: UnitStanding
    materials: list[MaterialStanding]  # those matching the batch and kind filters
    status: str  # accepted / defective / silent

    def by_kind(self) -> dict[str, list[MaterialStanding]]:
        return {k: [m for m in self.materials if m.kind == k] for k in FORM_KINDS}


def unit_rows(units: list[UnitStanding], campaign: Campaign, chosen: UnitFilter) -> list[UnitRow]:
    rows = []
    for unit in units:
        materials = [m for m in unit.materials if (not chosen.batch or (m.batch or NO_BATCH) == chosen.batch)
                     and (not chosen.kind or m.kind == chosen.kind)]
        statuses = {m.status for m in materials}
        status = "defective" if "defective" in statuses else "accepted" if materials else "silent"
        if chosen.silent and materials or chosen.status and status != chosen.status:
            continue
        if chosen.q and not _matches(unit, campaign, chosen.q):
            continue
        rows.append(UnitRow(unit, materials, status))
    return rows


def _matches(unit: UnitStanding, campaign: Campaign, q: str) -> bool:
    """Search by name (or alias) and address (the roster's, or any the unit sent from)."""
    entry = campaign.roster.for_name(unit.name)
    haystack = [unit.name, *(entry.aliases + entry.addresses if entry else []), *(m.sender for m in unit.materials)]
    return any(q.lower() in text.lower() for text in haystack)


@dataclass
class StatsRow:
    unit: str
    counts: dict[str, int]
    status: str
    submission_id: int  # its latest mail in the period


def stats_by_period(collection: Collection) -> dict[str, list[StatsRow]]:
    """Per batch (the campaign's period), one row per unit: materials by kind, linked to its latest mail."""
    periods: dict[str, dict[str, list[MaterialStanding]]] = {}
    for m in collection.materials():
        periods.setdefault(m.batch or NO_BATCH, {}).setdefault(m.unit or m.sender, []).append(m)
    return {period: [StatsRow(unit, {k: sum(m.kind == k for m in ms) for k in FORM_KINDS},
                              "defective" if any(m.status == "defective" for m in ms) else "accepted",
                              max(m.submission_id for m in ms))
                     for unit, ms in units.items()]
            for period, units in periods.items()}
