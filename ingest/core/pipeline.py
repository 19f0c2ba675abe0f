"""The intake pipeline, top to bottom: store → parse → classify → judge → file → reply.

Each step is a plain function (ingest/core/steps.py); `Pipeline.process` is the only place that
strings them together and touches the edges (file store, database, outbox).
A message is never lost: its raw bytes are stored before anything is read,
and any failure after that becomes a recorded outcome, not a crash.
"""

from __future__ import annotations

import logging
import traceback
from datetime import datetime
from pathlib import Path

from ingest.config.settings import Settings
from ingest.core.delivery import delivery_for
from ingest.core.failures import failure_in_words
from ingest.core.materials import AttachmentReader
from ingest.core.routing import route
from ingest.core.steps import Outcome, classify, coordinator_note, not_a_submission, read_materials, verdict
from ingest.jobs.linkcheck import check_links
from notifier.autoreply import automated_reason
from notifier.notices import compose_coordinator_note
from notifier.outbox import outgoing
from notifier.recipients import ignored_reply_to, reply_address, roster_unit
from notifier.reply import compose_reply, reply_template
from parsers import limits
from parsers.email import parse_message, thread_ids
from parsers.facts import Defect, MailMessage, SubjectInfo, Submission
from rules import judge
from rules.campaign import Campaign
from rules.collection import place_in_collection
from rules.timing import sending_time
from rules.units import resolve_unit, sender_not_allowed
from rules.vocabulary import Status
from storage.database import Database
from storage.files import FileStore
from storage.models import Outgoing
from storage.outgoing import queue

log = logging.getLogger(__name__)


