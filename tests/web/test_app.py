"""The console's guards without a browser: login, CSRF, the rate limit, roles, redirects, download headers."""

from __future__ import annotations

import pytest

from storage import users
from tests.web.client import client as _client
from tests.web.client import csrf as _csrf
from tests.web.client import login as _login
from tests.web.conftest import COORDINATOR, HOSTILE_FILE, VIEWER
from web.app import create_app
from web.files import safe_name

NEXT_UNITS = "/units?batch=%E7%AC%AC%E4%B8%80%E6%89%B9"


@pytest.fixture(scope="module")
def app(collection):
    return create_app(collection.settings)


def _status(app, sid: int) -> str:
    return app.state.console.db.load(sid).status


def test_every_page_and_file_redirects_to_login_without_a_session(app, collection):
    sid = collection.ids["03-鹿城区-链接无提取码.eml"]
    material = app.state.console.db.load(sid).materials[-1].id
    for path in ("/", "/units", "/stats", "/export", f"/submissions/{sid}", "/export/workbook.xlsx",
                 f"/submissions/{sid}/raw", f"/submissions/{sid}/files/{material}",
                 f"/submissions/{sid}/files/{material}/pages/0.jpg"):
        answer = _client(app).get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=/"), path


def test_session_cookie_is_signed_httponly_and_samesite(app):
    client = _client(app)
    token = _csrf(client.get("/login").text)
    answer = client.post("/login", data={"username": COORDINATOR[0], "password": COORDINATOR[1], "csrf": token})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and cookie.startswith("intake_session=")
    forged = _client(app)
    forged.cookies.set("intake_session", client.cookies["intake_session"][:-3] + "AAA")
    assert forged.get("/").status_code == 303


@pytest.mark.parametrize("target, landing", [
    ("//evil.example.com/", "/"), ("https://evil.example.com/", "/"), ("/\\evil.example.com", "/"),
    ("javascript:alert(1)", "/"), (NEXT_UNITS, NEXT_UNITS),
])
def test_login_redirects_only_within_the_console(app, target, landing):
    client = _client(app)
    token = _csrf(client.get("/login").text)
    answer = client.post("/login", data={"username": COORDINATOR[0], "password": COORDINATOR[1], "csrf": token,
                                         "next": target})
    assert answer.headers["location"] == landing


def test_login_without_the_forms_csrf_token_is_refused(app):
    client = _client(app)
    client.get("/login")
    answer = client.post("/login", data={"username": COORDINATOR[0], "password": COORDINATOR[1], "csrf": "x"})
    assert answer.status_code == 403
    assert client.get("/").status_code == 303


def test_a_decision_without_a_valid_csrf_token_changes_nothing(app, collection):
    sid = collection.ids["02-鄞州区-缺扫描件.eml"]
    client = _login(app)
    for data in ({"note": "伪造"}, {"note": "伪造", "csrf": "not-the-token"}):
        answer = client.post(f"/submissions/{sid}/accept", data=data)
        assert answer.status_code == 403 and "页面已过期" in answer.text
    assert _status(app, sid) == "defective"


def test_a_viewer_can_look_but_not_accept(app, collection):
    sid = collection.ids["02-鄞州区-缺扫描件.eml"]
    client = _login(app, VIEWER)
    page = client.get(f"/submissions/{sid}")
    assert page.status_code == 200 and "只读账号" in page.text and 'action="/submissions/' not in page.text
    for action in ("accept", "reject", "reprocess", "resend", "assign"):
        answer = client.post(f"/submissions/{sid}/{action}", data={"note": "想改", "profile": "shandong-2021",
                                                                    "csrf": _csrf(page.text)})
        assert answer.status_code == 403 and "只读账号" in answer.text, action
    assert _status(app, sid) == "defective"
    stored = app.state.console.db.load(sid)
    assert stored.defects[-1].code != "COORDINATOR_REJECTED" and stored.submission.profile == "liaoning-2022"


