"""The live service's part of the configuration: `[[mailboxes]]`, `[smtp]`, `[schedule]`, `[web]`.

Names are a contract (see the README's 运行服务): host, port, security
(ssl | starttls | none — none only to a loopback address), user,
password_env (the secret itself only ever comes from the environment).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import date, time

SECURITY = ("ssl", "starttls", "none")
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass
class MailboxSettings:
    name: str
    host: str
    port: int = 993
    security: str = "ssl"
    user: str = ""
    password_env: str = "INTAKE_IMAP_PASSWORD"
    folder: str = "INBOX"
    processed_folder: str = ""
    since: date | None = None


@dataclass
class SmtpSettings:
    host: str
    port: int = 465
    security: str = "ssl"
    user: str = ""
    password_env: str = "INTAKE_SMTP_PASSWORD"
    max_per_recipient_per_hour: int = 5


@dataclass
class ScheduleSettings:
    poll_seconds: int = 120
    digest_at: time = time(8, 0)  # in the campaign's zone
    remind_days_before: list[int] = field(default_factory=lambda: [7, 2])


@dataclass
class WebSettings:
    """The web console: served by `intake run` when enabled; beyond loopback only with an explicit host."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 8080
    secure_cookies: bool = False  # the session cookie only over HTTPS (also set when a trusted proxy says https)
    trusted_proxies: list[str] = field(default_factory=lambda: ["127.0.0.1"])  # whose X-Forwarded-* we believe


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _security(section: dict, what: str, default: str) -> str:
    security = str(section.get("security", default)).lower()
    if security not in SECURITY:
        raise ValueError(f"{what} 的 security 只能是 ssl、starttls 或 none，不能是“{security}”")
    if security == "none" and not is_loopback(str(section.get("host", ""))):
        raise ValueError(f"{what} 不加密（security = \"none\"）只允许连接本机地址，{section.get('host')} 请改用 ssl 或 starttls")
    return security


def _required_host(section: dict, what: str) -> str:
    host = str(section.get("host", "")).strip()
    if not host:
        raise ValueError(f"{what} 缺少 host（服务器地址）")
    return host


def mailboxes(entries: list[dict]) -> list[MailboxSettings]:
    out = []
    for index, entry in enumerate(entries, start=1):
        what = f"第 {index} 个邮箱（[[mailboxes]]）"
        since = str(entry.get("since", "")).strip()
        out.append(MailboxSettings(
            name=str(entry.get("name") or entry.get("user") or f"邮箱{index}"), host=_required_host(entry, what),
            port=int(entry.get("port", 993)), security=_security(entry, what, "ssl"), user=str(entry.get("user", "")),
            password_env=str(entry.get("password_env", "INTAKE_IMAP_PASSWORD")),
            folder=str(entry.get("folder") or "INBOX"), processed_folder=str(entry.get("processed_folder", "")),
            since=date.fromisoformat(since) if since else None))
    return out


def smtp(section: dict) -> SmtpSettings | None:
    if not section:
        return None
    what = "发信服务器（[smtp]）"
    return SmtpSettings(host=_required_host(section, what), port=int(section.get("port", 465)),
                        security=_security(section, what, "ssl"), user=str(section.get("user", "")),
                        password_env=str(section.get("password_env", "INTAKE_SMTP_PASSWORD")),
                        max_per_recipient_per_hour=int(section.get("max_per_recipient_per_hour", 5)))


def schedule(section: dict) -> ScheduleSettings:
    at = str(section.get("digest_at", "08:00"))
    found = _HHMM.match(at)
    if not found:
        raise ValueError(f"digest_at 应写成“08:00”这样的时间，不能是“{at}”")
    return ScheduleSettings(poll_seconds=max(10, int(section.get("poll_seconds", 120))),
                            digest_at=time(int(found.group(1)), int(found.group(2))),
                            remind_days_before=[int(d) for d in section.get("remind_days_before", [7, 2])])


def web(section: dict) -> WebSettings:
    enabled, secure = (section.get(key, False) for key in ("enabled", "secure_cookies"))
    for key, value in (("enabled", enabled), ("secure_cookies", secure)):
        if not isinstance(value, bool):
            raise ValueError(f"[web] 的 {key} 只能写 true 或 false，不能是“{value}”")
    port = int(section.get("port", 8080))
    if not 0 < port < 65536:
        raise ValueError(f"[web] 的 port 应在 1–65535 之间，不能是 {port}")
    proxies = section.get("trusted_proxies", ["127.0.0.1"])
    proxies = proxies if isinstance(proxies, list) else [proxies]
    for proxy in proxies:
        try:
            ipaddress.ip_network(str(proxy), strict=False)
        except ValueError:
            raise ValueError(f"[web] 的 trusted_proxies 应是地址列表（如 [\"127.0.0.1\"]），“{proxy}”不是地址") from None
    return WebSettings(enabled=enabled, host=str(section.get("host") or "127.0.0.1").strip(), port=port,
                       secure_cookies=secure, trusted_proxies=[str(p) for p in proxies])
