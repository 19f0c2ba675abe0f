"""The session cookie on the way in and out: who the client is behind a proxy, and Secure over HTTPS.

Behind an HTTPS reverse proxy the console itself speaks plain HTTP, so the
cookie would never get `Secure`. `X-Forwarded-Proto` / `X-Forwarded-For` are
believed only from `[web] trusted_proxies` (uvicorn's own proxy-header
handling is switched off in `web.server`, so this is the one place that
decides); `[web] secure_cookies = true` makes every cookie Secure.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ingest.config.service_settings import WebSettings


class SessionCookies:
    """Starlette's signed session cookie, marked Secure when the browser reached us over HTTPS."""

    def __init__(self, app: ASGIApp, *, secret_key: str, session_cookie: str, max_age: int, always_secure: bool):
        options = dict(secret_key=secret_key, session_cookie=session_cookie, max_age=max_age, same_site="lax")
        self.plain = SessionMiddleware(app, https_only=False, **options)
        self.secure = SessionMiddleware(app, https_only=True, **options)
        self.always_secure = always_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        https = self.always_secure or scope.get("scheme") in ("https", "wss")
        await (self.secure if https else self.plain)(scope, receive, send)


def middleware(web: WebSettings, secret_key: str, session_cookie: str, max_age: int) -> list:
    """The two layers, outermost first: the trusted proxy's headers, then the session cookie."""
    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=list(web.trusted_proxies)),
            Middleware(SessionCookies, secret_key=secret_key, session_cookie=session_cookie, max_age=max_age,
                       always_secure=web.secure_cookies)]
