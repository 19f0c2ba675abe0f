"""What the 总览 and 单位 pages show, computed from the collection read model (no queries of its own)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from ingest.config.settings import Settings
from parsers.facts import FORM_KINDS
from rules import clock
from rules.campaign import Campaign
from rules.unit_names import normalise_unit
from rules.vocabulary import Status
from storage.collection import Collection, MaterialStanding, UnitStanding, standing_materials
from storage.mapping import StoredSubmission

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


@dataclass
class ProfileRow:
    """One campaign profile on the 总览: its batches and its next deadline."""

    campaign: Campaign
    batches: list[BatchRow]
    deadline: tuple[str, datetime, int] | None
    forms: bool  # it collects application forms (else its materials-by-kind table says nothing)


def campaigns_in_use(settings: Settings, submissions: list[StoredSubmission]) -> list[Campaign]:
    """The active profiles, then any other (built-in) profile a coordinator assigned a mail to."""
    campaigns = settings.profiles()
    names = {c.name for c in campaigns}
    for name in dict.fromkeys(s.submission.profile for s in submissions):
        if name and name not in names and (found := settings.profile(name)) is not None:
            campaigns.append(found)
            names.add(name)
    return campaigns


def profile_of(stored: StoredSubmission, campaigns: list[Campaign]) -> str:
    """The profile a filed mail counts under; one filed before profiles existed counts under the first."""
    name = stored.submission.profile
    return name if any(c.name == name for c in campaigns) else campaigns[0].name


def profile_rows(collection: Collection, campaigns: list[Campaign]) -> list[ProfileRow]:
    rows = []
    for campaign in campaigns:
        mine = [s for s in collection.submissions if profile_of(s, campaigns) == campaign.name]
        batches = batch_rows(mine, campaign)
        forms = campaign.stats is None or any(b.kinds for b in batches)
        rows.append(ProfileRow(campaign, batches, next_deadline(campaign), forms))
    return rows


def _unit_key(stored: StoredSubmission) -> str:
    return normalise_unit(stored.unit) if stored.unit else f"<{stored.submission.message.sender}>"


def batch_rows(submissions: list[StoredSubmission], campaign: Campaign) -> list[BatchRow]:
    """Per batch of the profile (those due so far, and any a mail was filed under): who sent, who passed."""
    roster = {normalise_unit(u.name): u.name for u in campaign.roster.units}
    seen = {s.submission.batch for s in submissions}
    due = campaign.batches_due(clock.now())
    if campaign.stats is not None:  # a recurring table: the periods with mail, the one just closed and the open one
        due = [b for i, b in enumerate(due) if b.name in seen or i >= len(due) - 2]
    names = [(b.name, b.deadline) for b in campaign.batches if b in due or b.name in seen]
    names += [(name, None) for name in sorted(n for n in seen if n) if name not in {b.name for b in campaign.batches}]
    if None in seen:
        names.append((None, None))
    rows = []
    for name, deadline in names:
        row = BatchRow(name or NO_BATCH, deadline, len(roster) if roster else None)
        statuses: dict[str, set[str]] = {}
        for stored in (s for s in submissions if s.submission.batch == name):
            unit = statuses.setdefault(_unit_key(stored), set())
            if stored.superseded_by is None:
                unit.add(stored.status)
            for m in standing_materials(stored):
                row.kinds.setdefault(m.kind, Counter())[m.status] += 1
        row.sent = len(statuses)
        row.accepted = sum(s == {Status.ACCEPTED} for s in statuses.values())
        row.to_correct = sum(Status.DEFECTIVE in s for s in statuses.values())
        row.silent = [shown for key, shown in roster.items() if key not in statuses]
        rows.append(row)
    return rows


def next_deadline(campaign: Campaign) -> tuple[str, datetime, int] | None:
    """(batch, deadline, whole days left in the campaign's calendar) of the next deadline still ahead."""
    now, tz = clock.now(), campaign.zone
    ahead = campaign.next_batch(now)
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
        status = Status.DEFECTIVE if Status.DEFECTIVE in statuses else Status.ACCEPTED if materials else "silent"
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
