"""Mail held because its sender is not on the unit's allowlist: the console says why and offers 通过/退回, not 指定征集."""

from __future__ import annotations

from datetime import datetime

from lxml import html

from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail
from rules.units import roster_from_config
from storage import users
from tests.web.client import login
from tests.web.conftest import COORDINATOR, settings_in
from web.app import create_app

UNIT = "大连市社区教育指导中心"


def test_a_mail_from_off_the_allowlist_shows_why_it_waits_and_how_to_settle_it(tmp_path):
    settings = settings_in(tmp_path)
    settings.coordinators = []
    settings.campaign.roster = roster_from_config([{"name": UNIT, "allowlist": ["@dl.gov.cn"]}])
    pipeline = Pipeline(settings)
    users.add(pipeline.db, *COORDINATOR, role="coordinator")
    raw = build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", sender=("大连 张老师", "zhang@qq.com"),
                              attachments=[(f"{UNIT}+案例.docx", build_case_form(name="银龄数字课堂", unit=UNIT))],
                              date=datetime(2022, 4, 22, 9, 0, tzinfo=CST), message_id="<held-1@qq.com>"))
    outcome = pipeline.process(raw, "inbox/1.eml")
    assert outcome.status == "review"
    browser = login(create_app(settings))
    detail = html.fromstring(browser.get(f"/submissions/{outcome.submission_id}").text)
    card = " ".join(detail.cssselect("#awaits-review")[0].text_content().split())
    assert "zhang@qq.com" in card and "允许发件地址" in card and "通过" in card
    assert not detail.cssselect("#awaits-profile"), "its profile is known: nothing to assign"
    overview = " ".join(html.fromstring(browser.get("/").text).cssselect("#held")[0].text_content().split())
    assert f"编号 {outcome.submission_id}" in overview and "发件地址待核实" in overview
