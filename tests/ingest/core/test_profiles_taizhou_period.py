"""End to end: a Taizhou quarterly table is filed under the quarter it states, late or not, and the note says so."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime

import pytest

from ingest.config.settings import load_settings
from ingest.core.pipeline import Pipeline
from ingest.samples import profiles as samples
from ingest.samples.mails import CST

@pytest.fixture
def judge(tmp_path):
    settings = load_settings(None, db=f"sqlite:///{tmp_path / 'tz.sqlite'}", outbox=tmp_path / "outbox",
                             profiles=["taizhou-2021"])
    settings.data_dir = tmp_path / "data"
    return lambda raw: Pipeline(settings).process(raw, "inbox/taizhou.eml")


def test_a_third_quarter_table_sent_on_8_october_is_filed_under_the_third_quarter_as_late(judge):
    outcome = judge(samples.taizhou_mail(quarter="2021年第三季度", date=datetime(2021, 10, 8, 9, 0, tzinfo=CST)))
    assert outcome.submission.batch == "2021年第3季度"
    assert [d.code for d in outcome.defects] == ["LATE"]
    assert "写明为2021年第3季度" in outcome.note
    reply = email.message_from_bytes(outcome.reply_path.read_bytes(), policy=email.policy.default)
    text = reply.get_body(("plain",)).get_content()
    assert "贵单位报送的是2021年第3季度的材料，该期截止时间为 2021年9月28日 23:59" in text
    assert "最后截止时间" not in text, "the unit is told its quarter's deadline, not the campaign's last"


def test_a_third_quarter_table_sent_on_20_september_is_on_time_in_the_third_quarter(judge):
    outcome = judge(samples.taizhou_mail(quarter="2021年第三季度", date=datetime(2021, 9, 20, 9, 0, tzinfo=CST)))
    assert outcome.status == "accepted" and outcome.submission.batch == "2021年第3季度"
