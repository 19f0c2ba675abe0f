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
MATERIAL_KINDS = FORM_KINDS + ("scan", "summary", "stats", "report", "video", "photo", "other")

FORM_TITLES = {
    "case": "典型工作案例申报表",
    "project": "典型教育培训项目申报表",
    "course": "典型课程资源申报表",
}


@dataclass
class Attachment:
    """One file carried by a message, after unpacking archives, winmail.dat and forwarded mails."""

    filename: str
    content_type: str
    data: bytes
    origin: str = "attachment"  # "attachment", "zip:<name>" ("rar:", "7z:", …), "winmail.dat", "forwarded",
    # or "body": a picture pasted into the HTML body, kept as a candidate scan (parsers.pictures)
    problem: str | None = None  # set when the container could not be opened (broken, encrypted, past a limit)


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
    exported: bool = False  # drawn from text (saved from Word/WPS or an e-document system), not a picture of paper


@dataclass
class ScanReading:
    """Every page of one scan file; `error` is set when it could not be read."""

    pages: list[ScanPage] = field(default_factory=list)
    error: str | None = None
    page_count: int = 0  # pages in the file
    unread_pages: int = 0  # of them, past `[limits] max_pages`, not read


@dataclass
class StatsRow:
    """One row of a statistics table: its label, and each figure as written and as a number."""

    row: int  # 1-based row of the sheet or table
    label: str = ""
    raw: dict[str, str] = field(default_factory=dict)  # column name -> the cell's text
    values: dict[str, int | None] = field(default_factory=dict)  # None: not a non-negative integer
    is_total: bool = False  # the 合计 row


@dataclass
class StatsTable:
    """A statistics table found by its header labels, in a workbook or a document table."""

    sheet: str  # sheet name, or 表格N of a document
    columns: list[str]  # the profile's column names found, in the profile's order
    column_letters: dict[str, str] = field(default_factory=dict)  # column name -> "C" (sheet) or "第3列"
    rows: list[StatsRow] = field(default_factory=list)
    period: str | None = None  # "2021年第2季度", from the header
    unit: str | None = None  # 填报单位, from the header
    missing_columns: list[str] = field(default_factory=list)
    sealed: bool = False  # a seal image in the workbook, or an electronic signature in the file
    read_from: str = "workbook"  # "pdf": figures read from the text layer of a PDF sent alone

    def body(self) -> list[StatsRow]:
        return [r for r in self.rows if not r.is_total]

    def total(self) -> StatsRow | None:
        return next((r for r in self.rows if r.is_total), None)


@dataclass
class PhotoInfo:
    format: str  # Pillow's format name, lower case: jpeg, png, gif, bmp, tiff, webp, mpo
    width: int
    height: int
    phash: str  # perceptual hash, hex


@dataclass
class VideoInfo:
    """What ffprobe reads from a video file."""

    container: str = ""  # format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    codec: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    video_kbps: float | None = None
    audio_codec: str | None = None
    audio_hz: int | None = None
    audio_kbps: float | None = None
    audio_channels: int | None = None
    seconds: float | None = None


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
    stats: StatsTable | None = None  # kind "stats": the table read by the profile's columns
    listing: list[str] | None = None  # a 信息汇总表's listed names (kind "summary")
    role: str | None = None  # kind "report": which of the profile's reports it is (总结报告, 优秀案例)
    chars: int | None = None  # kind "report": characters counted (whitespace not counted)
    photo: PhotoInfo | None = None
    video: VideoInfo | None = None
    signed: bool = False  # a PDF/OFD carrying an electronic seal (digital signature)
    pasted: bool = False  # a picture pasted into the body: its name is ours (正文图片1.jpg), not the unit's

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
    profile: str | None = None  # the campaign profile it was judged under; None while held for review
    held: str | None = None  # why it waits for a coordinator instead of an answer (a sender off the unit's allowlist)

    def forms(self) -> list[Material]:
        return [m for m in self.materials if m.form is not None]

    def scans(self) -> list[Material]:
        return [m for m in self.materials if m.kind == "scan"]


class UnreadableFile(Exception):
    """Raised by a parser when a file is corrupt, encrypted or unsupported.

    The message is Chinese and addressed to the submitter: what is wrong with
    the file and what to send instead.
    """


class ReadingFailed(RuntimeError):
    """Our reader failed (a bug, a missing or broken program, a time limit of ours): never the file's fault.

    The pipeline files the mail as an error for the coordinator and tells the
    submitter nothing; `intake reprocess` reads it again once it is fixed.
    The message is Chinese, for the coordinator.
    """


class ConversionFailed(ReadingFailed):
    """Our converter (LibreOffice) is missing, hung or crashed: an internal failure, not the file's.

    It is never turned into a defect notice: the pipeline files the mail as an
    error for the coordinator, who re-runs it once the converter works. The
    message is Chinese, for the coordinator.
    """
