"""The message's time budget (`[limits] message_seconds`) starts before parsing: unpacking is reading too."""

from __future__ import annotations

from datetime import datetime

from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail
from parsers.limits import ReadingLimits

UNIT = "鞍山市铁东区社区教育学院"


def _mail() -> bytes:
    return build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", sender=("铁东区社区教育学院", "tdsqjy@163.com"),
                               attachments=[(f"{UNIT}+案例.docx", build_case_form(name="“数字助老”课堂", unit=UNIT))],
                               date=datetime(2022, 4, 20, 10, 30, tzinfo=CST), message_id="<budget-1@163.com>"))


def test_a_parse_that_uses_up_the_budget_stops_the_message_as_our_error(settings):
    """A 1 ms budget: parsing this mail (MIME walk, base64, the docx sniffed) takes longer than that.

    The budget used to start after parsing, and with one attachment its only
    check came microseconds later: the mail was judged however long the parse took.
    """
    settings.limits = ReadingLimits(message_seconds=0.001)
    outcome = Pipeline(settings).process(_mail(), "inbox/1.eml")
    assert outcome.status == "error" and "message_seconds" in outcome.note
    sent = " ".join(path.read_text("utf-8", "replace") for path in settings.outbox_dir.glob("*.eml"))
    assert "tdsqjy@163.com" not in sent, "the unit hears nothing of our time limit"


def test_the_same_mail_within_the_default_budget_is_judged(settings):
    outcome = Pipeline(settings).process(_mail(), "inbox/1.eml")
    assert outcome.status in ("accepted", "defective") and outcome.submission_id


def test_reprocessing_reads_the_raw_mail_again_under_the_same_budget(settings):
    """`intake reprocess` parses the stored mail afresh: that parse is within the budget too."""
    from ingest.coordinator import actions as coordinator

    outcome = Pipeline(settings).process(_mail(), "inbox/1.eml")
    settings.limits = ReadingLimits(message_seconds=0.001)
    done = coordinator.reprocess(Pipeline(settings), outcome.submission_id)
    assert done.error and "message_seconds" in done.error
    assert done.stored.status == outcome.status, "the verdict on file stands"
