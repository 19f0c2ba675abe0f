"""Worker processes for the files strangers send that can cost far more to read than they weigh.

PDF and OFD scans are opened, drawn and read by OCR here, never in the
service: a few hundred bytes of a hostile file can claim gigabytes, and
however carefully each expansion is bounded, the next library bug must cost
one worker, not the service. Each worker runs with its address space capped
(`[limits] worker_memory_mb`, RLIMIT_AS); past it an allocation fails with
MemoryError (or the worker dies in native code) instead of the machine
swapping or the OOM killer choosing the service.

Who is at fault: a worker that runs out of memory or dies while reading a
file is retried once, alone, in a fresh worker; when it dies again the file
itself is the cause (a bomb), and the unit is told in words that the file is
damaged or past the limits (`over_memory`). A worker that only died beside
another file's bomb reads its file on the retry. A missing program or a bug
of ours stays ours (`ReadingFailed`, an error for the coordinator).

Workers come from a fork server (forking a process with pdfium loaded is
unsafe) that has the readers preloaded, so starting a pool costs
milliseconds.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import tempfile
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from parsers import limits
from parsers.facts import UnreadableFile

MB = 1024 * 1024
DIED = object()  # what `run` gives back for a task whose worker died, and died again alone


def pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes from the fork server, each under the memory limit of the message being read."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["parsers.scan"])
    memory = limits.current().worker_memory_mb
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(memory,))


def _init_worker(memory_mb: int) -> None:
    """One thread per worker (the workers already fill the cores); the address space capped."""
    import cv2

    cv2.setNumThreads(1)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def over_memory(what: str) -> UnreadableFile:
    """The reason for a file whose reading ran out of the worker's memory: past the limits, in words."""
    return UnreadableFile(f"{what}读取时所需的内存超过系统上限（{limits.current().worker_memory_mb} MB），"
                          "文件可能已损坏或含有异常内容，系统无法审阅。请重新导出或扫描后发送（如另存为 PDF）。")


def run(fn: Callable, tasks: Sequence, workers: int, on_result: Callable = lambda r: r,
        group: Callable[[object], Hashable] = id) -> list:
    """``fn`` over ``tasks`` in worker processes, results in task order; ``on_result`` sees each as it comes.

    A task whose worker died (taking the pool with it) is run again alone in
    a fresh worker; if that one dies too, its result is DIED, for the caller
    to blame on the file, and the later tasks of its ``group`` (the file's
    other pages) are DIED without being tried. Exceptions raised by ``fn`` or
    ``on_result`` propagate; tasks not begun are dropped then.
    """
    results: list = [DIED] * len(tasks)
    died = []
    executor = pool(max(1, min(workers, len(tasks))))
    try:
        futures = [executor.submit(fn, task) for task in tasks]
        for i, future in enumerate(futures):
            try:
                results[i] = on_result(future.result())
            except BrokenProcessPool:
                died.append(i)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    blamed: set = set()
    for i in died:
        if group(tasks[i]) not in blamed:
            results[i] = alone(fn, tasks[i])
            if results[i] is DIED:
                blamed.add(group(tasks[i]))
            else:
                results[i] = on_result(results[i])
    return results


def alone(fn: Callable, task) -> object:
    """``fn(task)`` in a fresh worker of its own: its result, or DIED if the worker died."""
    executor = pool(1)
    try:
        return executor.submit(fn, task).result()
    except BrokenProcessPool:
        return DIED
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def spool(data: bytes, suffix: str) -> str:
    """The file's bytes in a temporary file for the workers to open (the caller removes it)."""
    fd, path = tempfile.mkstemp(suffix=suffix, prefix="scan-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path
