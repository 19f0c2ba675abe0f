"""The console in a real browser (Debian's headless Chromium): what a coordinator does, start to finish.

Also writes the README's screenshots (docs/screenshots/) of 总览, 单位 and 报送详情 at a phone's and a
desktop's width.
"""

from __future__ import annotations

import email
import email.policy
import io
import os
from pathlib import Path

import numpy as np
import openpyxl
from PIL import Image
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from tests.web.browser import chromium, emulate_width, full_page_png, log_in, refused_to_viewer, wait_for
from tests.web.conftest import COORDINATOR, HOSTILE_FILE, HOSTILE_SUBJECT, SILENT_UNIT, VIEWER

README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEMO_UNITS = ("杭州市西湖区社区学院", "宁波市鄞州区社区学院", "温州市鹿城区社区学院", "嘉兴市社区教育指导中心")
LUCHENG = "03-鹿城区-链接无提取码.eml"
OUTLINE = np.array([0, 190, 60])  # ingest.coordinator.page_images.SEAL_COLOUR


def _text(driver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text


def test_a_page_without_a_login_redirects_to_the_login_form(console_url):
    with chromium() as driver:
        driver.get(console_url + "/units")
        assert driver.current_url == console_url + "/login?next=/units"
        assert driver.find_element(By.NAME, "username") and driver.find_element(By.NAME, "password")
        assert "登录征集工作台" in _text(driver, "h1")


def test_a_coordinator_logs_in_and_sees_the_demo_units_and_filters_them(console_url):
    with chromium() as driver:
        log_in(driver, console_url, *COORDINATOR, path="/units")
        assert driver.current_url == console_url + "/units"
        rows = {r.find_element(By.CSS_SELECTOR, "td strong").text: r
                for r in driver.find_elements(By.CSS_SELECTOR, "tr.unit")}
        assert set(DEMO_UNITS) | {SILENT_UNIT} <= set(rows)
        assert "尚未报送" in rows[SILENT_UNIT].text
        assert "需修改" in rows["温州市鹿城区社区学院"].text and "通过" in rows["杭州市西湖区社区学院"].text
        driver.execute_script("window.__same_page = true")
        driver.find_element(By.NAME, "silent").click()  # htmx swaps the table in place
        wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, "tr.unit")) == 1, "the filtered table")
        assert _text(driver, "tr.unit td strong") == SILENT_UNIT
        assert driver.execute_script("return window.__same_page") is True and "silent=1" in driver.current_url


