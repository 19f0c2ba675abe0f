"""Who is asking: signed session cookies, CSRF tokens, the login rate limit, safe redirects.

The session cookie is Starlette's (itsdangerous-signed, HttpOnly, SameSite);
it holds the user's name, the stamp of their password and their session
version, so a new password or a logout voids every copy of an old cookie
(checked on every request against the database). Every form carries the
session's CSRF token. The login limiter's memory is bounded: at most
`max_keys` entries, the least recently failed dropped first, and names
longer than NAME_MAX are refused before they reach it.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections import OrderedDict, deque
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
NAME_MAX = users.NAME_MAX  # a longer name is refused before any lookup
PASSWORD_MAX = 1024


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
    request.session.update(user=user.name, stamp=user.stamp, version=user.session_version,
                           csrf=secrets.token_urlsafe(32))


def log_out(request: Request, db: Database, user: users.User) -> None:
    """End this session and every copy of it: the user's session version moves on."""
    users.end_sessions(db, user.name)
    request.session.clear()


def current_user(request: Request, db: Database) -> users.User | None:
    """The logged-in user, if the session names one who has neither logged out nor changed password since."""
    name = request.session.get("user")
    if not isinstance(name, str) or not name or len(name) > NAME_MAX:
        return None
    user = users.get(db, name)
    if (user is None or not hmac.compare_digest(user.stamp, str(request.session.get("stamp", "")))
            or request.session.get("version") != user.session_version):
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

    Kept in memory, at most `max_keys` entries (least recently failed dropped
    first); asking never adds one. A restart or an eviction only ever lets a
    few more guesses through, never locks anyone out for good.
    """

    def __init__(self, per_name: int = 5, per_address: int = 20, window: timedelta = timedelta(minutes=15),
                 max_keys: int = 10_000):
        self.per_name, self.per_address, self.window, self.max_keys = per_name, per_address, window, max_keys
        self._failures: OrderedDict[tuple, deque] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._failures)

    def _count(self, key: tuple) -> int:
        times = self._failures.get(key)
        cutoff = clock.now() - self.window
        while times and times[0] < cutoff:
            times.popleft()
        if times is not None and not times:
            del self._failures[key]
        return len(times or ())

    def blocked(self, address: str, name: str) -> bool:
        with self._lock:
            return (self._count((address, name.lower())) >= self.per_name
                    or self._count((address,)) >= self.per_address)

    def failed(self, address: str, name: str) -> None:
        with self._lock:
            for key in ((address, name.lower()), (address,)):
                times = self._failures.pop(key, None) or deque(maxlen=max(self.per_name, self.per_address))
                times.append(clock.now())
                self._failures[key] = times
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, address: str, name: str) -> None:
        with self._lock:
            self._failures.pop((address, name.lower()), None)
