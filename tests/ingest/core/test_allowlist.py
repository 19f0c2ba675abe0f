"""A roster unit's allowlist: only its listed senders are answered automatically; other mail waits for a coordinator.

The collection address is public, so anyone can send mail "from" 沈阳市社区教育指导中心.
Where the roster lists who may send for a unit, mail for it from anywhere
else is read, judged and filed, but held for review: no receipt, no notice.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
from datetime import datetime

import pytest

from ingest.coordinator import actions as coordinator
from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail
from ingest.samples.paper import scanned, to_pdf
from ingest.samples.scans import render_form_pages
from rules.units import roster_from_config

UNIT = "沈阳市社区教育指导中心"
NAME = "“智慧助老·银龄学堂”社区行"


@pytest.fixture(scope="module")
def attachments():
    scan = to_pdf([scanned(p, skew=0.4) for p in render_form_pages("case", NAME, UNIT)])
    return [(f"{UNIT}+案例.docx", build_case_form(name=NAME, unit=UNIT)), (f"{UNIT}+案例盖章扫描件.pdf", scan)]


def _mail(sender: str, attachments, n: int = 1) -> bytes:
    return build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", sender=("沈阳市社区教育指导中心 李老师", sender),
                               attachments=attachments, date=datetime(2022, 4, 22, 9, 0, tzinfo=CST),
                               message_id=f"<allow-{n}@example.cn>"))


def _recipients(settings) -> list[str]:
    return [email.utils.parseaddr(str(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"]))[1]
            for p in sorted(settings.outbox_dir.glob("*.eml"))]


@pytest.fixture
def pipeline(settings):
    settings.coordinators = []
    settings.campaign.roster = roster_from_config([
        {"name": UNIT, "aliases": ["沈阳市社区教育中心"], "allowlist": ["sysqjy@163.com", "@sy.gov.cn"]}])
    return Pipeline(settings)


@pytest.mark.parametrize("sender", ["sysqjy@163.com", "liwei@sy.gov.cn", "SYSQJY@163.COM"])
def test_mail_from_a_listed_address_or_domain_is_answered_as_usual(pipeline, attachments, sender):
    outcome = pipeline.process(_mail(sender, attachments), "inbox/1.eml")
    assert outcome.status == "accepted", [d.message for d in outcome.defects]
    assert [r.lower() for r in _recipients(pipeline.settings)] == [sender.lower()]


@pytest.mark.parametrize("sender", ["someone@qq.com", "liwei@evil-sy.gov.cn", "sy.gov.cn@qq.com"])
def test_mail_for_the_unit_from_elsewhere_is_held_for_review_unanswered(pipeline, attachments, sender):
    outcome = pipeline.process(_mail(sender, attachments), "inbox/1.eml")
    assert outcome.status == "review"
    assert sender in outcome.note and "允许发件地址" in outcome.note
    assert _recipients(pipeline.settings) == [], "nobody is answered automatically"
    stored = pipeline.db.load(outcome.submission_id)
    assert stored.status == "review" and stored.unit == UNIT
    assert {m.kind for m in stored.submission.materials} == {"case", "scan"}, "judged and filed all the same"


def test_a_coordinator_accepting_held_mail_answers_it(pipeline, attachments):
    outcome = pipeline.process(_mail("someone@qq.com", attachments), "inbox/1.eml")
    done = coordinator.decide(pipeline, outcome.submission_id, True, "已电话核实为该单位工作人员", notify=True)
    assert done.stored.status == "accepted"
    assert _recipients(pipeline.settings) == ["someone@qq.com"]


def test_a_held_mail_stays_held_when_judged_again(pipeline, attachments):
    outcome = pipeline.process(_mail("someone@qq.com", attachments), "inbox/1.eml")
    done = coordinator.reprocess(pipeline, outcome.submission_id)
    assert done.stored.status == "review" and "允许发件地址" in done.stored.note
    assert _recipients(pipeline.settings) == []


def test_units_without_an_allowlist_take_mail_from_anyone(settings, attachments):
    settings.coordinators = []
    settings.campaign.roster = roster_from_config([{"name": UNIT, "addresses": ["sysqjy@163.com"]}])
    outcome = Pipeline(settings).process(_mail("someone@qq.com", attachments), "inbox/1.eml")
    assert outcome.status == "accepted"
    assert _recipients(settings) == ["someone@qq.com"]


def test_the_allowlist_is_read_from_the_configuration(tmp_path):
    from ingest.config.settings import ConfigError, load_settings

    path = tmp_path / "intake.toml"
    path.write_text(f'[roster]\nunits = [{{ name = "{UNIT}", allowlist = ["@sy.gov.cn"] }}]\n', "utf-8")
    [unit] = load_settings(path).campaign.roster.units
    assert unit.allowlist == ["@sy.gov.cn"] and unit.allows("wang@sy.gov.cn") and not unit.allows("wang@qq.com")
    path.write_text(f'[roster]\nunits = [{{ name = "{UNIT}", allowlist = "@sy.gov.cn" }}]\n', "utf-8")
    with pytest.raises(ConfigError, match="allowlist"):
        load_settings(path)
