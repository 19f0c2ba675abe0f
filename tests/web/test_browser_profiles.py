"""Profiles in a real browser (Debian's headless Chromium): 指定征集 of a mail held for review, and the 统计表
from a quarter's table to the mail behind a bureau's row."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.web.browser import chromium, log_in, refused_to_viewer, wait_for
from tests.web.conftest import COORDINATOR, VIEWER


def _text(driver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text


def test_a_viewers_assign_is_refused(profiles_url, profiles_collection):
    sid = profiles_collection.ids["held"]
    with chromium() as driver:
        refused_to_viewer(driver, profiles_url, VIEWER, sid, "assign", {"profile": "taizhou-2021", "notify": "1"})
        assert "需由协调人指定" in _text(driver, "#awaits-profile")
        assert _text(driver, ".head .status") == "待审核" and _text(driver, ".head dd.profile") == "待指定"


def test_a_coordinator_assigns_the_held_mail_to_taizhou_and_sees_it_judged(profiles_url, profiles_collection):
    sid = profiles_collection.ids["held"]
    with chromium() as driver:
        log_in(driver, profiles_url, *COORDINATOR)
        driver.find_element(By.CSS_SELECTOR, "#held a").click()
        wait_for(lambda: driver.current_url.endswith(f"/submissions/{sid}"), "the held mail's page")
        awaits = driver.find_element(By.ID, "awaits-profile")
        Select(awaits.find_element(By.NAME, "profile")).select_by_value("taizhou-2021")
        assert awaits.find_element(By.NAME, "notify").is_selected()
        awaits.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".flash"), "the result")
        assert "已指定为“taizhou-2021”并按它重新审核，回复邮件已交给发信队列" in _text(driver, ".flash")
        assert _text(driver, ".head .status") == "需修改"
        assert _text(driver, ".head dd.profile") == "taizhou-2021（台州“智慧助老”行动进展情况季度统计）"
        assert not driver.find_elements(By.ID, "awaits-profile")
        assert "STATS_MISSING" in _text(driver, ".defects")
        last = driver.find_elements(By.CSS_SELECTOR, ".history li")[-1].text
        assert "协调人指定征集：taizhou-2021" in last and f"· {COORDINATOR[0]}：" in last
        driver.get(profiles_url + "/")
        assert not driver.find_elements(By.ID, "held")


def test_from_the_quarter_table_a_bureaus_row_opens_its_mail(profiles_url, profiles_collection):
    with chromium() as driver:
        log_in(driver, profiles_url, *COORDINATOR, path="/stats")
        driver.find_element(By.PARTIAL_LINK_TEXT, "2021年第2季度").click()
        wait_for(lambda: "2021年第2季度" in _text(driver, "h3.period"), "the second quarter")
        silent = driver.find_elements(By.CSS_SELECTOR, "table.stats tr.silent")
        assert [row.text for row in silent] == ["椒江区教育局 尚未报送"]
        driver.find_element(By.LINK_TEXT, "温岭市教育局").click()
        wait_for(lambda: driver.current_url.endswith(f"/submissions/{profiles_collection.ids['wenling-q2']}"),
                 "温岭's mail")
        assert "STATS_TOTAL_MISMATCH" in _text(driver, ".defects")
