"""Debian's headless Chromium driven by Selenium through Debian's chromedriver (nothing downloaded)."""

from __future__ import annotations

import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--lang=zh-CN", "--hide-scrollbars")


@contextmanager
def chromium(width: int = 1280, height: int = 900):
    """A fresh browser (its own profile and download folder) for one test; closed afterwards."""
    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        pytest.fail("Chromium is not installed: run ./scripts/setup.sh (Debian packages chromium, chromium-driver)")
    profile, downloads = tempfile.mkdtemp(prefix="intake-chromium-"), tempfile.mkdtemp(prefix="intake-dl-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.downloads = Path(downloads)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)


def log_in(driver, base: str, name: str, password: str, path: str = "/") -> None:
    """Open `path`, land on the login form, fill it in and submit it like a person."""
    driver.get(base + path)
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    wait_for(lambda: "/login" not in driver.current_url, "the login to go through")


def wait_for(condition, what: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def emulate_width(driver, width: int, height: int = 900) -> None:
    """Lay pages out at `width` CSS pixels, as a phone does (Chromium's windows cannot be that narrow)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500})


def full_page_png(driver) -> bytes:
    """The whole page, not just the part in view."""
    import base64

    width, height = driver.execute_script(
        "return [document.documentElement.clientWidth, document.documentElement.scrollHeight]")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 6000), "scale": 1}})
    return base64.b64decode(shot["data"])


def post_form(driver, action: str, fields: dict[str, str]) -> None:
    """Send a form the page does not offer, with the page's own CSRF token (kept on `.readonly` for a viewer)."""
    driver.execute_script("""
        const form = document.createElement('form');
        form.method = 'post'; form.action = arguments[0];
        const fields = {csrf: document.querySelector('.readonly').dataset.csrf, ...arguments[1]};
        for (const [name, value] of Object.entries(fields)) {
          const input = document.createElement('input'); input.name = name; input.value = value; form.append(input);
        }
        document.body.append(form); form.submit();""", action, fields)


def refused_to_viewer(driver, base: str, viewer: tuple[str, str], sid: int, action: str, fields: dict[str, str]):
    """A viewer opens a submission, finds no `action` form, sends it anyway and is refused."""
    log_in(driver, base, *viewer, path=f"/submissions/{sid}")
    assert not driver.find_elements(By.CSS_SELECTOR, f"form[action$='/{action}']")
    post_form(driver, f"/submissions/{sid}/{action}", fields)
    wait_for(lambda: "无法完成" in driver.find_element(By.TAG_NAME, "h1").text, "the refusal")
    assert "只读账号" in driver.find_element(By.CSS_SELECTOR, ".refused").text
    driver.get(f"{base}/submissions/{sid}")
