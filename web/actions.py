"""What changes something: logging in and out, and a coordinator's 通过 / 退回 / 重新审核 / 重发回复 / 指定征集.

Each decision calls the same `ingest.coordinator.actions` function as the CLI, with
the console user as the one who did it; the result is shown after a redirect
(POST → 303 → GET), so a reload never repeats it.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ingest.coordinator import actions as coordinator
from storage import users
from web import auth, forms

NOTE_MAX = 2000


def login_page(request: Request) -> Response:
    console = request.app.state.console
    return console.render(request, "login.html", next=auth.safe_next(request.query_params.get("next")), error=None)


async def login(request: Request) -> Response:
    try:
        form = await forms.read_form(request, forms.LOGIN_BYTES)
    except forms.Refused as refused:
        return forms.refusal(request.app.state.console, request, refused)
    return await run_in_threadpool(_login, request, form)


def _login(request: Request, form) -> Response:
    console = request.app.state.console
    name, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    target = auth.safe_next(str(form.get("next", "")))
    address = request.client.host if request.client else "?"

    def again(status: int, error: str) -> Response:
        return console.render(request, "login.html", status, next=target, error=error, username=name)

    if not auth.csrf_ok(request, form.get("csrf")):
        return again(403, "页面已过期，请重新输入用户名和密码。")
    too_long = len(name) > auth.NAME_MAX or len(password) > auth.PASSWORD_MAX  # no account has such; no lookup
    name = name[:auth.NAME_MAX]
    if console.limiter.blocked(address, name):
        return again(429, "登录失败次数过多，请 15 分钟后再试。")
    if too_long:
        console.limiter.failed(address, name)
        return again(401, "用户名或密码不正确。")
    user = users.verify(console.db, name, password) if name and password else None
    if user is None:
        console.limiter.failed(address, name)
        return again(401, "用户名或密码不正确。")
    console.limiter.succeeded(address, name)
    auth.log_in(request, user)
    return RedirectResponse(target, status_code=303)


def logout(request: Request, console) -> Response:
    auth.log_out(request, console.db, request.state.user)
    return RedirectResponse("/login", status_code=303)


def _note(request: Request) -> str:
    return str(request.state.form.get("note", "")).strip()[:NOTE_MAX]


def _notify(request: Request) -> bool:
    return request.state.form.get("notify") == "1"


def _back(request: Request, sid: int, message: str) -> Response:
    request.session["flash"] = message
    return RedirectResponse(f"/submissions/{sid}", status_code=303)


def _act(request: Request, console, action, done_words: str) -> Response:
    """Run `action(pipeline, sid, who)` and say what happened after the redirect."""
    sid = request.path_params["sid"]
    try:
        action(console.pipeline, sid, request.state.user.name)
    except coordinator.NotFound as exc:
        return console.refuse(request, 404, str(exc))
    return _back(request, sid, done_words)


def _words(done: str, notify: bool) -> str:
    return done + ("，回复邮件已交给发信队列" if notify else "") + "。"


def accept(request: Request, console) -> Response:
    note, notify = _note(request) or "协调人审核通过", _notify(request)
    return _act(request, console, lambda p, sid, who: coordinator.decide(p, sid, True, note, notify, who),
                _words("已改为“通过”", notify))


def reject(request: Request, console) -> Response:
    note, notify = _note(request), _notify(request)
    if not note:
        return _back(request, request.path_params["sid"], "退回修改需要写明意见，请填写后再提交。")
    return _act(request, console, lambda p, sid, who: coordinator.decide(p, sid, False, note, notify, who),
                _words("已退回修改", notify))


def reprocess(request: Request, console) -> Response:
    notify = _notify(request)
    return _act(request, console, lambda p, sid, who: coordinator.reprocess(p, sid, notify, who),
                _words("已按现在的规则重新审核", notify))


def resend(request: Request, console) -> Response:
    return _act(request, console, coordinator.resend, _words("已重新生成回复", True))


def assign(request: Request, console) -> Response:
    """指定征集: judge the mail under the profile chosen, exactly as `intake assign` does."""
    profile, notify = str(request.state.form.get("profile", "")).strip(), _notify(request)
    if not profile:
        return _back(request, request.path_params["sid"], "请先选择要指定的征集，再提交。")
    return _act(request, console, lambda p, sid, who: coordinator.assign(p, sid, profile, notify, who),
                _words(f"已指定为“{profile}”并按它重新审核", notify))


DECISIONS = {"accept": accept, "reject": reject, "reprocess": reprocess, "resend": resend, "assign": assign}
