"""Who is asking: signed session cookies, CSRF tokens, the login rate limit, safe redirects.

The session cookie is Starlette's (itsdangerous-signed, HttpOnly, SameSite);
it holds the user's name and the stamp of their password, so a new password
logs every old browser out. Every form carries the session's CSRF token.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections import defaultdict, deque
from datetime import timedelta
from pathlib import Path
from threading import Lock
from urllib.parse import urlsplit

from starlette.requests import Request

from rules import clock
from storage import users
from storage.database import Database

SESSION_COOKIE = "intake_session"
SESSION_HOURS = 12
SECRET_FILE = "web-secret.key"


def secret_key(data_dir: Path) -> str:
    """The key that signs session cookies: made once per data folder (0600), shared by `intake run` and `intake web`."""
    path = Path(data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text("ascii").strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text("ascii").strip()


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok(request: Request, sent: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and sent) and hmac.compare_digest(expected, sent)


def log_in(request: Request, user: users.User) -> None:
    """A fresh session for the user (a new CSRF token too: nothing carries over from before the login)."""
    request.session.clear()
    request.session.update(user=user.name, stamp=user.stamp, csrf=secrets.token_urlsafe(32))


def current_user(request: Request, db: Database) -> users.User | None:
    """The logged-in user, if the session names one whose password has not changed since."""
    name = request.session.get("user")
    if not name:
        return None
    user = users.get(db, name)
    if user is None or not hmac.compare_digest(user.stamp, request.session.get("stamp", "")):
        request.session.clear()
        return None
    return user


def safe_next(target: str | None) -> str:
    """Where to go after the login: a path of this site only, never another host (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return "/"
    return target


class LoginLimiter:
    """At most `per_name` failed logins per address and name, and `per_address` per address, in `window`.

    Kept in memory: a restart forgets it, which only ever lets a few more
    guesses through, never locks anyone out for good.
    """

    def __init__(self, per_name: int = 5, per_address: int = 20, window: timedelta = timedelta(minutes=15)):
        self.per_name, self.per_address, self.window = per_name, per_address, window
        self._failures: dict[tuple, deque] = defaultdict(deque)
        self._lock = Lock()

    def _recent(self, key: tuple) -> deque:
        times, cutoff = self._failures[key], clock.now() - self.window
        while times and times[0] < cutoff:
            times.popleft()
        return times

    def blocked(self, address: str, name: str) -> bool:
        with self._lock:
            return (len(self._recent((address, name.lower()))) >= self.per_name
                    or len(self._recent((address,))) >= self.per_address)

    def failed(self, address: str, name: str) -> None:
        with self._lock:
            for key in ((address, name.lower()), (address,)):
                self._recent(key).append(clock.now())

    def succeeded(self, address: str, name: str) -> None:
        with self._lock:
            self._failures.pop((address, name.lower()), None)
