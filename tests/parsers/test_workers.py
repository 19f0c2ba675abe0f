"""Scans are read in worker processes under a memory limit: a bomb costs a worker and is the file's, named.

Real worker processes from the fork server, a real RLIMIT_AS and a real
picture that needs more memory than the limit; a worker that dies is really
killed (``os._exit``), not simulated.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

from parsers import limits, workers
from parsers.limits import ReadingLimits
from tests.support.photos import png_bomb
from parsers.scan import read_scans


def _address_space_mb(_task) -> int:
    """VmSize of the worker running this: what the readers take before reading anything."""
    line = next(line for line in open("/proc/self/status") if line.startswith("VmSize:"))
    return int(line.split()[1]) // 1024


def test_a_picture_that_exhausts_the_workers_memory_is_refused_naming_it_and_the_others_are_read():
    """144 megapixels is within [limits] max_image_megapixels, so only the memory limit stops it."""
    baseline = workers.alone(_address_space_mb, None)
    small = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(small, "PNG")
    with limits.reading(ReadingLimits(worker_memory_mb=baseline + 150)):
        bomb, plain = read_scans([("西湖区+盖章扫描件.png", png_bomb(12_000, 12_000)), ("照片.png", small.getvalue())])
    assert bomb.pages == [] and "《西湖区+盖章扫描件.png》" in bomb.error
    assert f"超过系统上限（{baseline + 150} MB）" in bomb.error
    assert plain.error is None and len(plain.pages) == 1


def _die_on_marked(task: tuple[str, str]) -> str:
    """Kill the worker outright for a task named "bomb"; a task named "once" dies the first time only."""
    name, marker = task
    if name == "bomb" or (name == "once" and not os.path.exists(marker)):
        Path(marker).touch()
        os._exit(9)
    return f"{name} {os.getpid()}"


def test_a_task_that_kills_its_worker_twice_is_reported_dead_and_the_tasks_it_took_down_come_back(tmp_path):
    tasks = [("bomb", str(tmp_path / "b")), ("页1", str(tmp_path / "1")), ("页2", str(tmp_path / "2"))]
    results = workers.run(_die_on_marked, tasks, 1)  # one worker: 页1 and 页2 wait behind the bomb and die with it
    assert results[0] is workers.DIED
    assert [r.split()[0] for r in results[1:]] == ["页1", "页2"]
    assert str(os.getpid()) not in " ".join(results[1:]), "read in workers, not here"


def test_a_worker_that_died_once_is_not_the_files_fault_its_task_is_read_on_the_retry(tmp_path):
    [result] = workers.run(_die_on_marked, [("once", str(tmp_path / "marker"))], 1)
    assert (tmp_path / "marker").exists() and result.startswith("once ")


def test_after_a_task_of_a_file_killed_its_worker_alone_the_files_later_tasks_are_not_tried(tmp_path):
    tasks = [("bomb", str(tmp_path / "1")), ("once", str(tmp_path / "2")), ("页", str(tmp_path / "3"))]
    results = workers.run(_die_on_marked, tasks, 1, group=lambda task: "same file")
    assert results == [workers.DIED] * 3
    assert not (tmp_path / "2").exists(), "the file's second task never ran"


def test_a_picture_within_the_pixel_limit_is_read_within_the_default_worker_memory():
    """108 megapixels (a phone's full-resolution mode) turned to RGB and straightened at full size needed
    more than 1.5 GB; reduced to twice the work size first, it fits."""
    small = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(small, "PNG")
    with limits.reading(ReadingLimits()):
        big, _ = read_scans([("活动照片.png", png_bomb(10_400, 10_400)), ("照片.png", small.getvalue())])
    assert big.error is None and len(big.pages) == 1
