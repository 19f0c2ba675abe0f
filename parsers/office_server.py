"""LibreOffice kept warm: one conversion server per process instead of one soffice start per file.

Starting soffice costs seconds; a warm instance converts a form in a fraction
of that. The server is parsers/office_helper.py run by a Python that has
LibreOffice's `uno` module (Debian's python3-uno, i.e. /usr/bin/python3),
talking JSON lines over a pipe. It is started lazily on the first old-format
document, serves one conversion at a time (a lock makes it thread-safe), is
killed and restarted when a conversion hangs past its timeout or the server
dies, and is shut down at exit. When it cannot start at all, callers fall back
to the cold per-file path (`OfficeUnavailable`).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

HELPER = Path(__file__).with_name("office_helper.py")
UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python")
START_TIMEOUT = 120.0


class OfficeUnavailable(RuntimeError):
    """The warm server cannot be started here (no soffice, no Python with uno)."""


class OfficeFailed(RuntimeError):
    """The server hung or died on a conversion: our failure, not the file's."""

    def __init__(self, message: str, died: bool = False):
        super().__init__(message)
        self.died = died


class FileRefused(ValueError):
    """LibreOffice could not load the file, or not store it as asked: the file's failure."""


def _uno_python() -> str | None:
    wanted = os.environ.get("INTAKE_UNO_PYTHON")
    for candidate in ((wanted,) if wanted else UNO_PYTHONS):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


class OfficeServer:
    """A warm soffice behind office_helper.py; `convert` is safe to call from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._buffer = b""
        self._home = Path(tempfile.mkdtemp(prefix="intake-office-"))  # the profile survives restarts
        self._starts = 0
        self.broken: str | None = None  # why it cannot start; set once, then callers go cold

    @property
    def starts(self) -> int:
        """How many times a server was started (restarts included), for tests and the bench."""
        return self._starts

    def convert(self, source: Path, target: Path, filter_name: str, timeout: float, password: str = "") -> None:
        """Write `target` from `source` (encrypted with `password` if given); FileRefused, OfficeFailed
        or OfficeUnavailable otherwise."""
        request = {"src": str(source), "dst": str(target), "filter": filter_name, "password": password}
        with self._lock:
            try:
                answer = self._request(request, timeout)
            except OfficeFailed as exc:
                if not exc.died:
                    raise
                answer = self._request(request, timeout)  # it died: once more on a new one
        if answer.get("error") in ("load", "store"):
            raise FileRefused(answer.get("detail", ""))
        if not answer.get("ok") or not target.exists():
            raise OfficeFailed(f"LibreOffice 未写出转换结果（{answer}）")

    def _request(self, request: dict, timeout: float) -> dict:
        self._ensure_started()
        try:
            self._send(request)
            return self._answer(timeout)
        except OfficeFailed:
            self._kill()
            raise

    def close(self, remove_profile: bool = False) -> None:
        """Stop the server (at exit, or by a test); the next convert starts a new one."""
        with self._lock:
            process = self._process
            if process is not None and process.poll() is None:
                try:
                    process.stdin.close()  # the helper terminates soffice and exits
                    process.wait(timeout=15)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            self._kill()
            if remove_profile:
                shutil.rmtree(self._home, ignore_errors=True)

    def pid(self) -> int | None:
        """The helper's process id while it runs (tests kill it to prove restarts)."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    # ------------------------------------------------------------------

    def _ensure_started(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        self._kill()
        if self.broken:
            raise OfficeUnavailable(self.broken)
        python, soffice = _uno_python(), shutil.which("soffice") or shutil.which("libreoffice")
        if not python or not soffice:
            self.broken = "没有安装 LibreOffice 或 python3-uno"
            raise OfficeUnavailable(self.broken)
        self._home.mkdir(parents=True, exist_ok=True)
        pipe = f"intake-{os.getpid()}-{id(self):x}-{self._starts}"
        self._starts += 1
        self._process = subprocess.Popen(
            [python, str(HELPER), soffice, (self._home / "profile").as_uri(), pipe],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True, cwd=self._home,
        )
        self._buffer = b""
        try:
            ready = self._answer(START_TIMEOUT)
        except OfficeFailed as exc:
            self._kill()
            self.broken = f"LibreOffice 转换服务无法启动（{exc}）"
            raise OfficeUnavailable(self.broken) from exc
        if not ready.get("ready"):
            self._kill()
            self.broken = f"LibreOffice 转换服务无法启动（{ready}）"
            raise OfficeUnavailable(self.broken)

    def _send(self, request: dict) -> None:
        try:
            self._process.stdin.write(json.dumps(request).encode() + b"\n")
            self._process.stdin.flush()
        except OSError as exc:
            raise OfficeFailed(f"LibreOffice 转换服务已退出（{exc}）", died=True) from exc

    def _answer(self, timeout: float) -> dict:
        """One JSON line from the helper within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        fd = self._process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise OfficeFailed(f"LibreOffice 转换超过 {timeout:g} 秒未完成")
            readable, _, _ = select.select([fd], [], [], left)
            if not readable:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise OfficeFailed("LibreOffice 转换服务意外退出", died=True)
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            return json.loads(line)
        except ValueError as exc:
            raise OfficeFailed(f"LibreOffice 转换服务的回答无法识别：{line[:200]!r}") from exc

    def _kill(self) -> None:
        """Kill the helper and its soffice together (they share a process group)."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except OSError:
                pass


_server: OfficeServer | None = None
_server_lock = threading.Lock()


def server() -> OfficeServer:
    """The process's one server, created on first use and stopped at exit."""
    global _server
    with _server_lock:
        if _server is None:
            _server = OfficeServer()
            atexit.register(_server.close, remove_profile=True)
        return _server
