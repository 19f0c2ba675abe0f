"""How much one message may cost to read: file sizes and counts, pages, pixels, OCR and wall time.

The collection address is published in official notices, so sooner or later
it receives a 3,000-page PDF, a 40,000 × 40,000-pixel PNG or a message that
would keep the service reading for an hour. The limits come from `[limits]`
in the configuration (the `[archives]` table bounds unpacking separately).

A limit on what was *sent* (too large, too many files, too many pixels, a
file that exhausts a reading worker's memory, `worker_memory_mb`) is
the file's: the submitter is told in words, and the rest of the message is
still judged. A limit on what reading *costs* (OCR time, the time budget of a
message) is ours: `OverBudget` is an internal failure, filed as an error for
the coordinator, never a notice to the unit.

The budget of the message being read lives in a context variable that the
pipeline sets around its reading steps, so that a parser deep below can
check it without every call passing it down; worker processes get the
limits with their task (`use`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields

from parsers.facts import Attachment, ReadingFailed, UnreadableFile


# A reading worker's address space is about 550 MB before it reads anything: a
# limit below this floor would refuse every PDF and OFD as the unit's fault.
WORKER_MEMORY_FLOOR_MB = 1024


@dataclass(frozen=True)
class ReadingLimits:
    """`[limits]`: every value a positive whole number."""

    max_message_mb: int = 200  # the whole raw message; past it no attachment is read
    max_attachment_mb: int = 100  # one file, as sent or unpacked from an archive
    max_attachments: int = 100  # files attached to the mail itself (archive members: [archives])
    max_pages: int = 50  # pages of one PDF, OFD or TIFF that are read; the rest are left unread
    max_image_megapixels: int = 150  # one picture or rendered page
    worker_memory_mb: int = 1536  # address space of a worker reading PDFs/OFDs/scans; past it the file is refused
    ocr_page_seconds: int = 60  # one Tesseract call
    ocr_message_seconds: int = 900  # all scan pages of one message
    message_seconds: int = 1800  # reading and judging one message, wall time

    @classmethod
    def keys(cls) -> list[str]:
        return [f.name for f in fields(cls)]


class OverBudget(ReadingFailed):
    """Reading one message took longer than its budget: ours to look at, not the submitter's."""


class _Budget:
    def __init__(self, limits: ReadingLimits):
        self.limits = limits
        self.started = time.monotonic()
        self.ocr_spent = 0.0


_current: ContextVar[_Budget | None] = ContextVar("reading_budget", default=None)


@contextmanager
def reading(limits: ReadingLimits) -> Iterator[None]:
    """The budget of one message, for everything read inside the block."""
    token = _current.set(_Budget(limits))
    try:
        yield
    finally:
        _current.reset(token)


def use(limits: ReadingLimits) -> None:
    """In a worker process: read under these limits (the parent keeps the time budget and checks it)."""
    _current.set(_Budget(limits))


def current() -> ReadingLimits:
    budget = _current.get()
    return budget.limits if budget else ReadingLimits()


def check() -> None:
    """Raise `OverBudget` once the message has had its time."""
    budget = _current.get()
    if budget and time.monotonic() - budget.started > budget.limits.message_seconds:
        raise OverBudget(f"读取这封邮件的附件超过 {budget.limits.message_seconds} 秒仍未完成（[limits] message_seconds）")


def charge_ocr(seconds: float) -> None:
    """Count the time spent reading scan pages; raise `OverBudget` past the message's OCR allowance."""
    budget = _current.get()
    if budget is None:
        return
    budget.ocr_spent += seconds
    if budget.ocr_spent > budget.limits.ocr_message_seconds:
        raise OverBudget(f"识别扫描件文字累计超过 {budget.limits.ocr_message_seconds} 秒"
                         "（[limits] ocr_message_seconds），其余页面未读")
    check()


def limit_files(attachments: list[Attachment], limits: ReadingLimits, message_size: int = 0) -> None:
    """Mark the files past a size or count limit as unreadable, with the reason in words, and drop their bytes."""
    attached = 0
    message_mb = message_size / 1024 / 1024
    for att in attachments:
        if att.problem:
            continue
        attached += att.origin == "attachment"
        size_mb = len(att.data) / 1024 / 1024
        if message_mb > limits.max_message_mb:
            att.problem = (f"整封邮件约 {message_mb:.0f} MB，超过系统可审阅的 {limits.max_message_mb} MB，附件均未审阅。"
                           "请把材料分几封邮件发送，视频等大文件请上传百度网盘，在邮件中附上链接和提取码。")
        elif size_mb > limits.max_attachment_mb:
            att.problem = (f"文件大小约 {size_mb:.0f} MB，超过系统可审阅的 {limits.max_attachment_mb} MB。"
                           "视频等大文件请上传百度网盘，在邮件中附上链接和提取码。")
        elif att.origin == "attachment" and attached > limits.max_attachments:
            att.problem = (f"这封邮件的附件超过 {limits.max_attachments} 个，系统只审阅了前 {limits.max_attachments} 个。"
                           "请把其余材料另发一封邮件，或压缩后发送。")
        if att.problem:
            att.data = b""


def check_pixels(width: float, height: float, what: str) -> None:
    """Refuse a picture or page that would take more pixels than allowed (a decompression bomb, or a poster)."""
    if width * height / 1_000_000 > current().max_image_megapixels:
        raise too_many_pixels(what, f"{width:.0f}×{height:.0f} 像素（约 {width * height / 1_000_000:.0f} 百万像素）")


def too_many_pixels(what: str, size: str = "") -> UnreadableFile:
    """The reason for a picture too large to decode; `size` in words when known (Pillow's own guard tells none)."""
    allowed = current().max_image_megapixels
    said = f"的尺寸为 {size}，" if size else "的像素过多，"
    return UnreadableFile(f"{what}{said}超过系统可审阅的 {allowed} 百万像素。请以正常分辨率（如 300 dpi）重新扫描或导出后发送。")
