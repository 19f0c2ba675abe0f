"""Serving the console with uvicorn: in the foreground (`intake web`) or in a thread beside `intake run`.

uvicorn's own proxy-header handling is off: the app believes X-Forwarded-*
only from `[web] trusted_proxies` (`web.sessions`), whatever uvicorn's
environment says.
"""

from __future__ import annotations

import threading
import time

import uvicorn

from ingest.config.settings import Settings
from ingest.config.service_settings import is_loopback
from web.app import create_app


class ConsoleServer:
    """uvicorn in a background thread: `start()` returns once it listens, `stop()` once it has shut down."""

    def __init__(self, settings: Settings, host: str, port: int):
        config = uvicorn.Config(create_app(settings), host=host, port=port, log_level="warning",
                                access_log=False, lifespan="off", server_header=False, proxy_headers=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="intake-web", daemon=True)

    def start(self, timeout: float = 20.0) -> ConsoleServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("网页控制台未能启动（端口可能已被占用）。")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve in the foreground until Ctrl+C or SIGTERM (uvicorn handles both)."""
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", server_header=False,
                proxy_headers=False)


def describe(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    warning = "" if is_loopback(host) else "（注意：已在本机以外的网络上开放，请确认防火墙和 HTTPS 反向代理）"
    return f"http://{shown}:{port}/{warning}"
