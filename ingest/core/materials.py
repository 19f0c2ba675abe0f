"""What a profile asks of the attachments beyond classification: statistics tables, reports, photos, videos.

`ingest.core.classify` decides what each file is in general; this module reads
what the active profile needs from it — the statistics table by the
profile's column labels, which report a document is, a photo's hash, a
video's specs — once per attachment, and marks the material accordingly.
"""

from __future__ import annotations

from pathlib import PurePath

from parsers.facts import FORM_KINDS, Attachment, Material, StatsTable, UnreadableFile
from parsers.media import read_photo, read_video
from parsers.scan_source import electronic_signature
from parsers.sniff import content_extension
from parsers.stats import Grid, read_grids, read_listing, read_stats
from parsers.stats_pdf import read_pdf_stats
from parsers.word import count_chars
from rules.campaign import Campaign
from rules.profile import ReportSpec, StatsSpec

GRID_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".et", ".csv", ".docx", ".docm", ".dotx"}
DOCUMENT_EXTENSIONS = {".docx", ".docm", ".doc", ".wps", ".rtf", ".pdf", ".txt", ".ofd", ".dotx"}
HEADING_CHARS = 120  # a report is also recognised by its title at the top


class AttachmentReader:
    """The grids of each attachment, read at most once whatever how many profiles ask."""

    def __init__(self, attachments: list[Attachment]):
        self.attachments = attachments
        self._grids: dict[int, list[Grid]] = {}

    def grids(self, index: int) -> list[Grid]:
        if index not in self._grids:
            att = self.attachments[index]
            try:
                self._grids[index] = (read_grids(att.data, att.filename)
                                      if _ext(att.filename) in GRID_EXTENSIONS else [])
            except UnreadableFile:
                self._grids[index] = []
        return self._grids[index]


def _ext(filename: str) -> str:
    return PurePath(filename).suffix.lower()


def _wanted(spec: StatsSpec) -> tuple[dict[str, list[str]], tuple[str, list[str]] | None]:
    columns = {c.name: c.spellings() for c in spec.columns}
    label = (spec.label_column, [spec.label_column, *spec.label_spellings]) if spec.label_column else None
    return columns, label


def stats_table(reader: AttachmentReader, index: int, spec: StatsSpec) -> StatsTable | None:
    return read_stats(reader.grids(index), *_wanted(spec))


def pdf_stats_table(materials: list[Material], attachments: list[Attachment], spec: StatsSpec) -> None:
    """The table's figures from a PDF of it (a text layer, printed and sealed), when no workbook carries them.

    A workbook beside the PDF stays the table judged and the PDF its sealed
    copy only (one cause, one defect); of several PDFs, the first read. A
    PDF is a candidate when its name or text names the table and it is not a
    scanned form; one that cannot be read with confidence stays a copy of the
    table whose figures are not read, as before.
    """
    if any(m.stats is not None for m in materials):
        return
    words = [w for w in (*spec.name_words, spec.title) if w]
    for m, att in zip(materials, attachments):
        scanned_form = m.scan is not None and any(p.form_kind in FORM_KINDS for p in m.scan.pages)
        if (m.unreadable or m.form is not None or scanned_form or m.kind not in ("other", "summary", "scan")
                or content_extension(att.data, att.filename) != ".pdf"):
            continue
        heading = "".join(m.text.split())[:HEADING_CHARS]
        if not any(w in att.filename or w in heading for w in words):
            continue
        table = read_pdf_stats(att.filename, att.data, *_wanted(spec))
        if table is not None:
            table.sealed = m.signed or (m.scan is not None and any(p.seal.found for p in m.scan.pages))
            m.kind, m.stats = "stats", table
            return


def report_role(material: Material, reports: list[ReportSpec]) -> ReportSpec | None:
    """Which of the profile's reports a document is: by its file name, else by its heading."""
    if material.form is not None or _ext(material.filename) not in DOCUMENT_EXTENSIONS:
        return None
    stem = PurePath(material.filename).stem
    heading = "".join(material.text.split())[:HEADING_CHARS]
    for place in (stem, heading):
        for spec in reports:
            if any(word in place for word in spec.name_words):
                return spec
    return None


def enrich(materials: list[Material], reader: AttachmentReader, campaign: Campaign) -> None:
    """Mark each material with what `campaign` needs read from it (in place)."""
    photos_wanted = any(r.photos is not None for r in campaign.reports)
    for index, (m, att) in enumerate(zip(materials, reader.attachments)):
        if m.unreadable:
            continue
        try:
            _enrich_one(m, att, index, reader, campaign, photos_wanted)
        except UnreadableFile as exc:
            m.unreadable = str(exc)
    if campaign.stats is not None:
        pdf_stats_table(materials, reader.attachments, campaign.stats)


def _enrich_one(m: Material, att: Attachment, index: int, reader: AttachmentReader, campaign: Campaign,
                photos_wanted: bool) -> None:
    ext = _ext(att.filename)
    if ext in (".pdf", ".ofd"):
        m.signed = electronic_signature(att.filename, att.data)
    if m.kind == "photo" and photos_wanted:
        try:
            m.photo = read_photo(att.data)
        except UnreadableFile:
            if ext not in (".heic", ".heif", ".webp", ".tif", ".tiff"):
                raise  # a format Pillow reads, but broken: unreadable; the others are judged by PHOTO_FORMAT
        return
    if m.kind == "video" and campaign.video is not None:
        m.video = read_video(att.data, att.filename)
        return
    if campaign.stats is not None and m.form is None and m.kind in ("other", "summary"):
        table = stats_table(reader, index, campaign.stats)
        if table is not None:
            m.kind, m.stats = "stats", table
            return
    if m.kind == "summary" and m.form is None:
        m.listing = read_listing(reader.grids(index))
    if campaign.reports and m.kind in ("other", "summary"):
        spec = report_role(m, campaign.reports)
        if spec is not None:
            m.kind, m.role, m.chars = "report", spec.name, count_chars(m.text)
