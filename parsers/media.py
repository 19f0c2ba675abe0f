"""Photos and videos: what a notice's technical limits are judged on.

Photos: format, pixel size and a perceptual hash (`imagehash`), so a resized
or re-compressed copy of the same picture is recognised as the same photo.
Videos: container, codecs, resolution, frame rate and bit rates from
`ffprobe` (Debian package ffmpeg). A missing ffprobe is our failure, not
the submitter's: it raises FileNotFoundError, never UnreadableFile.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

from parsers.facts import PhotoInfo, UnreadableFile, VideoInfo
from parsers.limits import check_pixels, too_many_pixels

FFPROBE_SECONDS = 60
SAME_PHOTO = 6  # Hamming distance of 64-bit pHashes up to which two photos are one (a re-compressed copy: 0–4)


def read_photo(data: bytes) -> PhotoInfo:
    """Format, size and perceptual hash of a picture.

    The size is read from the header and checked before any pixel is
    decoded; a JPEG is decoded at reduced size, which is all the hash needs.
    """
    import imagehash
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = (image.format or "").lower(), image.size
            check_pixels(width, height, "图片")
            image.draft("RGB", (512, 512))
            return PhotoInfo(format=fmt, width=width, height=height,
                             phash=str(imagehash.phash(image.convert("RGB"))))
    except Image.DecompressionBombError as exc:
        raise too_many_pixels("图片") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise UnreadableFile("图片文件已损坏或格式无法识别，请重新导出为 JPG 或 PNG 后发送。") from exc


def same_photo(a: PhotoInfo, b: PhotoInfo) -> bool:
    import imagehash

    return imagehash.hex_to_hash(a.phash) - imagehash.hex_to_hash(b.phash) <= SAME_PHOTO


def read_video(data: bytes, filename: str) -> VideoInfo:
    """What ffprobe says of a video file."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        raise FileNotFoundError("未安装 ffprobe（Debian 软件包 ffmpeg），无法检查视频")
    with tempfile.TemporaryDirectory(prefix="intake-video-") as tmp:
        path = Path(tmp) / ("video" + (Path(filename).suffix.lower() or ".bin"))
        path.write_bytes(data)
        done = subprocess.run([ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                               str(path)], capture_output=True, timeout=FFPROBE_SECONDS)
    if done.returncode != 0:
        raise UnreadableFile("视频文件已损坏或格式无法识别，无法播放，请重新导出后发送。")
    return video_info(json.loads(done.stdout or b"{}"))


def video_info(probe: dict) -> VideoInfo:
    """ffprobe's JSON as the facts the rules read."""
    streams = probe.get("streams", [])
    fmt = probe.get("format", {})
    video = next((s for s in streams if s.get("codec_type") == "video" and not _is_cover(s)), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    info = VideoInfo(container=fmt.get("format_name", ""), seconds=_float(fmt.get("duration")))
    if video:
        info.codec = video.get("codec_name")
        info.width, info.height = video.get("width"), video.get("height")
        info.fps = _rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate"))
        info.video_kbps = _kbps(video.get("bit_rate"))
        if info.video_kbps is None:  # some muxers only give the whole file's rate
            total, sound = _kbps(fmt.get("bit_rate")), _kbps(audio.get("bit_rate")) if audio else 0
            info.video_kbps = total - (sound or 0) if total else None
    if audio:
        info.audio_codec = audio.get("codec_name")
        info.audio_hz = int(audio["sample_rate"]) if audio.get("sample_rate") else None
        info.audio_kbps = _kbps(audio.get("bit_rate"))
        info.audio_channels = audio.get("channels")
    return info


def _is_cover(stream: dict) -> bool:
    return bool(stream.get("disposition", {}).get("attached_pic"))


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _rate(value) -> float | None:
    try:
        rate = Fraction(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return float(rate) if rate else None


def _kbps(value) -> float | None:
    number = _float(value)
    return number / 1000 if number else None
