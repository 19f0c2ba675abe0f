"""Photos and videos for the profiles that ask for them: camera-sized JPEGs of an activity, a re-compressed
copy (the same photo twice), and MP4 files made by ffmpeg at the resolution a test needs."""

from __future__ import annotations

import io
import random
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ingest.samples.paper import font


def activity_photo(seed: int, size: tuple[int, int] = (3000, 2000), quality: int = 95) -> bytes:
    """A classroom-like scene (wall, desks, people as shapes, a banner) with sensor noise, as a camera JPEG."""
    rng = random.Random(seed)
    w, h = size
    image = Image.new("RGB", size, tuple(rng.randint(150, 230) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, int(h * 0.62), w, h], fill=tuple(rng.randint(80, 160) for _ in range(3)))
    for _ in range(rng.randint(6, 12)):  # people
        x, y = rng.randint(0, w - 300), rng.randint(int(h * 0.35), int(h * 0.7))
        colour = tuple(rng.randint(20, 240) for _ in range(3))
        draw.ellipse([x + 90, y - 140, x + 210, y - 20], fill=(230, 190, 160))
        draw.rounded_rectangle([x + 40, y, x + 260, y + 420], radius=60, fill=colour)
    draw.rectangle([int(w * 0.15), int(h * 0.06), int(w * 0.85), int(h * 0.18)], fill=(190, 20, 30))
    banner = ["智慧助老 银龄触网", "手机课堂进社区", "智能技术助老行"][seed % 3]
    draw.text((int(w * 0.2), int(h * 0.08)), banner, font=font(int(h * 0.07), bold=True), fill=(255, 230, 120))
    pixels = np.asarray(image, dtype=np.int16)
    noise = np.random.default_rng(seed).normal(0, 14, pixels.shape).astype(np.int16)
    image = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def recompressed(photo: bytes, scale: float = 0.5, quality: int = 70) -> bytes:
    """The same photo after a chat app: resized and saved again at a lower quality."""
    with Image.open(io.BytesIO(photo)) as image:
        small = image.resize((int(image.width * scale), int(image.height * scale)))
    out = io.BytesIO()
    small.save(out, "JPEG", quality=quality)
    return out.getvalue()


def mp4_video(width: int, height: int, seconds: float = 2.0, fps: int = 25, video_kbps: int = 3500,
              audio_hz: int = 48000, audio_kbps: int = 128, channels: int = 2) -> bytes:
    """An H.264/AAC MP4 made by ffmpeg from its test pattern and a tone."""
    with tempfile.TemporaryDirectory(prefix="intake-mp4-") as tmp:
        target = Path(tmp) / "course.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}",
                        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate={audio_hz}", "-t", str(seconds),
                        "-c:v", "libx264", "-preset", "ultrafast", "-b:v", f"{video_kbps}k", "-minrate",
                        f"{video_kbps}k", "-maxrate", f"{video_kbps}k", "-bufsize", f"{video_kbps}k",
                        "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", f"{audio_kbps}k", "-ac", str(channels),
                        "-movflags", "+faststart", str(target)], check=True, capture_output=True, timeout=180)
        return target.read_bytes()
