"""指定征集 in the console: a mail held for review says so, a coordinator assigns it (as `intake assign` does),
a viewer cannot, and the 总览 lists it per profile and batch until then."""

from __future__ import annotations

import email
import email.policy

import pytest
from lxml import html

from tests.web.client import csrf, login
from tests.web.conftest import COORDINATOR, TAIZHOU_SILENT, VIEWER
from web.app import create_app


@pytest.fixture(scope="module")
def app(profiles_collection):
    return create_app(profiles_collection.settings)


def _page(client, path: str):
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    return html.fromstring(answer.text), answer.text


def _text(tree, css: str) -> str:
    return " ".join(" ".join(e.text_content().split()) for e in tree.cssselect(css))


def test_a_mail_held_for_review_says_it_awaits_a_profile_and_offers_every_profile(app, profiles_collection):
    sid = profiles_collection.ids["held"]
    tree, _ = _page(login(app), f"/submissions/{sid}")
    assert "这封来信无法确定属于哪个征集" in _text(tree, "#awaits-profile")
    assert _text(tree, ".head .status") == "待审核" and _text(tree, ".head dd.profile") == "待指定"
    groups = {g.get("label"): [o.get("value") for o in g.cssselect("option")]
              for g in tree.cssselect("#awaits-profile select[name=profile] optgroup")}
    assert groups["启用的征集"] == ["taizhou-2021", "liaoning-2022"]
    assert {"shandong-2021", "putuo-2024", "chongqing-2021", "moe-2021"} <= set(groups["其他内置征集"])
    assert tree.cssselect("#awaits-profile input[name=notify]")[0].get("checked") is not None
    assert not tree.cssselect(".actions form[action$='/assign']")  # the prominent form only, not a second one


def test_a_judged_mail_shows_its_profile_and_offers_assign_among_the_other_actions(app, profiles_collection):
    tree, _ = _page(login(app), f"/submissions/{profiles_collection.ids['wenling-q2']}")
    assert _text(tree, ".head dd.profile") == "taizhou-2021（台州“智慧助老”行动进展情况季度统计）"
    assert not tree.cssselect("#awaits-profile")
    form = tree.cssselect(".actions form[action$='/assign']")[0]
    assert form.cssselect("option[selected]")[0].get("value") == "taizhou-2021"


def test_the_overview_counts_per_profile_and_batch_and_lists_the_held_mail(app, profiles_collection):
    tree, _ = _page(login(app), "/")
    held = tree.cssselect("#held a")
    assert [a.get("href") for a in held] == [f"/submissions/{profiles_collection.ids['held']}"]
    taizhou = tree.cssselect("#profile-taizhou-2021")[0]
    assert "台州“智慧助老”行动进展情况季度统计" in _text(taizhou, "h2")
    q2 = next(c for c in taizhou.cssselect(".card") if "2021年第2季度" in _text(c, "h3"))
    figures = dict(zip((e.text_content() for e in q2.cssselect("dt")), (e.text_content() for e in q2.cssselect("dd"))))
    assert figures == {"应报单位": "4", "已报送": "3", "全部通过": "2", "需修改": "1", "尚未报送": "1"}
    assert TAIZHOU_SILENT in _text(q2, ".hint") and not q2.cssselect("table")  # a statistics profile: no forms
    periods = [_text(c, "h3").split(" 截止")[0] for c in taizhou.cssselect(".card")]
    assert {"2021年第2季度", "2021年第3季度"} <= set(periods) and len(periods) <= 4, periods  # no empty past quarters
    assert tree.cssselect("#profile-liaoning-2022")
    latest = {a.get("href"): row for row in tree.cssselect("table tr") for a in row.cssselect("td a")[:1]}
    assert "待指定" in latest[f"/submissions/{profiles_collection.ids['held']}"].text_content()
    assert "taizhou-2021" in latest[f"/submissions/{profiles_collection.ids['huangyan-q3']}"].text_content()


def test_a_viewer_cannot_assign_a_profile(app, profiles_collection):
    sid = profiles_collection.ids["held"]
    client = login(app, VIEWER)
    tree, page = _page(client, f"/submissions/{sid}")
    assert "需由协调人指定" in _text(tree, "#awaits-profile") and not tree.cssselect("form[action$='/assign']")
    answer = client.post(f"/submissions/{sid}/assign", data={"profile": "taizhou-2021", "notify": "1",
                                                            "csrf": csrf(page)})
    assert answer.status_code == 403 and "只读账号" in answer.text
    stored = app.state.console.db.load(sid)
    assert stored.status == "review" and stored.submission.profile is None


def test_an_unknown_profile_is_refused_in_chinese_and_changes_nothing(app, profiles_collection):
    sid = profiles_collection.ids["held"]
    client = login(app)
    answer = client.post(f"/submissions/{sid}/assign", data={"profile": "hebei-2023",
                                                            "csrf": csrf(client.get(f"/submissions/{sid}").text)})
    assert answer.status_code == 404 and "没有名为“hebei-2023”的征集配置" in answer.text
    assert app.state.console.db.load(sid).status == "review"


def test_a_coordinator_assigns_a_profile_and_the_unit_is_answered_under_it(app, profiles_collection):
    sid = profiles_collection.ids["held"]
    outbox = profiles_collection.root / "outbox"
    before = set(outbox.glob("*.eml"))
    client = login(app)
    answer = client.post(f"/submissions/{sid}/assign", data={
        "profile": "liaoning-2022", "notify": "1", "csrf": csrf(client.get(f"/submissions/{sid}").text)})
    assert answer.status_code == 303 and answer.headers["location"] == f"/submissions/{sid}"
    stored = app.state.console.db.load(sid)
    assert stored.submission.profile == "liaoning-2022" and stored.status == "defective"
    tree, _ = _page(client, f"/submissions/{sid}")
    assert "已指定为“liaoning-2022”并按它重新审核" in _text(tree, ".flash")
    assert _text(tree, ".head dd.profile").startswith("liaoning-2022（辽宁") and not tree.cssselect("#awaits-profile")
    history = _text(tree, ".history li:last-child")
    assert "协调人指定征集" in history and "协调人指定征集：liaoning-2022" in history and COORDINATOR[0] in history
    replies = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
               for p in set(outbox.glob("*.eml")) - before]
    assert [str(r["To"]) for r in replies] == ["椒江区教育局 <jjjyj@126.com>"]
    notice = replies[0].get_body(("plain",)).get_content()
    assert "需要修改的问题" in notice and "智慧助老材料+数量" in notice  # Liaoning's subject rule, now applied
