"""The console before it knows who asks: bodies are read only after the login and only up to a cap,
the login limiter's memory is bounded, a logout voids every copy of the cookie, and the cookie is
Secure behind HTTPS."""

from __future__ import annotations

import socket
import tracemalloc
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from starlette.testclient import TestClient

from tests.web.client import client as _client
from tests.web.client import csrf as _csrf
from tests.web.client import login as _login
from tests.web.conftest import COORDINATOR, VIEWER
from web import auth, forms
from web.app import create_app

BIG = 30 * 1024 * 1024


class Counting:
    """The app, counting the body bytes it takes from the server."""

    def __init__(self, app):
        self.app, self.read = app, 0

    async def __call__(self, scope, receive, send):
        async def counted():
            message = await receive()
            self.read += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@pytest.fixture(scope="module")
def app(collection):
    return create_app(collection.settings)


def test_an_anonymous_big_post_is_answered_without_reading_its_body(app):
    counting = Counting(app)
    answer = _client(counting).post("/logout", files={"file": ("big.bin", b"\0" * BIG)}, data={"csrf": "x"})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert counting.read == 0


def test_a_viewers_change_is_refused_without_reading_its_body(app, collection):
    counting = Counting(app)
    browser = _login(counting, VIEWER)
    sid = collection.ids["02-鄞州区-缺扫描件.eml"]
    token = _csrf(browser.get(f"/submissions/{sid}").text)
    before = counting.read
    answer = browser.post(f"/submissions/{sid}/accept", data={"csrf": token, "note": "x" * 60_000})
    assert answer.status_code == 403 and "只读账号" in answer.text
    assert counting.read == before


