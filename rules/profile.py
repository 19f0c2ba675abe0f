"""What a notice asks for beyond the application forms, as plain data.

A campaign profile (`ingest/profiles/*.toml`) fills these; the rules read
their limits from them and never name a notice. A part a notice does not ask
for is None, and the rules about it stay silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StatsColumn:
    """One figure column of a statistics table: its name and the header texts that mean it."""

    name: str
    labels: list[str] = field(default_factory=list)  # other spellings; the name itself always counts

    def spellings(self) -> list[str]:
        return [self.name, *self.labels]


@dataclass
class StatsSpec:
    """The notice's statistics table (台州 进展情况统计表, 普陀 统计表)."""

    title: str  # as the notice names it, for messages
    columns: list[StatsColumn]
    label_column: str | None = None  # the text column naming each row (提供服务的单位)
    label_spellings: list[str] = field(default_factory=list)
    total_row: bool = False  # a 合计 row is required and checked
    required: bool = True
    seal: str | None = None  # "electronic": a sealed PDF/OFD or a seal image in the workbook
    not_above: list[tuple[str, str]] = field(default_factory=list)  # (a, b): a ≤ b in every row
    name_words: list[str] = field(default_factory=lambda: ["统计表"])  # how a sealed copy is named


@dataclass
class PhotoSpec:
    min_count: int = 0
    min_bytes: int = 0
    formats: list[str] = field(default_factory=list)  # "jpeg", "png", "gif", "bmp" (Pillow's names, lower case)
    unique: bool = True


@dataclass
class ReportSpec:
    """A report or case the notice asks for as free text (总结报告, 年度工作总结, 优秀案例)."""

    name: str
    name_words: list[str]  # words of its file name or heading that make a document this report
    max_chars: int | None = None
    required: bool = True
    max_count: int | None = None
    photos: PhotoSpec | None = None  # photos that go with it (普陀 优秀案例: ≥5)


@dataclass
class VideoSpec:
    """Technical requirements of attached course videos (ffprobe's words)."""

    container: str | None = None  # "mp4"
    codec: str | None = None  # "h264"
    min_width: int | None = None
    min_height: int | None = None
    fps: float | None = None
    video_kbps: int | None = None  # "about": within `tolerance` of it
    audio_hz: int | None = None
    audio_kbps: int | None = None
    audio_channels: int | None = None
    tolerance: float = 0.2


@dataclass
class Routing:
    """How a message is recognised as this profile's when several are active."""

    subject_words: list[str] = field(default_factory=list)
    form_words: list[str] = field(default_factory=list)  # words in a form's text that only this notice's forms carry
    form_kinds: list[str] = field(default_factory=list)  # forms this notice asks for
