"""The pages: 总览, 单位, 报送详情, 统计表, 导出. Each reads the collection and renders a template."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from notifier.words import status_title
from parsers.facts import FORM_KINDS
from storage import mailboxes, outgoing
from storage.collection import load_collection
from web import overview
from web.detail import detail

LATEST_MAILS = 10


def overview_page(request: Request, console) -> Response:
    settings = console.settings
    collection = load_collection(console.db)
    states = {s.mailbox: s for s in mailboxes.all_states(console.db)}
    return console.render(
        request, "overview.html", batches=overview.batch_rows(collection, settings.campaign),
        deadline=overview.next_deadline(settings.campaign), latest=console.db.latest(LATEST_MAILS),
        mailboxes=[(box.name, states.get(box.name)) for box in settings.mailboxes],
        sending=outgoing.counts(console.db), last_failure=outgoing.last_failure(console.db), kinds=FORM_KINDS)


def units(request: Request, console) -> Response:
    campaign = console.settings.campaign
    chosen = overview.UnitFilter.from_query(request.query_params)
    rows = overview.unit_rows(load_collection(console.db).units(campaign.roster), campaign, chosen)
    template = "units_table.html" if request.headers.get("HX-Request") else "units.html"
    batches = [b.name for b in campaign.batches] + [overview.NO_BATCH]
    return console.render(request, template, rows=rows, chosen=chosen, batches=batches, kinds=FORM_KINDS,
                          statuses={s: status_title(s) for s in ("accepted", "defective")})


def submission(request: Request, console) -> Response:
    sid = request.path_params["sid"]
    stored = console.db.load(sid)
    if stored is None:
        return console.refuse(request, 404, f"没有编号为 {sid} 的来信记录。")
    return console.render(request, "submission.html", d=detail(console.db, console.pipeline.files, stored))


def stats(request: Request, console) -> Response:
    periods = overview.stats_by_period(load_collection(console.db))
    return console.render(request, "stats.html", periods=periods, kinds=FORM_KINDS)


def export_page(request: Request, console) -> Response:
    return console.render(request, "export.html", count=len(load_collection(console.db).materials()))
