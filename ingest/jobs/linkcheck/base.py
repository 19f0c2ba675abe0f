"""What a link check is made of: its settings, its answer, and the throttled fetcher providers use."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36"
)


@dataclass
class LinkCheckSettings:
    enabled: bool = False
    timeout: float = 8.0
    concurrency: int = 2
    min_interval: float = 1.0  # seconds between two requests to one provider
    cache_path: Path | None = None
    cache_ttl: float = 24 * 3600.0  # seconds a definite answer stays valid
    base_urls: dict[str, str] = field(default_factory=dict)  # provider -> base URL (tests: 127.0.0.1)


@dataclass
class CheckResult:
    status: str  # "alive", "dead", "wrong_code", "unknown"
    detail: str | None = None  # in Chinese, for the message
    expires_at: str | None = None  # the share's 过期时间 when it is not permanent
    throttled: bool = False  # the provider asked us to slow down (captcha, rate limit)


class Throttle:
    """Spaces request starts at least `interval` seconds apart across threads."""

    def __init__(self, interval: float):
        self.interval = max(0.0, interval)
        self.lock = threading.Lock()
        self.next_at = 0.0
        self.blocked = False  # set after a captcha: stop asking this provider for now

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_at)
            self.next_at = start + self.interval
        if start > now:
            time.sleep(start - now)


class Fetcher:
    """Throttled GET/POST on one client (one cookie jar per checked link)."""

    def __init__(self, client: httpx.Client, throttle: Throttle):
        self.client = client
        self.throttle = throttle

    def get(self, url: str, **kwargs) -> httpx.Response:
        self.throttle.wait()
        return self.client.get(url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        self.throttle.wait()
        return self.client.post(url, **kwargs)
