"""The campaign profile: everything a notice fixes, as plain data.

Each collection notice (national, Shandong's three batches, Taizhou, ...) is
one profile in configuration; the rules read it and never hard-code a notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from rules import clock
from rules.profile import ReportSpec, Routing, StatsSpec, VideoSpec
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
    # When set, the only senders (addresses or "@domains") whose mail for this unit is answered
    # automatically; mail for it from elsewhere waits for a coordinator. They identify the unit too.
    allowlist: list[str] = field(default_factory=list)

    def names(self) -> list[str]:
        return [self.name, *self.aliases]

    def owns_address(self, address: str, *, domains: bool) -> bool:
        return _matches(address, [*self.addresses, *self.allowlist], domains)

    def allows(self, address: str) -> bool:
        """Whether mail from `address` may be answered for this unit without a coordinator."""
        return not self.allowlist or _matches(address, self.allowlist, domains=True)


def _matches(address: str, patterns: list[str], domains: bool) -> bool:
    """An exact address, or (with `domains`) an "@domain" the address is at — never a look-alike domain."""
    address = (address or "").strip().lower()
    for own in (a.strip().lower() for a in patterns):
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
    name: str = "liaoning-2022"  # the profile's name (`profiles = [...]`)
    title: str = ""
    notice: str = ""  # the notice's number, e.g. 辽社指〔2022〕8号
    keyword: str = "智慧助老"
    # The subject the notice prescribes: "count" (单位+关键词材料+数量), "unit" (单位+关键词), "" (none).
    subject: str = "count"
    subject_example: str = ""  # the notice's own example; derived from the keyword when empty
    checks: list[str] | None = None  # the rules that apply (names without check_); None = the default list
    routing: Routing = field(default_factory=Routing)
    stats: StatsSpec | None = None
    reports: list[ReportSpec] = field(default_factory=list)
    video: VideoSpec | None = None
    link_expiry: str = "warning"  # severity of LINK_EXPIRES: "error" where the notice demands permanent shares
    postal_address: str = ""  # where the paper originals go, reminded in the receipt
    requirements: list[str] = field(default_factory=list)  # what it requires, in Chinese, for `intake profiles`
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
    def subject_pattern(self) -> str:
        """The subject as the notice writes it: 单位名称+智慧助老材料+数量, 单位名称+智慧助老, or "" (none)."""
        if not self.subject:
            return ""
        return f"单位名称+{self.keyword}" if self.subject == "unit" else f"单位名称+{self.keyword}材料+数量"

    def next_batch(self, now: datetime) -> Batch | None:
        """The first batch whose deadline is still ahead; None once every deadline has passed."""
        return next((b for b in self.batches if b.deadline > now), None)

    def batches_due(self, now: datetime) -> list[Batch]:
        """The batches whose deadline has come, and the one still open: what a coordinator looks at so far."""
        ahead = self.next_batch(now)
        return [b for b in self.batches if ahead is None or b.deadline <= ahead.deadline]

    def subject_hint(self) -> str:
        """How the subject should read, for messages and replies."""
        if self.subject_example:
            return self.subject_example
        if self.subject == "unit":
            return f"{self.subject_pattern}（例如：xx市社区学院+{self.keyword}）"
        return f"{self.subject_pattern}（例如：xx市+{self.keyword}材料+5个）"

    @property
    def keyword_words(self) -> str:
        """The words the subject must carry: “智慧助老材料”, or the bare keyword without a count."""
        return self.keyword if self.subject == "unit" else f"{self.keyword}材料"

    @property
    def zone(self) -> ZoneInfo:
        return clock.zone(self.timezone)

    @property
    def final_deadline(self) -> datetime | None:
        return max((b.deadline for b in self.batches), default=None)
