"""Photos by perceptual hash, videos by ffprobe."""

from __future__ import annotations

from ingest.samples.media import activity_photo, mp4_video, recompressed
from parsers.media import read_photo, read_video, same_photo


def test_a_resized_recompressed_copy_is_the_same_photo_and_another_scene_is_not():
    original = activity_photo(1)
    copy = recompressed(original)
    assert len(copy) < len(original) / 5
    a, b, other = read_photo(original), read_photo(copy), read_photo(activity_photo(2))
    assert (a.format, a.width, a.height) == ("jpeg", 3000, 2000) and (b.width, b.height) == (1500, 1000)
    assert same_photo(a, b)
    assert not same_photo(a, other)


def test_ffprobe_reads_container_codecs_resolution_rates_and_audio_of_an_mp4():
    info = read_video(mp4_video(1280, 720, video_kbps=3500), "课程.mp4")
    assert "mp4" in info.container.split(",")
    assert (info.codec, info.width, info.height, round(info.fps)) == ("h264", 1280, 720, 25)
    assert (info.audio_codec, info.audio_hz, info.audio_channels) == ("aac", 48000, 2)
    assert 100 <= info.audio_kbps <= 140 and info.video_kbps > 2000
