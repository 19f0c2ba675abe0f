"""Starlette's TestClient as a person uses the console: fetch the login form, post it with its CSRF token."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web.conftest import COORDINATOR


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def client(app) -> TestClient:
    return TestClient(app, follow_redirects=False)


def login(app, who=COORDINATOR, next_path="/") -> TestClient:
    browser = client(app)
    token = csrf(browser.get("/login").text)
    answer = browser.post("/login", data={"username": who[0], "password": who[1], "csrf": token, "next": next_path})
    assert answer.status_code == 303, answer.text
    return browser
