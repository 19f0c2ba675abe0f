"""The 统计表 page: per statistics profile and period, each bureau's figures, the total, the silent ones marked."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import pytest
from lxml import html

from ingest.samples.mails import CST
from tests.web.client import login
from tests.web.conftest import TAIZHOU_SILENT
from web.app import create_app

HUANGYAN_Q2 = [27, 970, 18, 550, 6, 3, 3]  # the sample table's four rows, summed
LUQIAO_Q2 = [6, 150, 3, 90, 1, 1, 1]
WENLING_Q2 = [27, 970, 18, 550, 6, 3, 3]  # its 合计 row says 2 cases; its rows say 3, and the rows count
HUANGYAN_Q3 = [40, 1200, 24, 800, 8, 4, 4]


@pytest.fixture(scope="module")
def app(profiles_collection):
    return create_app(profiles_collection.settings)


def _stats(app, query: str = ""):
    answer = login(app).get("/stats" + query)
    assert answer.status_code == 200, answer.text
    return html.fromstring(answer.text)


def _rows(tree) -> dict[str, list[str]]:
    """The table's rows: first cell -> the other cells' text."""
    return {cells[0].text_content().split("（")[0].strip(): [" ".join(c.text_content().split()) for c in cells[1:]]
            for cells in (row.cssselect("td") for row in tree.cssselect("table.stats tr")) if cells}


def _links(tree) -> dict[str, str]:
    return {row.cssselect("td a")[0].text_content(): row.cssselect("td a")[0].get("href")
            for row in tree.cssselect("table.stats tr.unit") if row.cssselect("td a")}


def _periods(tree) -> list[str]:
    return [a.text_content().split()[0] for a in tree.cssselect("nav.periods a")]


def test_the_page_opens_on_the_current_quarter_and_offers_the_quarters_so_far(app, freeze):
    with freeze(datetime(2021, 9, 25, 10, 0, tzinfo=CST)):
        tree = _stats(app)
    assert " ".join(tree.cssselect("h3.period")[0].text_content().split()) == "2021年第3季度 本期"
    assert _periods(tree) == ["2021年第3季度", "2021年第2季度", "2021年第1季度"]  # Q4's deadline is not the next one
    assert tree.cssselect("nav.periods a.on")[0].text_content().split()[0] == "2021年第3季度"


def test_a_quarter_nobody_reported_for_yet_gives_way_to_the_latest_reported(app, profiles_collection, freeze):
    with freeze(datetime(2021, 10, 10, 10, 0, tzinfo=CST)):
        tree = _stats(app)
    assert tree.cssselect("h3.period")[0].text_content().strip() == "2021年第3季度"
    assert _periods(tree)[0] == "2021年第4季度"
    rows = _rows(tree)
    assert rows["黄岩区教育局"] == [*map(str, HUANGYAN_Q3), "通过"]
    assert rows["合计"] == [*map(str, HUANGYAN_Q3), ""]
    assert _links(tree)["黄岩区教育局"] == f"/submissions/{profiles_collection.ids['huangyan-q3']}"
    assert {name for name, cells in rows.items() if cells == ["尚未报送"]} == {"路桥区教育局", "温岭市教育局", TAIZHOU_SILENT}


def test_switching_to_the_second_quarter_shows_each_bureaus_figures_the_total_and_who_is_silent(
        app, profiles_collection):
    tree = _stats(app, "?profile=taizhou-2021&period=" + quote("2021年第2季度"))
    assert tree.cssselect("h3.period")[0].text_content().strip() == "2021年第2季度"
    headers = [th.text_content() for th in tree.cssselect("table.stats th")]
    assert headers[:3] == ["单位", "应用类短期培训（场）", "应用类短期培训（人次）"] and headers[-1] == "审核"
    rows = _rows(tree)
    assert rows["黄岩区教育局"] == [*map(str, HUANGYAN_Q2), "通过"]
    assert rows["路桥区教育局"] == [*map(str, LUQIAO_Q2), "通过"]
    assert rows["温岭市教育局"] == [*map(str, WENLING_Q2), "需修改"]
    assert rows[TAIZHOU_SILENT] == ["尚未报送"]
    assert rows["合计"] == ["60", "2090", "39", "1190", "13", "7", "7", ""]
    ids = profiles_collection.ids
    assert _links(tree) == {"黄岩区教育局": f"/submissions/{ids['huangyan-q2']}",
                            "路桥区教育局": f"/submissions/{ids['luqiao-q2']}",
                            "温岭市教育局": f"/submissions/{ids['wenling-q2']}"}
    assert "3 个单位已报送，1 个单位尚未报送" in tree.cssselect("p.hint")[0].text_content()


def test_without_a_statistics_profile_the_page_says_so(collection):
    tree = _stats(create_app(collection.settings))
    assert "没有要求报送统计表" in tree.cssselect("main p.card")[0].text_content()
    assert "liaoning-2022" in tree.cssselect("main p.card")[0].text_content() and not tree.cssselect("table")
