"""The collection as coordinators see it: per unit, the standing materials, and who has sent nothing.

The read model over `Database.load_all` and the roster, loaded once per
use (`load_collection`): the CLI (`roster`, `export`), the digest, the
reminders and the web console read it, none of them its own queries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from parsers.facts import FORM_KINDS, Defect, Material, ShareLink
from rules.campaign import Roster
from rules.unit_names import normalise_unit
from rules.vocabulary import Status
from storage.database import ACTIVE, Database
from storage.mapping import StoredSubmission

LEADER_LABELS = ("负责人", "项目负责人", "案例负责人", "课程负责人")
LEADER_PHONE_LABELS = ("负责人联系电话",)
CONTACT_LABELS = ("联系人",)
CONTACT_PHONE_LABELS = ("联系人联系电话", "联系电话", "手机", "联系方式")


@dataclass
class MaterialStanding:
    """One material of a unit's collection (a Word form and its scan are one), in its latest version."""

    unit: str | None
    kind: str  # case / project / course
    title: str | None
    status: str  # of the mail that carried it
    batch: str | None
    submission_id: int
    received_at: datetime | None  # when the mail counts as sent
    sender: str
    files: list[str]
    fields: dict[str, str]
    problems: list[Defect]
    links: list[ShareLink] = field(default_factory=list)
    title_from_scan: bool = False
    profile: str | None = None  # the campaign profile its mail was judged under

    def value(self, labels: tuple[str, ...]) -> str | None:
        """The first filled field of `labels`."""
        return next((self.fields[label] for label in labels if self.fields.get(label)), None)


@dataclass
class UnitStanding:
    """A unit as the roster view shows it."""

    name: str
    in_roster: bool
    materials: list[MaterialStanding] = field(default_factory=list)
    last_mail: datetime | None = None
    mails: int = 0
    outstanding: list[Defect] = field(default_factory=list)  # errors of its standing mails

    def kinds(self) -> dict[str, Counter]:
        """kind -> Counter of statuses of the standing materials."""
        out: dict[str, Counter] = {}
        for m in self.materials:
            out.setdefault(m.kind, Counter())[m.status] += 1
        return out


def standing_materials(stored: StoredSubmission) -> list[MaterialStanding]:
    """The standing materials of one filed mail: forms, and scans that have no Word twin."""
    sub = stored.submission
    live = [m.material for m in stored.live_materials()]
    rows = []
    for material in live:
        kind, title, from_scan = _kind_and_title(material, live)
        if kind is None:
            continue
        files = [material.filename, *material.paired_with]
        rows.append(MaterialStanding(
            unit=sub.unit or sub.subject.unit, kind=kind, title=title, status=stored.status, batch=sub.batch,
            submission_id=stored.id, received_at=sub.sent_at or stored.received_at, sender=sub.message.sender,
            files=files, fields=material.fields, problems=_problems(files, title, stored.defects, sub.materials),
            links=_links(material, kind, sub.links), title_from_scan=from_scan, profile=sub.profile,
        ))
    return rows


def _kind_and_title(material: Material, live: list[Material]) -> tuple[str | None, str | None, bool]:
    if material.form is not None and material.kind in FORM_KINDS:
        return material.kind, material.form.title, False
    if material.kind == "scan" and not any(m.filename in material.paired_with for m in live if m.form):
        page = next((p for p in (material.scan.pages if material.scan else []) if p.form_kind in FORM_KINDS), None)
        if page is not None:
            return page.form_kind, page.name, True
    return None, None, False


def _problems(files: list[str], title: str | None, defects: list[Defect], materials: list[Material]) -> list[Defect]:
    """The material's own defects, then the mail's general ones (not located in another file)."""
    keys = [k for k in (*files, title) if k]
    others = [m.filename for m in materials if m.filename not in files]
    own = [d for d in defects if d.where and any(k in d.where for k in keys)]
    general = [d for d in defects if d not in own and not any(f in d.where for f in others)]
    return own + general


def _links(material: Material, kind: str, links: list[ShareLink]) -> list[ShareLink]:
    """A course's share links: those written in its form, else those in the mail body."""
    if kind != "course":
        return []
    own = [link for link in links if link.found_in == material.filename]
    return own or [link for link in links if link.found_in.startswith("正文")]


@dataclass
class Collection:
    """The standing collection, loaded once: the filed mail still in play, as facts."""

    submissions: list[StoredSubmission]

    def materials(self) -> list[MaterialStanding]:
        """Every standing material of every unit, oldest mail first."""
        return [row for stored in self.submissions for row in standing_materials(stored)]

    def units(self, roster: Roster) -> list[UnitStanding]:
        """Every roster unit (those that sent nothing too) and every unit seen, roster order first."""
        units: dict[str, UnitStanding] = {}
        for entry in roster.units:
            units[normalise_unit(entry.name)] = UnitStanding(entry.name, True)
        for stored in self.submissions:
            name = stored.unit or f"（未识别单位：{stored.submission.message.sender}）"
            unit = units.setdefault(normalise_unit(name), UnitStanding(name, False))
            unit.mails += 1
            moment = stored.submission.sent_at or stored.received_at
            unit.last_mail = max(filter(None, [unit.last_mail, moment]))
            unit.materials += standing_materials(stored)
            if stored.superseded_by is None and stored.status == Status.DEFECTIVE:
                unit.outstanding += [d for d in stored.defects if d.severity == "error"]
        return list(units.values())


def load_collection(db: Database) -> Collection:
    return Collection(db.load_all(statuses=ACTIVE))
