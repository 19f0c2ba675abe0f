"""What a coordinator can do to a filed submission: accept, reject, re-judge, answer again, export, download.

The CLI and the web console call these; each change is kept in the history
(`storage.changes`), and nothing is mailed to the submitter unless asked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ingest.core.failures import failure_in_words
from ingest.core.pipeline import Pipeline
from ingest.core.progress import ProgressFactory, no_progress
from ingest.coordinator.statistics import stats_summaries
from notifier.workbook import export_workbook
from parsers.email import parse_message
from parsers.facts import Defect, Submission
from rules.vocabulary import Status, status_title
from storage import changes
from storage.collection import load_collection
from storage.files import sha256_hex
from storage.mapping import StoredSubmission


log = logging.getLogger(__name__)


class NotFound(LookupError):
    """No submission with that id; the message is Chinese."""


@dataclass
class Done:
    stored: StoredSubmission
    reply_path: Path | None = None
    error: str | None = None  # why re-judging failed (ours), in words; the earlier verdict stands


def _load(pipeline: Pipeline, submission_id: int) -> StoredSubmission:
    stored = pipeline.db.load(submission_id)
    if stored is None:
        raise NotFound(f"没有编号为 {submission_id} 的来信记录。")
    return stored


def _with_raw_message(pipeline: Pipeline, stored: StoredSubmission) -> Submission:
    """The stored facts with the message re-read from the raw mail (headers for threading the reply)."""
    sub = stored.submission
    sub.message = parse_message(pipeline.files.get(stored.raw_sha256), pipeline.settings.archives)
    return sub


def _notify(pipeline: Pipeline, stored: StoredSubmission, purpose: str) -> Path | None:
    return pipeline.reply(_with_raw_message(pipeline, stored), stored.status, stored.defects, stored.id, purpose)


def decide(pipeline: Pipeline, submission_id: int, accept: bool, note: str, notify: bool,
           actor: str | None = None) -> Done:
    """A coordinator's verdict, kept in the history with who gave it; `notify` sends the corrected receipt or notice."""
    _load(pipeline, submission_id)
    if accept:
        changes.override(pipeline.db, submission_id, Status.ACCEPTED, note, "accept", actor=actor)
    else:
        changes.override(pipeline.db, submission_id, Status.DEFECTIVE, note, "reject",
                         Defect("COORDINATOR_REJECTED", "error", f"征集工作组审核意见：{note}", "协调人审核"), actor)
    stored = _load(pipeline, submission_id)
    action = "accept" if accept else "reject"
    path = _notify(pipeline, stored, f"{action}-{len(changes.history(pipeline.db, submission_id))}") if notify else None
    return Done(stored, path)


def reprocess(pipeline: Pipeline, submission_id: int, notify: bool = False, profile: str | None = None,
              actor: str | None = None, first_answer: bool = True) -> Done:
    """Judge the stored raw mail again under today's rules and configuration.

    Under `profile` when given (`intake assign`), else under the profile it
    was judged under; a mail held for review is routed again. A mail that
    failed on our side was never answered: with `first_answer` its unit gets
    the receipt or notice now, once.
    """
    stored = _load(pipeline, submission_id)
    if stored.status in (Status.IGNORED, Status.DUPLICATE):
        return Done(stored)
    decision = next((h for h in reversed(changes.history(pipeline.db, submission_id))
                     if h.action in ("accept", "reject")), None)
    try:
        sub, why = pipeline.reread(pipeline.files.get(stored.raw_sha256), profile or stored.submission.profile)
        if sub.profile is not None:
            defects, status = pipeline.assess(sub)
    except Exception as exc:  # ours again (a binary still missing, a budget): the verdict on file stands
        log.exception("reprocessing submission %s failed", submission_id)
        words = failure_in_words(exc)
        changes.note_action(pipeline.db, submission_id, "reprocess", f"重新审核时出错：{words}", actor)
        return Done(_load(pipeline, submission_id), error=words)
    if sub.profile is None:
        changes.refile(pipeline.db, submission_id, sub, Status.REVIEW, [], why, actor)
        return Done(_load(pipeline, submission_id))
    changes.refile(pipeline.db, submission_id, sub, status, defects, sub.held or sub.timing_note, actor)
    if decision is not None:  # a coordinator's decision outlives a re-run of the rules
        decide(pipeline, submission_id, decision.action == "accept", decision.note, notify=False,
               actor=decision.actor)
    failed_before = stored.status == Status.ERROR
    stored = _load(pipeline, submission_id)
    path = None
    if notify:
        path = _notify(pipeline, stored, f"reprocess-{len(changes.history(pipeline.db, submission_id))}")
    elif failed_before and first_answer and stored.status in (Status.ACCEPTED, Status.DEFECTIVE):  # unit kept waiting
        path = _notify(pipeline, stored, "first")
    return Done(stored, path)