def test_a_logged_in_post_past_the_cap_without_a_length_is_refused(app, collection):
    browser = _login(app)
    sid = collection.ids["02-鄞州区-缺扫描件.eml"]
    token = _csrf(browser.get(f"/submissions/{sid}").text)

    def chunks():  # no Content-Length: sent chunked, 1 MB in all
        yield f"csrf={token}&note=".encode()
        for _ in range(256):
            yield b"a" * 4096

    answer = browser.post(f"/submissions/{sid}/accept", content=chunks(),
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413 and "过长" in answer.text
    assert app.state.console.db.load(sid).status == "defective"  # unchanged: the accept never ran


def test_a_multipart_form_is_refused_with_415_and_changes_nothing(app, collection):
    browser = _login(app)
    sid = collection.ids["02-鄞州区-缺扫描件.eml"]
    token = _csrf(browser.get(f"/submissions/{sid}").text)
    answer = browser.post(f"/submissions/{sid}/accept", data={"csrf": token, "note": "附件形式提交"},
                          files={"file": ("a.txt", b"x")})
    assert answer.status_code == 415
    assert app.state.console.db.load(sid).status == "defective"


def _answer_to_headers_only(url: str, path: str, content_type: str, cookie: str = "", chunked: bool = False) -> str:
    """POST headers announcing 30 MB (or a chunked body) and only part of the body; the answer's status line.

    A server that read the whole body before answering would wait for the rest and time out here.
    """
    host, port = url.removeprefix("http://").split(":")
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {BIG}"
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n{length}\r\n"
            + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode("ascii"))
        for _ in range((forms.FORM_BYTES + 16384) // 4096 if chunked else 1):
            sock.sendall(b"1000\r\n" + b"A" * 4096 + b"\r\n" if chunked else b"--x\r\n" + b"A" * 4096)
        return sock.recv(65536).decode("latin-1").split("\r\n", 1)[0]


def test_uvicorn_answers_big_posts_before_the_body_arrives(console_url):
    assert _answer_to_headers_only(console_url, "/logout", "multipart/form-data; boundary=x") == "HTTP/1.1 303 See Other"
    with httpx.Client(base_url=console_url, follow_redirects=False) as browser:
        token = _csrf(browser.get("/login").text)
        browser.post("/login", data={"username": COORDINATOR[0], "password": COORDINATOR[1], "csrf": token})
        cookie = f"{auth.SESSION_COOKIE}={browser.cookies[auth.SESSION_COOKIE]}"
    form = "application/x-www-form-urlencoded"
    assert _answer_to_headers_only(console_url, "/submissions/1/accept", form, cookie).startswith("HTTP/1.1 413")
    assert _answer_to_headers_only(console_url, "/submissions/1/accept", "multipart/form-data; boundary=x",
                                   cookie).startswith("HTTP/1.1 415")
    assert _answer_to_headers_only(console_url, "/submissions/1/accept", form, cookie,
                                   chunked=True).startswith("HTTP/1.1 413")
    assert _answer_to_headers_only(console_url, "/login", form).startswith("HTTP/1.1 413")


def test_a_thousand_long_user_names_leave_the_limiter_small(app, monkeypatch):
    monkeypatch.setattr("web.actions.users.verify", lambda *a: pytest.fail("a too long name was looked up"))
    limiter = app.state.console.limiter = auth.LoginLimiter()
    with _client(app) as browser:  # one event loop for all requests: a loop per request would be counted
        token = _csrf(browser.get("/login").text)
        browser.post("/login", data={"username": "warm-up-" + "x" * 8000, "password": "p", "csrf": token})
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        codes = {browser.post("/login", data={"username": f"{i:04d}" + "x" * 8000, "password": "p" * 8,
                                              "csrf": token}).status_code for i in range(1000)}
        grown = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
    assert codes == {401, 429}
    assert len(limiter) <= limiter.per_address + 1
    assert grown < 1024 * 1024, grown  # the names alone are 8 MB


def test_a_user_name_past_the_form_cap_is_refused_before_the_limiter(app):
    limiter = app.state.console.limiter = auth.LoginLimiter()
    browser = _client(app)
    token = _csrf(browser.get("/login").text)
    answer = browser.post("/login", data={"username": "x" * 200_000, "password": "p", "csrf": token})
    assert answer.status_code == 413 and len(limiter) == 0


def test_the_limiter_keeps_at_most_max_keys_and_forgets_the_oldest_first():
    limiter = auth.LoginLimiter(per_name=2, window=timedelta(hours=1), max_keys=100)
    for i in range(1000):
        limiter.failed(f"10.0.{i // 256}.{i % 256}", "zhang")
    assert len(limiter) == 100
    last = "10.0.3.231"
    limiter.failed(last, "zhang")
    assert limiter.blocked(last, "zhang") and not limiter.blocked("10.0.0.0", "zhang")
    assert not limiter.blocked("10.9.9.9", "nobody") and len(limiter) == 100  # asking adds nothing


def test_after_logout_a_copied_cookie_is_refused(app):
    browser = _login(app)
    thief = _client(app)
    thief.cookies.set(auth.SESSION_COOKIE, browser.cookies[auth.SESSION_COOKIE])
    assert thief.get("/").status_code == 200
    token = _csrf(browser.get("/").text)
    assert browser.post("/logout", data={"csrf": token}).headers["location"] == "/login"
    answer = thief.get("/units")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert _login(app).get("/").status_code == 200  # logging in again works


def _session_cookie(app, **client) -> str:
    """The Set-Cookie of a login through a proxy that says https (the cookie carried by hand: it may be Secure)."""
    browser = TestClient(app, follow_redirects=False, **client)
    page = browser.get("/login")
    cookie = f"{auth.SESSION_COOKIE}={page.cookies[auth.SESSION_COOKIE]}"
    browser.cookies.clear()
    answer = browser.post("/login", headers={"X-Forwarded-Proto": "https", "Cookie": cookie},
                          data={"username": COORDINATOR[0], "password": COORDINATOR[1], "csrf": _csrf(page.text)})
    assert answer.status_code == 303
    return answer.headers["set-cookie"].lower()


def test_secure_cookies_marks_the_session_cookie_secure(collection):
    settings = collection.settings
    secure = create_app(replace(settings, web=replace(settings.web, secure_cookies=True)))
    assert "; secure" in _session_cookie(secure)
    assert "; secure" not in _session_cookie(create_app(settings))


def test_https_is_believed_only_from_a_trusted_proxy(app):
    assert "; secure" in _session_cookie(app, client=("127.0.0.1", 41000))
    assert "; secure" not in _session_cookie(app, client=("203.0.113.7", 41000))


def test_the_limiter_counts_the_client_a_trusted_proxy_names_and_no_one_elses(app):
    app.state.console.limiter = auth.LoginLimiter()

    def tries(client: str, forwarded: list[str]) -> list[int]:
        browser = TestClient(app, follow_redirects=False, client=(client, 41000))
        token = _csrf(browser.get("/login").text)
        return [browser.post("/login", headers={"X-Forwarded-For": who},
                             data={"username": COORDINATOR[0], "password": "wrong-password", "csrf": token}).status_code
                for who in forwarded]

    assert tries("203.0.113.7", [f"198.51.100.{i}" for i in range(6)]) == [401] * 5 + [429]  # not believed
    assert tries("127.0.0.1", ["198.51.100.1"] * 6) == [401] * 5 + [429]
    assert tries("127.0.0.1", ["198.51.100.2"]) == [401]  # another client behind the proxy is not locked out
