"""The ASGI app: routes, the login guard every page and file goes through, the security headers.

Handlers are plain functions `handler(request, console) -> Response`, run in
a worker thread (the database and the scan reader are blocking); the guard
checks the login first, from the cookie alone, then the role, and only then
reads a posted form (bounded, `web.forms`) and its CSRF token, before any of
them runs. An anonymous request, or a viewer's attempt to change something, is
answered without a byte of its body read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ingest.config import profile_files
from ingest.config.settings import Settings
from ingest.core.pipeline import Pipeline
from notifier.reply import KIND_NAMES
from notifier.words import ACTION_TITLES, LINK_CHECK_TITLES
from rules import clock
from rules.vocabulary import defect_title, status_title
from web import auth, forms, sessions

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass
class Console:
    """What every handler needs: the settings, a pipeline of its own, the templates, the login limiter."""

    settings: Settings
    pipeline: Pipeline
    env: Environment
    limiter: auth.LoginLimiter = field(default_factory=auth.LoginLimiter)

    @property
    def db(self):
        return self.pipeline.db

    def render(self, request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
        user = getattr(request.state, "user", None)
        html = self.env.get_template(template).render(
            request=request, user=user, csrf=auth.csrf_token(request), flash=request.session.pop("flash", None),
            path=request.url.path, **context)
        return HTMLResponse(html, status_code=status_code)

    def refuse(self, request: Request, status_code: int, message: str) -> HTMLResponse:
        return self.render(request, "message.html", status_code, title="无法完成", message=message)

    @cached_property
    def _builtins(self) -> list[tuple[str, str]]:
        return [(p["name"], p["title"]) for p in profile_files.describe_builtins()]

    def profile_choices(self) -> dict[str, list[tuple[str, str]]]:
        """What 指定征集 offers, as `intake assign` accepts it: the active profiles, then the other built-in ones."""
        active = [(c.name, c.title) for c in self.settings.profiles()]
        names = {name for name, _ in active}
        return {"启用的征集": active, "其他内置征集": [(n, t) for n, t in self._builtins if n not in names]}


def _environment(settings: Settings) -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
    tz = settings.campaign.zone
    env.filters.update(when=lambda moment: clock.cn_datetime(moment, tz) or "—", status=status_title,
                       kind=lambda k: KIND_NAMES.get(k, k), defect=defect_title,
                       action=lambda a: ACTION_TITLES.get(a, a),
                       link_check=lambda c: {"alive": "有效", **LINK_CHECK_TITLES}.get(c, "未联网检查"))
    return env


def guarded(handler, *, change: bool = False):
    """The endpoint for `handler`: login (before the body is read), CSRF on POST, for `change` the coordinator role."""

    async def endpoint(request: Request) -> Response:
        console: Console = request.app.state.console
        user = await run_in_threadpool(auth.current_user, request, console.db)
        if user is None:
            back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target = f"/login?next={quote(back)}" if request.method == "GET" else "/login"
            return RedirectResponse(target, status_code=303)
        request.state.user = user
        if change and not user.can_change:
            return console.refuse(request, 403, "您的账号是只读账号，只能查看，不能修改审核结果或发送邮件。")
        form = None
        if request.method == "POST":
            try:
                form = await forms.read_form(request)
            except forms.Refused as refused:
                return forms.refusal(console, request, refused)
        return await run_in_threadpool(_guard, request, handler, form)

    return endpoint


def _guard(request: Request, handler, form) -> Response:
    console: Console = request.app.state.console
    request.state.form = form
    if form is not None and not auth.csrf_ok(request, form.get("csrf")):
        return console.refuse(request, 403, "页面已过期或来源不明，请刷新页面后重试。")
    return handler(request, console)


async def _headers(request: Request, call_next) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_app(settings: Settings, pipeline: Pipeline | None = None) -> Starlette:
    from web import actions, files, views

    routes = [
        Route("/healthz", views.healthz),
        Route("/login", actions.login_page, methods=["GET"]),
        Route("/login", actions.login, methods=["POST"]),
        Route("/logout", guarded(actions.logout), methods=["POST"]),
        Route("/", guarded(views.overview_page)),
        Route("/units", guarded(views.units)),
        Route("/submissions/{sid:int}", guarded(views.submission)),
        Route("/stats", guarded(views.stats)),
        Route("/export", guarded(views.export_page)),
        Route("/export/workbook.xlsx", guarded(files.workbook)),
        Route("/submissions/{sid:int}/raw", guarded(files.raw_mail)),
        Route("/submissions/{sid:int}/files/{mid:int}", guarded(files.attachment)),
        Route("/submissions/{sid:int}/files/{mid:int}/pages/{page:int}.jpg", guarded(files.page_image)),
        *(Route(f"/submissions/{{sid:int}}/{name}", guarded(action, change=True), methods=["POST"])
          for name, action in actions.DECISIONS.items()),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    secret = auth.secret_key(settings.data_dir)
    middleware = sessions.middleware(settings.web, secret, auth.SESSION_COOKIE, auth.SESSION_HOURS * 3600)
    middleware.append(Middleware(BaseHTTPMiddleware, dispatch=_headers))
    app = Starlette(routes=routes, middleware=middleware)
    app.state.console = Console(settings, pipeline or Pipeline(settings), _environment(settings))
    return app
