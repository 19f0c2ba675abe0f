"""The campaign profile: everything a notice fixes, as plain data.

Each collection notice (national, Shandong's three batches, Taizhou, ...) is
one profile in configuration; the rules read it and never hard-code a notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from rules import clock
from rules.unit_names import same_unit


@dataclass
class Batch:
    name: str
    deadline: datetime  # timezone-aware


@dataclass
class RosterUnit:
    """One unit the notice was sent to, as `[roster] units` lists it."""

    name: str
    aliases: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)  # "x@163.com", or "@yz.edu.cn" for a whole domain

    def names(self) -> list[str]:
        return [self.name, *self.aliases]

    def owns_address(self, address: str, *, domains: bool) -> bool:
        address = address.strip().lower()
        for own in (a.strip().lower() for a in self.addresses):
            if own.startswith("@") and domains and address.endswith(own):
                return True
            if own == address:
                return True
        return False


@dataclass
class Roster:
    units: list[RosterUnit] = field(default_factory=list)

    def for_address(self, address: str | None) -> RosterUnit | None:
        """The unit owning an address: an exact address first, then a whole domain."""
        if not address:
            return None
        for domains in (False, True):
            found = [u for u in self.units if u.owns_address(address, domains=domains)]
            if len(found) == 1:
                return found[0]
        return None

    def for_name(self, name: str | None) -> RosterUnit | None:
        """The unit a name or alias spells (after normalisation); None when none or several do."""
        found = [u for u in self.units if any(same_unit(name, n) for n in u.names())]
        return found[0] if len(found) == 1 else None


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
    roster: Roster = field(default_factory=Roster)  # the units the notice was sent to ([roster] units)

    @property
    def zone(self) -> ZoneInfo:
        return clock.zone(self.timezone)

    @property
    def final_deadline(self) -> datetime | None:
        return max((b.deadline for b in self.batches), default=None)
