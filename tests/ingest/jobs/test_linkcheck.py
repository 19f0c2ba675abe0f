"""The optional online link check, against a local server that answers like Baidu Netdisk does."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from ingest.jobs.linkcheck import check_links
from ingest.jobs.linkcheck.base import LinkCheckSettings
from parsers.facts import MailMessage, ShareLink, SubjectInfo, Submission
from parsers.links import find_links
from rules.campaign import Campaign
from rules.links import check_link_code_wrong, check_link_dead, check_link_expires

ALIVE = "AbCdEfGhIjKlMnOpQrStUv"
EXPIRING = "ExPiRiNgShArE0123456789"[:22]
DELETED = "DeLeTeDsHaReAbCdEfGhIj"
CANCELLED = "CaNcElLeDsHaReAbCdEfGh"
GONE = "GoNeLiNkAbCdEfGhIjKlMn"
CAPTCHA = "CaPtChAsHaReAbCdEfGhIj"
SLOW = "SlOwSeRvErAbCdEfGhIjKl"
CODES = {ALIVE: "a1b2", EXPIRING: "e5f6", CAPTCHA: "c3d4", SLOW: "s7s7"}
DEAD_PAGES = {
    DELETED: "啊哦，你来晚了，分享的文件已经被删除了，下次要早点哟。",
    CANCELLED: "啊哦，你来晚了，分享的文件已经被取消了，下次要早点哟。",
    GONE: "啊哦！链接不存在",
}


def page(body: str, title: str = "智能手机入门_免费高速下载|百度网盘-分享无限制") -> str:
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>"


class FakeBaidu(BaseHTTPRequestHandler):
    """Answers like pan.baidu.com for the shares above; records every request."""

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: str = "", headers: dict | None = None, ctype="text/html; charset=utf-8"):
        data = body.encode("utf-8")
        self.send_response(status)
        for name, value in {"Content-Type": ctype, "Content-Length": str(len(data)), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.server.requests.append(("GET", self.path))
        url = urlsplit(self.path)
        if url.path == "/share/link":
            return self._send(200, page("<div class='file-list'>第1讲 认识智能手机.mp4</div>过期时间：永久有效"))
        surl = url.path.removeprefix("/s/1")
        if surl == SLOW:
            time.sleep(1.0)
        if surl in DEAD_PAGES:
            return self._send(200, page(DEAD_PAGES[surl], "百度网盘-链接不存在"))
        if surl not in CODES:
            return self._send(302, headers={"Location": "/error/404.html"})
        if f"BDCLND=ok-{surl}" not in (self.headers.get("Cookie") or ""):
            return self._send(302, headers={"Location": f"/share/init?surl={surl}"})
        expiry = "过期时间：2026-12-01 10:00" if surl == EXPIRING else "过期时间：永久有效"
        return self._send(200, page(f"<div class='file-list'>智能手机入门（共12讲）</div><span>{expiry}</span>"))

    def do_POST(self):
        self.server.requests.append(("POST", self.path))
        url = urlsplit(self.path)
        surl = parse_qs(url.query).get("surl", [""])[0]
        length = int(self.headers.get("Content-Length") or 0)
        pwd = parse_qs(self.rfile.read(length).decode()).get("pwd", [""])[0]
        if url.path != "/share/verify":
            return self._send(404)
        if surl == CAPTCHA:
            errno = -62
        elif not pwd:
            errno = -12
        else:
            errno = 0 if pwd == CODES.get(surl) else -9
        cookie = {"Set-Cookie": f"BDCLND=ok-{surl}; Path=/"} if errno == 0 else {}
        body = json.dumps({"errno": errno, "err_msg": "", "request_id": 8213447219})
        return self._send(200, body, cookie, "application/json")


@pytest.fixture
def baidu():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBaidu)
    server.daemon_threads = True
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def settings_for(server, **kwargs) -> LinkCheckSettings:
    base = f"http://127.0.0.1:{server.server_address[1]}"
    return LinkCheckSettings(enabled=True, timeout=5.0, min_interval=0.0, base_urls={"baidu": base}, **kwargs)


def link(surl: str, code: str | None = None) -> ShareLink:
    [found] = find_links(f"链接：https://pan.baidu.com/s/1{surl}" + (f" 提取码：{code}" if code else ""), "正文")
    return found


def test_share_with_right_code_is_alive_and_permanent(baidu):
    lk = link(ALIVE, "a1b2")
    check_links([lk], settings_for(baidu))
    assert (lk.check, lk.expires) == ("alive", False)
    assert [m for m, _ in baidu.requests] == ["GET", "POST", "GET"]
    assert baidu.requests[1][1].startswith(f"/share/verify?surl={ALIVE}&")


def test_wrong_code_is_reported(baidu):
    lk = link(ALIVE, "zzzz")
    check_links([lk], settings_for(baidu))
    assert (lk.check, lk.check_detail) == ("wrong_code", "提取码错误")


@pytest.mark.parametrize(
    ("surl", "detail"),
    [(DELETED, "分享的文件已被删除"), (CANCELLED, "分享已被取消"), (GONE, "链接不存在")],
)
def test_deleted_cancelled_and_missing_shares_are_dead(baidu, surl, detail):
    lk = link(surl, "a1b2")
    check_links([lk], settings_for(baidu))
    assert (lk.check, lk.check_detail) == ("dead", detail)


def test_redirect_to_the_error_page_is_dead(baidu):
    lk = link("UnKnOwNsHaReAbCdEfGhIj", "a1b2")
    check_links([lk], settings_for(baidu))
    assert lk.check == "dead"


def test_share_with_an_expiry_date_is_marked_as_expiring(baidu):
    lk = link(EXPIRING, "e5f6")
    check_links([lk], settings_for(baidu))
    assert (lk.check, lk.expires, lk.check_detail) == ("alive", True, "过期时间：2026-12-01 10:00")


def test_share_without_a_code_exists_but_is_not_verified(baidu):
    lk = link(ALIVE)
    check_links([lk], settings_for(baidu))
    assert lk.check == "alive" and "未附提取码" in lk.check_detail
    assert all(m == "GET" for m, _ in baidu.requests)


def test_old_public_share_is_read_from_its_page(baidu):
    [lk] = find_links("https://pan.baidu.com/share/link?shareid=1234567890&uk=2887812345", "正文")
    check_links([lk], settings_for(baidu))
    assert lk.check == "alive" and not lk.expires


def test_captcha_is_unknown_and_stops_further_requests_to_the_provider(baidu):
    first, second = link(CAPTCHA, "c3d4"), link(ALIVE, "a1b2")
    check_links([first, second], settings_for(baidu, concurrency=1))
    assert first.check == second.check == "unknown"
    assert "验证码" in first.check_detail
    assert not any(p.startswith(f"/s/1{ALIVE}") for _, p in baidu.requests)


def test_results_are_cached_per_link_and_code_but_unknown_is_retried(baidu, tmp_path):
    cfg = settings_for(baidu, cache_path=tmp_path / "linkcheck.json")
    check_links([link(ALIVE, "a1b2"), link(DELETED, "a1b2"), link(CAPTCHA, "c3d4")], cfg)
    before = len(baidu.requests)
    again = [link(ALIVE, "a1b2"), link(DELETED, "a1b2"), link(CAPTCHA, "c3d4")]
    check_links(again, cfg)
    assert [lk.check for lk in again] == ["alive", "dead", "unknown"]
    retried = [p for _, p in baidu.requests[before:]]
    assert len(retried) == 2 and retried[0] == f"/s/1{CAPTCHA}" and retried[1].startswith("/share/verify")
    other_code = link(ALIVE, "zzzz")
    check_links([other_code], cfg)
    assert other_code.check == "wrong_code"


def test_same_link_twice_in_one_run_is_fetched_once(baidu):
    links = [link(DELETED, "a1b2"), link(DELETED, "a1b2")]
    check_links(links, settings_for(baidu))
    assert [lk.check for lk in links] == ["dead", "dead"]
    assert baidu.requests == [("GET", f"/s/1{DELETED}")]


def test_disabled_check_does_nothing(baidu):
    lk = link(ALIVE, "a1b2")
    check_links([lk], LinkCheckSettings(base_urls=settings_for(baidu).base_urls))
    assert lk.check is None and baidu.requests == []


def test_malformed_links_and_other_providers_are_not_fetched(baidu):
    [bad] = find_links("https://pan.baidu.com/s/1AbC… 提取码：a1b2", "正文")
    [quark] = find_links("https://pan.quark.cn/s/4e1ab6b1a44d", "正文")
    check_links([bad, quark], settings_for(baidu))
    assert bad.check is None
    assert (quark.check, quark.check_detail) == ("unknown", "暂不支持在线检查该网盘")
    assert baidu.requests == []


def test_network_failure_is_unknown_not_dead():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nobody listens there
    lk = link(ALIVE, "a1b2")
    check_links([lk], LinkCheckSettings(enabled=True, timeout=2.0, min_interval=0.0,
                                        base_urls={"baidu": f"http://127.0.0.1:{port}"}))
    assert lk.check == "unknown" and "网络错误" in lk.check_detail


def test_server_slower_than_the_timeout_is_unknown(baidu):
    lk = link(SLOW, "s7s7")
    cfg = settings_for(baidu)
    cfg.timeout = 0.2
    check_links([lk], cfg)
    assert lk.check == "unknown"


def test_checked_links_become_the_submitters_defects(baidu):
    links = [link(DELETED, "a1b2"), link(ALIVE, "zzzz"), link(EXPIRING, "e5f6"), link(CAPTCHA, "c3d4")]
    check_links(links, settings_for(baidu, concurrency=1))
    sub = Submission(MailMessage(message_id="<a@b>"), SubjectInfo(raw=""), links=links)
    found = [d.code for rule in (check_link_dead, check_link_code_wrong, check_link_expires)
             for d in rule(sub, Campaign())]
    assert found == ["LINK_DEAD", "LINK_CODE_WRONG", "LINK_EXPIRES"]


def test_an_accepted_link_that_dies_later_is_found_by_the_daily_recheck_and_shown_in_the_digest(
        baidu, settings, monkeypatch, freeze):
    """Accepted with a live link; the unit cancels the share; the next morning's pass finds it dead."""
    from datetime import datetime, timedelta, timezone

    from ingest.jobs.digest import build_digest
    from ingest.core.pipeline import Pipeline
    from ingest.jobs.recheck import recheck_links_if_due
    from ingest.samples.forms import build_course_form
    from ingest.samples.mails import MailSpec, build_mail

    unit = "杭州市西湖区社区学院"
    settings.links = settings_for(baidu)
    settings.campaign.require_scan = False
    raw = build_mail(MailSpec(subject=f"{unit}+智慧助老材料+1个",
                              body=f"课程视频：https://pan.baidu.com/s/1{ALIVE} 提取码：a1b2",
                              attachments=[(f"{unit}+课程资源.docx", build_course_form(name="手机挂号不求人", unit=unit))]))
    pipeline = Pipeline(settings)
    cst = timezone(timedelta(hours=8))
    with freeze(datetime(2022, 4, 20, 10, 30, tzinfo=cst)):
        assert pipeline.process(raw, "inbox/1.eml").status == "accepted"
    monkeypatch.setitem(DEAD_PAGES, ALIVE, "啊哦，你来晚了，分享的文件已经被取消了，下次要早点哟。")
    early = datetime(2022, 4, 21, 7, 0, tzinfo=cst)
    assert recheck_links_if_due(settings, pipeline.db, early) is None  # before digest_at (08:00)
    morning = datetime(2022, 4, 21, 8, 5, tzinfo=cst)
    assert recheck_links_if_due(settings, pipeline.db, morning) == 1
    requests = len(baidu.requests)
    assert recheck_links_if_due(settings, pipeline.db, morning + timedelta(hours=2)) is None  # once a day
    assert len(baidu.requests) == requests
    with freeze(morning):
        digest = build_digest(pipeline.db, settings, morning.date() - timedelta(days=1))
    text = digest.get_body(("plain",)).get_content()
    dead = text.split("四、通过后失效的网盘链接")[1].split("五、")[0]
    assert unit in dead and ALIVE in dead and "分享已被取消" in dead