def test_a_coordinator_accepts_and_the_history_names_them(app, collection):
    sid = collection.ids["02-鄞州区-缺扫描件.eml"]
    client = _login(app)
    token = _csrf(client.get(f"/submissions/{sid}").text)
    answer = client.post(f"/submissions/{sid}/accept", data={"note": "扫描件已另行寄送", "csrf": token})
    assert answer.status_code == 303 and answer.headers["location"] == f"/submissions/{sid}"
    assert _status(app, sid) == "accepted"
    page = client.get(f"/submissions/{sid}").text
    assert "已改为“通过”" in page and "扫描件已另行寄送" in page and f"{COORDINATOR[0]}：" in page


def test_a_reject_needs_a_note(app, collection):
    sid = collection.ids["01-西湖区-完整.eml"]
    client = _login(app)
    token = _csrf(client.get(f"/submissions/{sid}").text)
    client.post(f"/submissions/{sid}/reject", data={"note": "  ", "csrf": token})
    assert _status(app, sid) == "accepted"
    assert "需要写明意见" in client.get(f"/submissions/{sid}").text


def test_failed_logins_are_rate_limited_even_for_the_right_password(app):
    client = _client(app)
    token = _csrf(client.get("/login").text)
    tries = [client.post("/login", data={"username": VIEWER[0], "password": f"wrong-{i}", "csrf": token}).status_code
             for i in range(5)]
    assert tries == [401] * 5
    blocked = client.post("/login", data={"username": VIEWER[0], "password": VIEWER[1], "csrf": token})
    assert blocked.status_code == 429 and "15 分钟" in blocked.text
    assert _login(app, COORDINATOR).get("/").status_code == 200  # another account is not locked out


def test_a_new_password_logs_out_the_old_sessions(app, collection):
    name, password = "wang", "Wang-first-pass"
    users.add(app.state.console.db, name, password, "viewer")
    client = _login(app, (name, password))
    assert client.get("/").status_code == 200
    users.set_password(app.state.console.db, name, "Wang-second-pass")
    assert client.get("/").status_code == 303


def test_downloads_are_attachments_with_a_safe_name(app, collection):
    sid = collection.ids["hostile"]
    client = _login(app)
    stored = app.state.console.db.load(sid)
    form = next(m for m in stored.materials if m.material.filename == HOSTILE_FILE)
    answer = client.get(f"/submissions/{sid}/files/{form.id}")
    disposition = answer.headers["content-disposition"]
    assert answer.status_code == 200 and answer.content[:2] == b"PK"
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert disposition.startswith(f'attachment; filename="attachment-{sid}-{form.id}.docx"; filename*=UTF-8\'\'')
    assert '"' not in disposition.split("filename*=")[1] and "<" not in disposition
    workbook = client.get("/export/workbook.xlsx")
    assert workbook.headers["content-disposition"].startswith("attachment; filename=\"workbook-")
    assert workbook.content[:2] == b"PK"
    raw = client.get(f"/submissions/{sid}/raw")
    assert raw.headers["content-disposition"].startswith(f'attachment; filename="mail-{sid}.eml"')
    assert b"<hostile-1@163.com>" in raw.content
    assert client.get(f"/submissions/{sid}/files/999999").status_code == 404


def test_safe_name_keeps_chinese_and_drops_folders_and_quotes():
    assert safe_name("../../etc/passwd", "x") == "passwd"
    assert safe_name('C:\\Users\\王\\"申报表".docx', "x") == "_申报表_.docx"
    assert safe_name("案例\r\n盖章.pdf", "x") == "案例盖章.pdf"
    assert safe_name("...", "fallback.bin") == "fallback.bin"


def test_hostile_subject_body_and_file_name_are_escaped(app, collection):
    page = _login(app).get(f"/submissions/{collection.ids['hostile']}").text
    assert "<script>window.__pwned" not in page and "onerror=\"window" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;案例.docx" in page
    assert page.count("<script") == 1  # the vendored htmx only
