"""Optional online check of share links: alive, dead, wrong code, or unknown.

Off by default. When switched on, links are checked a few at a time
(`concurrency`), requests are spaced (`min_interval`) so the providers are not
hammered, and results are cached per (url, code) in a small JSON file so the
same link in tomorrow's follow-up mail is not fetched again. Network errors,
rate limits and captchas give "unknown", which the rules never count as a
defect. What a provider's pages say lives in one module per provider.
"""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import httpx

from ingest.jobs.linkcheck import baidu
from ingest.jobs.linkcheck.base import USER_AGENT, CheckResult, Fetcher, LinkCheckSettings, Throttle
from parsers.atomic import atomic_write
from parsers.facts import ShareLink

log = logging.getLogger(__name__)

Checker = Callable[[Fetcher, str, ShareLink], CheckResult]


def _checkers() -> dict[str, tuple[Checker, str]]:
    """Provider -> (check function, default base URL)."""
    return {"baidu": (baidu.check, baidu.BASE_URL)}


class _Cache:
    """Definite answers per (provider, url, code) in a JSON file, with a time to live."""

    def __init__(self, path: Path | None, ttl: float):
        self.path, self.ttl, self.entries = path, ttl, {}
        if path and path.exists():
            try:
                self.entries = json.loads(path.read_text("utf-8")).get("entries", {})
            except (OSError, ValueError, AttributeError):
                log.warning("link check cache %s unreadable, starting afresh", path)

    @staticmethod
    def key(link: ShareLink) -> str:
        return f"{link.provider}|{link.url}|{link.code or ''}"

    def get(self, link: ShareLink) -> CheckResult | None:
        entry = self.entries.get(self.key(link))
        if not entry or time.time() - entry.get("at", 0) > self.ttl:
            return None
        return CheckResult(entry["status"], entry.get("detail"), entry.get("expires_at"))

    def put(self, link: ShareLink, result: CheckResult) -> None:
        if result.status != "unknown":  # "not checked" is retried next time
            entry = asdict(result)
            entry.pop("throttled")
            self.entries[self.key(link)] = {**entry, "at": time.time()}

    def save(self) -> None:
        if not self.path:
            return
        try:
            text = json.dumps({"entries": self.entries}, ensure_ascii=False, indent=1)
            atomic_write(self.path, text.encode("utf-8"), durable=False)
        except OSError:
            log.warning("could not write link check cache %s", self.path, exc_info=True)


def _apply(link: ShareLink, result: CheckResult) -> None:
    link.check, link.check_detail = result.status, result.detail
    if result.expires_at:
        link.expires = True
        link.check_detail = f"过期时间：{result.expires_at}"


def _check_one(link: ShareLink, settings: LinkCheckSettings, throttles: dict[str, Throttle]) -> CheckResult:
    checker = _checkers().get(link.provider)
    if checker is None:
        return CheckResult("unknown", "暂不支持在线检查该网盘")
    throttle = throttles[link.provider]
    if throttle.blocked:
        return CheckResult("unknown", "网盘要求输入验证码，暂停检查")
    check, base = checker
    base = settings.base_urls.get(link.provider, base).rstrip("/")
    headers = {"User-Agent": USER_AGENT}
    try:
        with httpx.Client(timeout=settings.timeout, headers=headers, follow_redirects=False) as client:
            result = check(Fetcher(client, throttle), base, link)
    except httpx.HTTPError as exc:
        return CheckResult("unknown", f"网络错误，未能检查（{type(exc).__name__}）")
    except Exception:  # a provider changing its pages must not stop the mail run
        log.exception("link check of %s failed", link.url)
        return CheckResult("unknown", "检查出错，未能检查")
    if result.throttled:
        throttle.blocked = True
    return result


def check_links(links: list[ShareLink], settings: LinkCheckSettings) -> None:
    """Fill `check`/`check_detail` of each well-formed link; never raises.

    Malformed links are left unchecked (there is nothing to open). A share that
    shows a 过期时间 gets `expires=True` and the time in `check_detail`.
    """
    if not settings.enabled:
        return
    try:
        _run(links, settings)
    except Exception:
        log.exception("link check failed")
        for link in links:
            if link.well_formed and link.check is None:
                link.check, link.check_detail = "unknown", "检查出错，未能检查"


def _run(links: list[ShareLink], settings: LinkCheckSettings) -> None:
    cache = _Cache(settings.cache_path, settings.cache_ttl)
    todo: dict[str, list[ShareLink]] = {}
    for link in (lnk for lnk in links if lnk.well_formed):
        cached = cache.get(link)
        if cached:
            _apply(link, cached)
        else:
            todo.setdefault(cache.key(link), []).append(link)
    throttles = {key: Throttle(settings.min_interval) for key in {ls[0].provider for ls in todo.values()}}
    groups = list(todo.values())
    with ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool:
        results = list(pool.map(lambda group: _check_one(group[0], settings, throttles), groups))
    for group, result in zip(groups, results):
        for link in group:
            _apply(link, result)
        cache.put(group[0], result)
    cache.save()