def test_the_recheck_keeps_a_definite_answer_when_the_provider_cannot_be_reached(baidu, settings):
    """A network failure during the re-check says nothing about the link: the earlier answer stands."""
    from datetime import datetime, timedelta, timezone

    from ingest.core.pipeline import Pipeline
    from ingest.jobs.recheck import recheck_links_if_due
    from ingest.samples.forms import build_course_form
    from ingest.samples.mails import MailSpec, build_mail
    from storage.links import standing_links

    unit = "杭州市西湖区社区学院"
    settings.campaign.require_scan = False
    raw = build_mail(MailSpec(subject=f"{unit}+智慧助老材料+1个",
                              body=f"课程视频：https://pan.baidu.com/s/1{ALIVE} 提取码：a1b2",
                              attachments=[(f"{unit}+课程资源.docx", build_course_form(name="手机挂号不求人", unit=unit))]))
    pipeline = Pipeline(settings)
    pipeline.process(raw, "inbox/1.eml")
    settings.links = settings_for(baidu)
    morning = datetime(2022, 4, 21, 8, 5, tzinfo=timezone(timedelta(hours=8)))
    assert recheck_links_if_due(settings, pipeline.db, morning) == 1
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.links = LinkCheckSettings(enabled=True, timeout=1.0, min_interval=0.0,
                                       base_urls={"baidu": f"http://127.0.0.1:{port}"})
    assert recheck_links_if_due(settings, pipeline.db, morning + timedelta(days=1)) == 0
    [(_, link)] = standing_links(pipeline.db)
    assert link.check == "alive"  # "could not check" today does not undo yesterday's answer