def _outlined_seal(png: bytes) -> tuple[tuple[int, int, int, int], float]:
    """The frame drawn in OUTLINE colour on a screenshot of a page image, and the share of red ink inside it."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    frame = np.abs(pixels - OUTLINE).sum(axis=2) < 60
    ys, xs = np.nonzero(frame)
    assert len(xs) > 200, "no seal outline on the page image"
    box = (xs.min(), ys.min(), xs.max(), ys.max())
    inside = pixels[box[1] + 6:box[3] - 6, box[0] + 6:box[2] - 6]
    r, g, b = inside[..., 0], inside[..., 1], inside[..., 2]
    red = (r > 150) & (r - g > 60) & (r - b > 60)
    return box, float(red.mean())


def test_a_defective_submission_shows_its_scan_with_the_seal_outlined_and_is_sent_back_with_a_note(
        console_url, collection):
    sid = collection.ids[LUCHENG]
    note = "请在邮件中补充课程视频的百度网盘提取码"
    with chromium() as driver:
        log_in(driver, console_url, *COORDINATOR, path="/units")
        driver.find_element(By.XPATH, "//tr[contains(., '温州市鹿城区社区学院')]//a[contains(@class, 'defective')]").click()
        wait_for(lambda: driver.current_url.endswith(f"/submissions/{sid}"), "the submission page")
        assert "需修改" in _text(driver, ".head .status") and "缺少提取码" in _text(driver, ".defects")
        image = driver.find_element(By.CSS_SELECTOR, "figure.page img")
        driver.execute_script("arguments[0].scrollIntoView()", image)
        wait_for(lambda: driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image),
                 "the scan page to load")
        assert "有公章" in _text(driver, "figure.page figcaption")
        box, red_share = _outlined_seal(image.screenshot_as_png)
        shown = image.size
        assert 0.08 * shown["width"] < box[2] - box[0] < 0.5 * shown["width"]  # a seal's size, not the page's edge
        assert red_share > 0.05, f"the outline does not enclose the red seal ({red_share:.3f} red)"

        driver.find_element(By.CSS_SELECTOR, "form[action$='/reject'] textarea").send_keys(note)
        driver.find_element(By.CSS_SELECTOR, "form[action$='/reject'] input[name=notify]").click()
        driver.find_element(By.CSS_SELECTOR, "form[action$='/reject'] button").click()
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".flash"), "the confirmation")
        assert "已退回修改" in _text(driver, ".flash")
        history = _text(driver, ".history")
        assert note in history and COORDINATOR[0] in history and "协调人退回修改" in history
        assert "协调人退回修改" in _text(driver, ".defects") and note in _text(driver, ".defects")
        replies = [r.get_attribute("textContent") for r in driver.find_elements(By.CSS_SELECTOR, "details.reply")]
        assert any(note in r for r in replies), "the notice as sent is not shown"
    notices = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
               for p in collection.settings.outbox_dir.glob("*.eml")]
    sent = [m for m in notices if note in m.get_body(("plain",)).get_content()]
    assert len(sent) == 1 and sent[0]["To"].addresses[0].addr_spec == "lcsqxy@qq.com"


def test_the_workbook_downloads_from_the_export_page(console_url):
    with chromium() as driver:
        log_in(driver, console_url, *COORDINATOR, path="/export")
        driver.find_element(By.LINK_TEXT, "下载信息汇总表（.xlsx）").click()
        saved = wait_for(lambda: [p for p in driver.downloads.glob("*.xlsx")], "the workbook download")
        assert saved[0].name.startswith("信息汇总表-")
        book = openpyxl.load_workbook(saved[0])
        units = {row[1] for row in book["信息汇总表"].iter_rows(min_row=2, values_only=True)}
        assert {"杭州市西湖区社区学院", "温州市鹿城区社区学院"} <= units
        assert SILENT_UNIT in {row[1] for row in book["各单位情况"].iter_rows(min_row=2, values_only=True)}


def test_a_viewers_accept_is_refused(console_url, collection):
    sid = collection.ids["02-鄞州区-缺扫描件.eml"]
    with chromium() as driver:
        # The button is not there; the viewer sends the same form anyway, with their own valid CSRF token.
        refused_to_viewer(driver, console_url, VIEWER, sid, "accept", {"note": "我要通过"})
        assert "只读账号" in _text(driver, ".readonly")
        assert "需修改" in _text(driver, ".head .status") and "我要通过" not in driver.page_source


def test_a_subject_with_a_script_tag_shows_as_text(console_url, collection):
    with chromium() as driver:
        log_in(driver, console_url, *COORDINATOR, path=f"/submissions/{collection.ids['hostile']}")
        assert _text(driver, ".subject") == HOSTILE_SUBJECT
        assert HOSTILE_FILE in _text(driver, ".card.form")
        assert _text(driver, "pre.body") == "老师好"  # the HTML body's visible text
        source = driver.find_element(By.CSS_SELECTOR, "pre.html").get_attribute("textContent")
        assert "<script>window.__pwned=3</script>" in source and 'onerror="window.__pwned=2"' in source
        assert driver.execute_script("return window.__pwned") is None
        assert driver.execute_script("return document.scripts.length") == 1  # the vendored htmx only
        try:
            driver.switch_to.alert
            raise AssertionError("a script from the mail ran")
        except NoAlertPresentException:
            pass


def test_screenshots_at_phone_and_desktop_widths(console_url, collection, tmp_path):
    """Into a temp folder; INTAKE_SCREENSHOTS=1 writes the README's own (docs/screenshots) instead."""
    SCREENSHOTS = README_SCREENSHOTS if os.environ.get("INTAKE_SCREENSHOTS") == "1" else tmp_path
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = {"overview": "/", "units": "/units", "submission": f"/submissions/{collection.ids[LUCHENG]}"}
    for label, width in (("phone", 390), ("desktop", 1280)):
        with chromium() as driver:
            emulate_width(driver, width)
            log_in(driver, console_url, *COORDINATOR)
            for name, path in pages.items():
                driver.get(console_url + path)
                for image in driver.find_elements(By.TAG_NAME, "img"):  # lazy images load once scrolled to
                    driver.execute_script("arguments[0].scrollIntoView()", image)
                    wait_for(lambda: driver.execute_script(
                        "return arguments[0].complete && arguments[0].naturalWidth", image), "an image", timeout=60)
                driver.execute_script("window.scrollTo(0, 0)")
                overflow = driver.execute_script("return document.documentElement.scrollWidth")
                assert overflow <= width, f"{name} is {overflow}px wide at {width}px"
                target = SCREENSHOTS / f"{name}-{label}.png"
                target.write_bytes(full_page_png(driver))
                assert Image.open(target).width == width
