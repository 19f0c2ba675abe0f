"""Photos and videos against the notice's technical limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

from parsers.facts import Defect, Material, Submission, VideoInfo
from parsers.media import same_photo
from rules.campaign import Campaign
from rules.profile import PhotoSpec, ReportSpec, VideoSpec

FORMAT_NAMES = {"jpeg": "JPG", "mpo": "JPG", "png": "PNG", "gif": "GIF", "bmp": "BMP", "tiff": "TIFF",
                "webp": "WEBP", "heic": "HEIC", "heif": "HEIC"}


def _photo_spec(campaign: Campaign) -> tuple[ReportSpec, PhotoSpec] | None:
    return next(((r, r.photos) for r in campaign.reports if r.photos is not None), None)


def _photos(sub: Submission) -> list[Material]:
    return [m for m in sub.materials if m.kind == "photo"]


def _format(m: Material) -> str:
    if m.photo is not None:
        return "jpeg" if m.photo.format == "mpo" else m.photo.format
    return PurePath(m.filename).suffix.lower().lstrip(".").replace("jpg", "jpeg")


def check_photo_count(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    found = _photo_spec(campaign)
    if found is None or not sub.materials:
        return
    report, spec = found
    photos = _photos(sub)
    with_report = any(m.kind == "report" and m.role == report.name for m in sub.materials)
    if not photos and not with_report:
        return  # the case and its photos may come in another mail; REPORT_MISSING speaks for the case
    if len(photos) < spec.min_count:
        yield Defect("PHOTO_COUNT", "error",
                     f"{report.name}需附不少于 {spec.min_count} 张照片，本邮件收到 {len(photos)} 张。"
                     f"请补充照片（原图，作为附件发送）后重新发送。", "照片")


def check_photo_format(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    found = _photo_spec(campaign)
    if found is None or not found[1].formats:
        return
    allowed = found[1].formats
    shown = "、".join(dict.fromkeys(FORMAT_NAMES.get(f, f.upper()) for f in allowed))
    for m in _photos(sub):
        fmt = _format(m)
        if fmt not in allowed:
            yield Defect("PHOTO_FORMAT", "error",
                         f"照片《{m.filename}》为 {FORMAT_NAMES.get(fmt, fmt.upper() or '未知')} 格式，"
                         f"通知要求为 {shown} 格式，请转换后重新发送。", m.filename)


def check_photo_size(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    found = _photo_spec(campaign)
    if found is None or not found[1].min_bytes:
        return
    limit = found[1].min_bytes
    for m in _photos(sub):
        if m.size < limit:
            yield Defect("PHOTO_TOO_SMALL", "error",
                         f"照片《{m.filename}》大小为 {_mb(m.size)}，通知要求每张不小于 {_mb(limit)}。"
                         "请发送相机或手机拍摄的原图（不要压缩或截图）。", m.filename)


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} KB"


def check_photo_duplicate(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """The same picture twice, even resized or re-compressed, is one photo."""
    found = _photo_spec(campaign)
    if found is None or not found[1].unique:
        return
    seen: list[Material] = []
    for m in _photos(sub):
        if m.photo is None:
            continue
        twin = next((s for s in seen if same_photo(s.photo, m.photo)), None)
        if twin is not None:
            yield Defect("PHOTO_DUPLICATE", "error",
                         f"照片《{m.filename}》与《{twin.filename}》是同一张照片，请换成另一张不同的照片。", m.filename)
        else:
            seen.append(m)


def check_video_spec(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """Attached videos against the notice's specs; a video sent only as a link is not checkable here."""
    if campaign.video is None:
        return
    for m in sub.materials:
        if m.kind == "video" and m.video is not None:
            differences = video_differences(m.filename, m.video, campaign.video)
            if differences:
                yield Defect("VIDEO_SPEC", "error",
                             f"视频《{m.filename}》不符合技术要求：{'；'.join(differences)}。请按要求重新导出后发送。",
                             m.filename)


def video_differences(filename: str, v: VideoInfo, spec: VideoSpec) -> list[str]:
    """What differs from the spec, in words: 分辨率 1280×720 低于要求的 1920×1080."""
    out = []
    low = 1 - spec.tolerance
    if spec.container and (spec.container not in v.container.split(",")
                           or PurePath(filename).suffix.lower().lstrip(".") not in (spec.container, "m4v")):
        out.append(f"格式为 {PurePath(filename).suffix.lstrip('.').upper() or v.container}，要求为 {spec.container.upper()}")
    if spec.codec and v.codec != spec.codec:
        out.append(f"视频编码为 {(v.codec or '未知').upper()}，要求为 {spec.codec.upper().replace('H264', 'H.264')}")
    if spec.min_width and spec.min_height and v.width and v.height and (
            v.width < spec.min_width or v.height < spec.min_height):
        out.append(f"分辨率 {v.width}×{v.height} 低于要求的 {spec.min_width}×{spec.min_height}")
    if spec.fps and v.fps and abs(v.fps - spec.fps) > 0.5:
        out.append(f"帧率 {v.fps:.2f} 帧/秒，要求为 {spec.fps:g} 帧/秒")
    if spec.video_kbps and v.video_kbps and v.video_kbps < spec.video_kbps * low:
        out.append(f"视频码率约 {v.video_kbps / 1000:.1f} Mbps，低于要求的约 {spec.video_kbps / 1000:g} Mbps")
    if spec.audio_hz or spec.audio_kbps or spec.audio_channels:
        if v.audio_codec is None:
            out.append("没有声音（音轨）")
            return out
    if spec.audio_hz and v.audio_hz and v.audio_hz != spec.audio_hz:
        out.append(f"音频采样率 {v.audio_hz / 1000:g} kHz，要求为 {spec.audio_hz / 1000:g} kHz")
    if spec.audio_kbps and v.audio_kbps and v.audio_kbps < spec.audio_kbps * low:
        out.append(f"音频码率约 {v.audio_kbps:.0f} kbps，低于要求的 {spec.audio_kbps} kbps")
    if spec.audio_channels and v.audio_channels and v.audio_channels != spec.audio_channels:
        out.append(f"声道数为 {v.audio_channels}，要求为{'立体声（双声道）' if spec.audio_channels == 2 else str(spec.audio_channels)}")
    return out