def assign(pipeline: Pipeline, submission_id: int, profile: str, notify: bool = True,
           actor: str | None = None) -> Done:
    """Judge a mail (one held for review, typically) under the profile the coordinator chose.

    `notify` sends the receipt or notice it now calls for: a mail held for
    review was not answered yet.
    """
    campaign = pipeline.settings.profile(profile)
    if campaign is None:
        names = "、".join(c.name for c in pipeline.settings.profiles())
        raise NotFound(f"没有名为“{profile}”的征集配置（当前启用：{names}；也可用 intake profiles 查看内置配置）。")
    _load(pipeline, submission_id)
    done = reprocess(pipeline, submission_id, notify=False, profile=campaign.name, actor=actor, first_answer=False)
    changes.note_action(pipeline.db, submission_id, "assign", f"协调人指定征集：{campaign.name}（{campaign.title}）",
                        actor)
    path = _notify(pipeline, done.stored, f"assign-{len(changes.history(pipeline.db, submission_id))}") if notify else None
    return Done(_load(pipeline, submission_id), path)


def resend(pipeline: Pipeline, submission_id: int, actor: str | None = None) -> Done:
    """Answer the submitter again with the reply its current status calls for."""
    stored = _load(pipeline, submission_id)
    if stored.status not in (Status.ACCEPTED, Status.DEFECTIVE):
        raise NotFound(f"编号 {submission_id} 的来信状态为“{status_title(stored.status)}”，没有可以重发的回复。")
    changes.note_action(pipeline.db, submission_id, "resend", "重新发送回复", actor)
    return Done(stored, _notify(pipeline, stored, f"resend-{len(changes.history(pipeline.db, submission_id))}"))


def reprocess_all(pipeline: Pipeline, notify: bool = False, progress: ProgressFactory = no_progress) -> list[Done]:
    """Judge every stored mail again, oldest first, rebuilding the collection from scratch."""
    changes.reset_collection(pipeline.db)
    judged = (Status.ACCEPTED, Status.DEFECTIVE, Status.REVIEW, Status.ERROR)
    ids = [stored.id for stored in pipeline.db.load_all(statuses=judged)]
    done = []
    with progress("重新审核", len(ids)) as advance:
        for submission_id in ids:
            done.append(reprocess(pipeline, submission_id, notify))
            advance()
    return done


def export(pipeline: Pipeline) -> tuple[bytes, int]:
    """The 信息汇总表 workbook of the standing collection, and how many materials it lists."""
    campaign = pipeline.settings.campaign
    standing = load_collection(pipeline.db)
    materials = standing.materials()
    stats = stats_summaries(standing.submissions, pipeline.settings.profiles())
    return export_workbook(materials, standing.units(campaign.roster), campaign.zone, stats), len(materials)


def raw_mail(pipeline: Pipeline, submission_id: int) -> bytes:
    """The mail exactly as it arrived."""
    return pipeline.files.get(_load(pipeline, submission_id).raw_sha256)


def attachment(pipeline: Pipeline, submission_id: int, material_id: int) -> tuple[str, bytes]:
    """(file name, bytes) of one material of a submission, looked up by id, never by a path.

    Attachments are kept in the file store when filed; one that is not there
    (the store may drop them) is cut out of the raw mail again.
    """
    stored = _load(pipeline, submission_id)
    found = next((m.material for m in stored.materials if m.id == material_id), None)
    if found is None:
        raise NotFound(f"编号 {submission_id} 的来信中没有这份材料。")
    if found.sha256 in pipeline.files:
        return found.filename, pipeline.files.get(found.sha256)
    message = parse_message(pipeline.files.get(stored.raw_sha256), pipeline.settings.archives)
    data = next((a.data for a in message.attachments if sha256_hex(a.data) == found.sha256), None)
    if data is None:
        raise NotFound(f"原始邮件中找不到《{found.filename}》。")
    return found.filename, data