class Pipeline:
    """The edges (file store, database, outbox) and the order of the steps."""

    def __init__(self, settings: Settings, database: Database | None = None):
        self.settings = settings
        self.files = FileStore(settings.files_dir)
        self.db = database or Database(settings.database_url)
        settings.outbox_dir.mkdir(parents=True, exist_ok=True)
        self.delivery = delivery_for(settings, self.db)

    def process(self, raw: bytes, source: str, received: datetime | None = None, retried: bool = False) -> Outcome:
        """Handle one raw message; `received` is the server's receipt time if the source has it.

        `retried`: the source fetches the message again while it is not filed
        (IMAP), and tells the coordinators itself after repeated failures.
        """
        raw_sha = self.files.put(raw)  # 1. store, before anything can fail
        try:
            return self._process(raw, raw_sha, source, received)
        except Exception as exc:  # a bug must not stop the loop or lose the message
            log.exception("processing %s failed", source)
            return self._failed(raw_sha, source, exc, retried)

    def _process(self, raw: bytes, raw_sha: str, source: str, received: datetime | None) -> Outcome:
        with limits.reading(self.settings.limits):  # the message's time budget covers parsing too
            message = self.parse(raw)  # 2. parse
            if self.db.find_duplicate(message.message_id, raw_sha, message.sender):
                return Outcome(source, message.message_id, Status.DUPLICATE)
            reason = automated_reason(message, [self.settings.identity.address])
            if reason:
                return self._file_ignored(message, raw_sha, source, reason, received)
            sub, why = self._classify(message, received)  # 3. classify, under the profile it belongs to
        reason = not_a_submission(sub, self.settings.identity.address)
        if reason:
            return self._file_ignored(message, raw_sha, source, reason, received)
        if sub.profile is None:
            return self._file_review(sub, raw_sha, source, why)
        defects, status = self.assess(sub)  # 4. judge
        for att in message.attachments:
            self.files.put(att.data, durable=False)  # the raw message, stored durably, holds them too
            att.data = b""  # now in the store: an Outcome kept for a report must not hold every file of a run
        reply = None if sub.held else self.compose(sub, status, defects, f"auto:{raw_sha}")
        note = sub.held or sub.timing_note
        sid = self.db.file_submission(sub, raw_sha256=raw_sha, source=source, status=status, defects=defects,
                                      note=note, outgoing=[reply] if reply else [])  # 5. file, with its reply
        if sid is None:  # another worker filed the same mail first
            return Outcome(source, message.message_id, Status.DUPLICATE)
        outcome = Outcome(source, message.message_id, status, sub, defects, sid, note=note)
        outcome.reply_path = self.deliver(reply.key if reply else None)  # 6. reply
        return outcome

    def parse(self, raw: bytes) -> MailMessage:
        """The message read, its archives opened within `[archives]`, its files past `[limits]` marked.

        Under a time budget (`limits.reading`), a parse that used it up stops
        here: unpacking archives and forwarded mail is reading too.
        """
        message = parse_message(raw, self.settings.archives)
        limits.check()
        limits.limit_files(message.attachments, self.settings.limits, len(raw))
        return message

    def reread(self, raw: bytes, profile: str | None = None) -> tuple[Submission, str]:
        """A stored raw mail parsed and classified again under one time budget, as `_process` reads it."""
        with limits.reading(self.settings.limits):
            return self._classify(self.parse(raw), profile=profile)

    def _classify(self, message: MailMessage, received: datetime | None = None,
                  profile: str | None = None) -> tuple[Submission, str]:
        """The facts of a message under its profile: the one named, else the one routing finds.

        A message no profile (or several) fits is classified under the first
        and comes back with `profile` None, to be held for review; the second
        value says why, for the coordinator. Called within the message's time
        budget (`_process` and `reread` open it before parsing): past it,
        OverBudget (ours) is raised.
        """
        materials = read_materials(message, self.settings.cache_dir)
        reader = AttachmentReader(message.attachments)
        chosen = self.settings.profile(profile) if profile else None
        routed = route(message.subject, materials, reader, self.settings.profiles()) if chosen is None else None
        campaign = chosen or routed.campaign or self.settings.campaign
        sub = classify(message, campaign, self.settings.cache_dir, received, materials, reader)
        if chosen is None and routed.campaign is None:
            sub.profile = None
        return sub, routed.why if routed else "协调人指定"

    def campaign_of(self, sub: Submission) -> Campaign:
        """The profile a submission was judged under (the first active one for a mail held for review)."""
        return self.settings.profile(sub.profile) or self.settings.campaign

    def _known_unit(self, sub: Submission, campaign: Campaign):
        known = self.db.known_unit(sub.message.sender, thread_ids(sub.message))
        unit = resolve_unit(sub, campaign.roster, known.unit, known.how)
        sub.unit, sub.unit_evidence = unit.name, unit.evidence
        return known

    def assess(self, sub: Submission) -> tuple[list[Defect], str]:
        """Who it is from, what is wrong, where it stands in the collection: the verdict on a classified mail."""
        if self.settings.links.enabled:
            check_links(sub.links, self.settings.links)
        campaign = self.campaign_of(sub)
        known = self._known_unit(sub, campaign)
        defects = judge(sub, campaign)
        place_in_collection(sub, known.answers_our_notice)
        sub.held = sender_not_allowed(sub, campaign.roster)
        sub.timing_note = coordinator_note(sub.timing_note, ignored_reply_to(sub, campaign))
        return defects, Status.REVIEW if sub.held else verdict(defects)

    def _file_review(self, sub: Submission, raw_sha: str, source: str, why: str) -> Outcome:
        """A mail that fits no active profile, or several: filed for the coordinator, nobody answered."""
        self._known_unit(sub, self.settings.campaign)
        sid = self.db.file_submission(sub, raw_sha256=raw_sha, source=source, status=Status.REVIEW, defects=[],
                                      note=why)
        if sid is None:
            return Outcome(source, sub.message.message_id, Status.DUPLICATE)
        return Outcome(source, sub.message.message_id, Status.REVIEW, sub, [], sid, note=why)

    def _file_ignored(self, message: MailMessage, raw_sha: str, source: str, reason: str,
                      received: datetime | None) -> Outcome:
        timing = sending_time(message.date, received or message.received, self.settings.campaign.zone)
        sub = Submission(message=message, subject=SubjectInfo(raw=message.subject), sent_at=timing.moment)
        sid = self.db.file_submission(sub, raw_sha256=raw_sha, source=source, status=Status.IGNORED,
                                      defects=[], note=reason)
        return Outcome(source, message.message_id, Status.IGNORED, sub, [], sid, note=reason)

    def compose(self, sub: Submission, status: str, defects: list[Defect], key: str) -> Outgoing | None:
        """The receipt, notice or late note for a submission, ready to queue; None when nobody can be answered."""
        if not reply_address(sub.message, roster_unit(sub, self.campaign_of(sub))):
            return None
        reply = compose_reply(sub, status, defects, self.settings.identity,
                              templates_dir=self.settings.templates_dir, campaign=self.campaign_of(sub))
        return outgoing(reply, key, reply_template(sub, status))

    def reply(self, sub: Submission, status: str, defects: list[Defect], sid: int, purpose: str) -> Path | None:
        """Queue and deliver a later reply (a coordinator's); at most one per submission and purpose."""
        item = self.compose(sub, status, defects, f"{purpose}:{sid}")
        if item is None or not queue(self.db, item, sid):
            return None
        return self.deliver(item.key)

    def deliver(self, key: str | None = None) -> Path | None:
        """Send what is due; the outbox file written for `key`, in a dry run."""
        results = self.delivery.run()
        return next((r.path for r in results if r.key == key), None)

    def _failed(self, raw_sha: str, source: str, exc: Exception, retried: bool = False) -> Outcome:
        """Our failure, not the submitter's: file it as an error and tell the coordinators in words."""
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        words = failure_in_words(exc)
        message = self._stored_message(raw_sha, detail)
        sub = Submission(message=message, subject=SubjectInfo(raw=message.subject))
        sid = None
        try:
            sid = self.db.file_submission(sub, raw_sha256=raw_sha, source=source, status=Status.ERROR,
                                          defects=[], note=words)
        except Exception:
            log.exception("recording the failure of %s failed too", source)
        where = (f"可运行“intake show {sid}”查看，问题排除后用“intake reprocess {sid}”重新审核"
                 if sid else f"重新运行 intake ingest 处理该邮件即可再试（来源：{source}）")
        problems = [f"自动处理这封来信时出错：{words}。这不是报送单位的问题，系统没有给对方发送任何邮件。",
                    f"原始邮件已完整保存在 {self.files.path(raw_sha)}，{where}。", f"技术细节（供维护人员）：{detail}"]
        if sid or not retried:  # unfiled mail its source fetches again is told of after repeated failures
            self.tell_coordinators(message, problems, f"note:{raw_sha}", sid)  # one note per mail
        return Outcome(source, message.message_id, Status.ERROR, sub, submission_id=sid, note=words)

    def tell_unfiled(self, raw_sha: str, words: str, attempts: int) -> None:
        """Tell the coordinators, once, that a mail its source keeps fetching still could not be filed."""
        problems = [f"这封来信已连续 {attempts} 次未能登记：{words}。这不是报送单位的问题，系统没有给对方发送任何邮件。",
                    f"原始邮件已完整保存在 {self.files.path(raw_sha)}；它在邮箱中保持原样（不标记为已读、不移动），"
                    "系统会继续定时重试，登记成功后照常审核、答复。",
                    "请检查数据库是否可用（数据库服务是否运行、磁盘空间、读写权限）。"]
        self.tell_coordinators(self._stored_message(raw_sha), problems, f"note:unfiled:{raw_sha}")

    def tell_coordinators(self, message: MailMessage, problems: list[str], key: str,
                          sid: int | None = None) -> None:
        """Queue and send a note to the coordinators, once per `key`; failing to tell is logged, never raised."""
        if not self.settings.coordinators:
            return
        try:
            note = compose_coordinator_note(message, problems, self.settings.identity,
                                            self.settings.coordinators, tz=self.settings.campaign.zone)
            queue(self.db, outgoing(note, key, "note"), sid)
            self.deliver()
        except Exception:  # a filed failure still shows in `intake list --status error`
            log.exception("telling the coordinators (%s) failed", key)

    def _stored_message(self, raw_sha: str, detail: str = "") -> MailMessage:
        """The stored raw mail parsed again for a note; a stand-in naming its hash if even that fails."""
        try:
            return parse_message(self.files.get(raw_sha), self.settings.archives)
        except Exception:
            return MailMessage(message_id=f"<sha256-{raw_sha[:32]}@intake.invalid>",
                               problems=[detail] if detail else [])
