"""The pages: 总览, 单位, 报送详情, 统计表, 导出. Each reads the collection and renders a template."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ingest.coordinator import health
from parsers.facts import FORM_KINDS
from rules.vocabulary import Status, status_title
from storage import mailboxes, outgoing
from storage.collection import load_collection
from web import overview
from web.detail import detail
from web.stats import stats_page

LATEST_MAILS = 10


def overview_page(request: Request, console) -> Response:
    settings = console.settings
    collection = load_collection(console.db)
    states = {s.mailbox: s for s in mailboxes.all_states(console.db)}
    campaigns = overview.campaigns_in_use(settings, collection.submissions)
    return console.render(
        request, "overview.html", profiles=overview.profile_rows(collection, campaigns),
        several=len(campaigns) > 1, held=console.db.load_all(statuses=(Status.REVIEW,)),
        latest=console.db.latest(LATEST_MAILS), titles={c.name: c.title for c in campaigns},
        mailboxes=[(box.name, states.get(box.name)) for box in settings.mailboxes],
        sending=outgoing.counts(console.db), last_failure=outgoing.last_failure(console.db), kinds=FORM_KINDS)


def units(request: Request, console) -> Response:
    campaign = console.settings.campaign
    chosen = overview.UnitFilter.from_query(request.query_params)
    rows = overview.unit_rows(load_collection(console.db).units(campaign.roster), campaign, chosen)
    template = "units_table.html" if request.headers.get("HX-Request") else "units.html"
    profiles = console.settings.profiles()
    batches = [*dict.fromkeys(b.name for c in profiles for b in c.batches), overview.NO_BATCH]
    return console.render(request, template, rows=rows, chosen=chosen, batches=batches, kinds=FORM_KINDS,
                          several=len(profiles) > 1,
                          statuses={s: status_title(s) for s in (Status.ACCEPTED, Status.DEFECTIVE)})


def submission(request: Request, console) -> Response:
    sid = request.path_params["sid"]
    stored = console.db.load(sid)
    if stored is None:
        return console.refuse(request, 404, f"没有编号为 {sid} 的来信记录。")
    return console.render(request, "submission.html", d=detail(console.db, console.pipeline.files, stored),
                          choices=console.profile_choices(), profile=console.settings.profile(stored.submission.profile))


def stats(request: Request, console) -> Response:
    collection = load_collection(console.db)
    campaigns = overview.campaigns_in_use(console.settings, collection.submissions)
    query = request.query_params
    page = stats_page(collection, campaigns, query.get("profile"), query.get("period"))
    return console.render(request, "stats.html", page=page, active=console.settings.profiles())


def export_page(request: Request, console) -> Response:
    return console.render(request, "export.html", count=len(load_collection(console.db).materials()))


def healthz(request: Request) -> Response:
    """For a monitor, without a login: 200 when every mailbox had a good pass lately and the database answers, else 503."""
    console = request.app.state.console
    found = health.health(console.settings, console.db)
    return JSONResponse(found.as_dict(), status_code=200 if found.ok else 503, headers={"Cache-Control": "no-store"})
