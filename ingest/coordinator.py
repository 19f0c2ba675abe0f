"""What a coordinator can do to a filed submission: accept, reject, re-judge, answer again.

The CLI and the web console call these; each change is kept in the history
(`storage.changes`), and nothing is mailed to the submitter unless asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.pipeline import Pipeline
from ingest.progress import ProgressFactory, no_progress
from parsers.email import parse_message
from parsers.facts import Defect, Submission
from storage import changes
from storage.mapping import StoredSubmission


class NotFound(LookupError):
    """No submission with that id; the message is Chinese."""


@dataclass
class Done:
    stored: StoredSubmission
    reply_path: Path | None = None


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


def decide(pipeline: Pipeline, submission_id: int, accept: bool, note: str, notify: bool) -> Done:
    """A coordinator's verdict, kept in the history; `notify` sends the corrected receipt or notice."""
    _load(pipeline, submission_id)
    if accept:
        changes.override(pipeline.db, submission_id, "accepted", note, "accept")
    else:
        changes.override(pipeline.db, submission_id, "defective", note, "reject",
                         Defect("COORDINATOR_REJECTED", "error", f"征集工作组审核意见：{note}", "协调人审核"))
    stored = _load(pipeline, submission_id)
    action = "accept" if accept else "reject"
    path = _notify(pipeline, stored, f"{action}-{len(changes.history(pipeline.db, submission_id))}") if notify else None
    return Done(stored, path)


def reprocess(pipeline: Pipeline, submission_id: int, notify: bool = False, profile: str | None = None) -> Done:
    """Judge the stored raw mail again under today's rules and configuration.

    Under `profile` when given (`intake assign`), else under the profile it
    was judged under; a mail held for review is routed again.
    """
    stored = _load(pipeline, submission_id)
    if stored.status in ("ignored", "duplicate"):
        return Done(stored)
    decision = next((h for h in reversed(changes.history(pipeline.db, submission_id))
                     if h.action in ("accept", "reject")), None)
    message = parse_message(pipeline.files.get(stored.raw_sha256), pipeline.settings.archives)
    sub, why = pipeline.classify(message, profile=profile or stored.submission.profile)
    if sub.profile is None:
        changes.refile(pipeline.db, submission_id, sub, "review", [], why)
        return Done(_load(pipeline, submission_id))
    defects, status = pipeline.assess(sub)
    changes.refile(pipeline.db, submission_id, sub, status, defects, sub.timing_note)
    if decision is not None:  # a coordinator's decision outlives a re-run of the rules
        decide(pipeline, submission_id, decision.action == "accept", decision.note, notify=False)
    stored = _load(pipeline, submission_id)
    path = _notify(pipeline, stored, f"reprocess-{len(changes.history(pipeline.db, submission_id))}") if notify else None
    return Done(stored, path)


def assign(pipeline: Pipeline, submission_id: int, profile: str, notify: bool = True) -> Done:
    """Judge a mail (one held for review, typically) under the profile the coordinator chose.

    `notify` sends the receipt or notice it now calls for: a mail held for
    review was not answered yet.
    """
    campaign = pipeline.settings.profile(profile)
    if campaign is None:
        names = "、".join(c.name for c in pipeline.settings.profiles())
        raise NotFound(f"没有名为“{profile}”的征集配置（当前启用：{names}；也可用 intake profiles 查看内置配置）。")
    _load(pipeline, submission_id)
    done = reprocess(pipeline, submission_id, notify=False, profile=campaign.name)
    changes.note_action(pipeline.db, submission_id, "assign", f"协调人指定征集：{campaign.name}（{campaign.title}）")
    path = _notify(pipeline, done.stored, f"assign-{len(changes.history(pipeline.db, submission_id))}") if notify else None
    return Done(_load(pipeline, submission_id), path)


def resend(pipeline: Pipeline, submission_id: int) -> Done:
    """Answer the submitter again with the reply its current status calls for."""
    stored = _load(pipeline, submission_id)
    if stored.status not in ("accepted", "defective"):
        raise NotFound(f"编号 {submission_id} 的来信状态为“{stored.status}”，没有可以重发的回复。")
    changes.note_action(pipeline.db, submission_id, "resend", "重新发送回复")
    return Done(stored, _notify(pipeline, stored, f"resend-{len(changes.history(pipeline.db, submission_id))}"))


def reprocess_all(pipeline: Pipeline, notify: bool = False, progress: ProgressFactory = no_progress) -> list[Done]:
    """Judge every stored mail again, oldest first, rebuilding the collection from scratch."""
    changes.reset_collection(pipeline.db)
    ids = [stored.id for stored in pipeline.db.load_all(statuses=("accepted", "defective", "review"))]
    done = []
    with progress("重新审核", len(ids)) as advance:
        for submission_id in ids:
            done.append(reprocess(pipeline, submission_id, notify))
            advance()
    return done
