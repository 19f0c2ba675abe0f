"""A public mailbox is hostile (issue 20): forged senders, borrowed Reply-To addresses, absurd MIME nesting.

Each case goes in as raw mail through `Pipeline.process`, the way the
service takes it, with a roster whose unit lists the one address it sends from.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
from datetime import datetime

import pytest

from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail
from ingest.samples.paper import scanned, to_pdf
from ingest.samples.scans import render_form_pages
from rules.units import roster_from_config

UNIT = "杭州市西湖区社区学院"
NAME = "“银龄触网”智能手机应用进社区"
OWN = "xihu_sqxy@163.com"


@pytest.fixture(scope="module")
def attachments():
    scan = to_pdf([scanned(p, skew=0.4) for p in render_form_pages("case", NAME, UNIT)])
    return [(f"{UNIT}+案例.docx", build_case_form(name=NAME, unit=UNIT)), (f"{UNIT}+案例盖章扫描件.pdf", scan)]


@pytest.fixture
def pipeline(settings):
    settings.coordinators = []
    settings.campaign.roster = roster_from_config([{"name": UNIT, "allowlist": [OWN]}])
    return Pipeline(settings)


def _mail(attachments, n: int = 1, **spec) -> bytes:
    return build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", attachments=attachments,
                               date=datetime(2022, 4, 22, 9, 0, tzinfo=CST), message_id=f"<hostile-{n}@example.cn>",
                               **spec))


def _recipients(settings) -> list[str]:
    return [email.utils.parseaddr(str(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"]))[1]
            for p in sorted(settings.outbox_dir.glob("*.eml"))]


@pytest.mark.parametrize("from_header", [
    "=?utf-8?q?xihu=5Fsqxy=40163=2Ecom?= <attacker@evil.com>",
    "=?utf-8?b?eGlodV9zcXh5QDE2My5jb20=?= <attacker@evil.com>",
    "=?utf-8?q?xihu_sqxy@163.com?= <attacker@evil.com>",
])
def test_a_sender_forging_the_units_address_in_an_encoded_word_is_held_unanswered(pipeline, attachments, from_header):
    outcome = pipeline.process(_mail(attachments, from_header=from_header), "inbox/1.eml")
    assert outcome.status == "review"
    assert "attacker@evil.com" in outcome.note and "允许发件地址" in outcome.note
    assert _recipients(pipeline.settings) == [], "the forger is not answered"
    assert pipeline.db.load(outcome.submission_id).submission.message.sender == "attacker@evil.com"


def test_the_units_own_address_with_a_chinese_name_is_accepted_and_answered(pipeline, attachments):
    outcome = pipeline.process(_mail(attachments, sender=("西湖区社区学院 王老师", OWN)), "inbox/1.eml")
    assert outcome.status == "accepted", [d.message for d in outcome.defects]
    assert _recipients(pipeline.settings) == [OWN]
    assert outcome.submission.message.sender_name == "西湖区社区学院 王老师"


def test_a_reply_to_of_a_third_party_is_not_answered_and_the_coordinator_sees_why(pipeline, attachments):
    outcome = pipeline.process(_mail(attachments, sender=("王老师", OWN), reply_to="victim@third.example"),
                               "inbox/1.eml")
    assert outcome.status == "accepted", [d.message for d in outcome.defects]
    assert _recipients(pipeline.settings) == [OWN]
    note = "未按回复地址 victim@third.example 回复：该地址不属于发件人所在域或名册"
    assert note in outcome.note
    assert note in pipeline.db.load(outcome.submission_id).note


def test_a_reply_to_in_the_senders_own_domain_is_answered(settings, attachments):
    settings.coordinators = []
    outcome = Pipeline(settings).process(
        _mail(attachments, sender=("王老师", "wangfang@xihu.edu.cn"), reply_to="李敏 office@xihu.edu.cn"), "inbox/1.eml")
    assert outcome.status == "accepted", [d.message for d in outcome.defects]
    assert _recipients(settings) == ["office@xihu.edu.cn"]
    assert not outcome.note


def test_an_encoded_empty_return_path_does_not_pass_for_a_bounce(pipeline, attachments):
    mail = _mail(attachments, sender=("王老师", OWN), extra_headers={"Return-Path": "=?utf-8?q?=3C=3E?="})
    assert pipeline.process(mail, "inbox/1.eml").status == "accepted"
