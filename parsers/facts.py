"""Plain data that the parsers hand to the rules.

Parsers turn bytes into these dataclasses; rules read them and never touch
files or the database. Keeping the vocabulary in one module means a newcomer
can learn the whole campaign model from a single page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Material kinds, in the campaign's words.
FORM_KINDS = ("case", "project", "course")
MATERIAL_KINDS = FORM_KINDS + ("scan", "summary", "video", "photo", "other")

FORM_TITLES = {
    "case": "典型工作案例申报表",
    "project": "典型教育培训项目申报表",
    "course": "典型课程资源申报表",
}


@dataclass
class Attachment:
    """One file carried by a message, after unpacking zips and forwards."""

    filename: str
    content_type: str
    data: bytes
    origin: str = "attachment"  # "attachment", "zip:<name>", "forwarded"
    problem: str | None = None  # set when the container could not be opened (e.g. a broken zip)


@dataclass
class MailMessage:
    """What the email parser could read from one raw message."""

    message_id: str
    subject: str = ""
    sender: str = ""  # bare address, lower-cased
    sender_name: str = ""
    reply_to: str = ""
    date: datetime | None = None  # the Date header as written; naive when it names no zone
    received: datetime | None = None  # when our server took it (topmost Received stamp)
    text: str = ""
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # parse trouble, for the coordinator


@dataclass
class SubjectInfo:
    """The parts of `单位名称+智慧助老材料+数量` that could be found."""

    raw: str
    unit: str | None = None
    keyword_found: bool = False
    declared_count: int | None = None


@dataclass
class ShareLink:
    """A netdisk share link with its share code, as found in the message."""

    provider: str  # "baidu", "aliyun", "quark", ... or "unknown"
    url: str
    code: str | None = None
    share_id: str | None = None  # provider's id (Baidu surl without the leading 1)
    found_in: str = "body"  # "body", "html", "<filename>"
    well_formed: bool = True
    problem: str | None = None  # why it is malformed, in Chinese
    needs_code: bool = False
    expires: bool = False  # provider shares that expire by design (mail super-attachments)
    check: str | None = None  # online check: "alive", "dead", "wrong_code", "unknown", None = not checked
    check_detail: str | None = None
    checked_at: datetime | None = None


@dataclass
class ApplicationForm:
    """The fields of one of the three official Word application forms."""

    kind: str  # one of FORM_KINDS
    title: str | None  # 案例名称 / 项目名称 / 课程名称 value
    unit: str | None  # 申报单位
    fields: dict[str, str] = field(default_factory=dict)  # label -> value, labels normalised
    section_lengths: dict[str, int] = field(default_factory=dict)  # 基本情况/主要做法/经验效果/全文
    resource_types: list[str] = field(default_factory=list)  # ticked: 教材（读本）/视频资源/其他
    video_minutes: float | None = None
    share_consent: bool | None = None  # 是否同意纳入…共享: True/False/None = not answered
    text: str = ""  # all text, for link finding
    hyperlinks: list[str] = field(default_factory=list)


@dataclass
class SealFinding:
    """Whether a red seal was seen on a page, where, and how sure we are."""

    found: bool
    confidence: float = 0.0
    box: tuple[int, int, int, int] | None = None  # x, y, w, h in page pixels
    where: str | None = None  # "unit_opinion" (申报单位意见 cell) or "elsewhere"
    # How the page was stamped, when a seal (or seal-like mark) was seen: "paper-scan" (ink on a
    # scanned or photographed page), "e-seal-image" (a seal picture in an exported PDF),
    # "digital-signature" (a signed PDF signature field), "ofd-seal" (an OFD electronic seal).
    method: str | None = None
    colour: str | None = None  # "red" or "grey" (judged by shape alone) for ink seals


@dataclass
class ScanPage:
    """One page of a stamped scan, as far as OCR and seal detection read it."""

    index: int
    form_kind: str | None = None  # case/project/course/summary/other
    name: str | None = None
    unit: str | None = None
    seal: SealFinding = field(default_factory=lambda: SealFinding(found=False))
    ocr_seconds: float = 0.0
    text: str = ""


@dataclass
class ScanReading:
    """Every page of one scan file; `error` is set when it could not be read."""

    pages: list[ScanPage] = field(default_factory=list)
    error: str | None = None


@dataclass
class Material:
    """One classified attachment with what was read from it."""

    kind: str  # one of MATERIAL_KINDS
    filename: str
    sha256: str
    size: int
    form: ApplicationForm | None = None
    scan: ScanReading | None = None
    unreadable: str | None = None  # why it could not be read, in Chinese
    text: str = ""  # text content (spreadsheets, text-layer PDFs) for links and classification
    hyperlinks: list[str] = field(default_factory=list)
    paired_with: list[str] = field(default_factory=list)  # filenames of the scan/Word twin
    key: str | None = None  # which material of the unit's collection this is a version of (rules.collection)

    @property
    def title(self) -> str | None:
        if self.form:
            return self.form.title
        if self.scan:
            return next((p.name for p in self.scan.pages if p.name), None)
        return None

    @property
    def fields(self) -> dict[str, str]:
        return dict(self.form.fields) if self.form else {}


@dataclass
class Defect:
    """One problem found in a submission, with a stable code and a Chinese message."""

    code: str
    severity: str  # "error" or "warning"
    message: str
    where: str = ""


@dataclass
class Submission:
    """Everything the rules judge: the message, its subject, materials and links."""

    message: MailMessage
    subject: SubjectInfo
    materials: list[Material] = field(default_factory=list)
    links: list[ShareLink] = field(default_factory=list)
    batch: str | None = None
    late_batch: bool = False  # after its batch deadline, filed into the next
    late: bool = False  # after the final deadline
    sent_at: datetime | None = None  # aware; the moment batches and lateness are judged by
    timing_note: str | None = None  # for the coordinator: why sent_at is not the Date header
    unit: str | None = None  # who it is from, resolved from all the evidence (rules.units)
    unit_evidence: list[str] = field(default_factory=list)  # how, in Chinese
    replaces_all: bool = False  # replaces the unit's whole earlier set in its batch (rules.collection)

    def forms(self) -> list[Material]:
        return [m for m in self.materials if m.form is not None]

    def scans(self) -> list[Material]:
        return [m for m in self.materials if m.kind == "scan"]


class UnreadableFile(Exception):
    """Raised by a parser when a file is corrupt, encrypted or unsupported.

    The message is Chinese and addressed to the submitter: what is wrong with
    the file and what to send instead.
    """
