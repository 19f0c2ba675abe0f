"""The database tables. Only `storage/` imports these.

One row per received message (`SubmissionRecord`, ignored ones included so a
re-sent message is recognised), with its materials, links, defects and the
reply we sent. A later corrected submission from the same unit in the same
batch points the earlier one at itself through `superseded_by`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Integer, LargeBinary, Text, TypeDecorator, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from rules.clock import now as utcnow


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on every database.

    PostgreSQL keeps them as `timestamptz`; SQLite has no zones, so the
    moment is written as UTC wall time and read back as UTC. A naive
    datetime is refused: its zone would be a guess, and guessing belongs to
    `rules.clock.localize`, before anything reaches the database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored: its zone is unknown")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _optional_moment() -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime()))


def _moment_now() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class SubmissionRecord(SQLModel, table=True):
    __tablename__ = "submission"
    # One filing per mail, enforced by the database (two workers, a crash and a retry included);
    # a failed attempt ("error") does not count, so the mail is tried again.
    __table_args__ = (
        Index("one_filing_per_raw_mail", "raw_sha256", unique=True,
              sqlite_where=text("status != 'error'"), postgresql_where=text("status != 'error'")),
        Index("one_filing_per_message_id", "message_id", "sender", unique=True,
              sqlite_where=text("status != 'error'"), postgresql_where=text("status != 'error'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(index=True)
    raw_sha256: str = Field(index=True)
    source: str = ""
    subject: str = Field(default="", sa_column=Column(Text))
    sender: str = Field(default="", index=True)
    reply_to: str = ""
    sent_at: datetime | None = _optional_moment()
    received_at: datetime = _moment_now()
    unit: str | None = None
    unit_key: str | None = Field(default=None, index=True)
    unit_evidence: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    subject_unit: str | None = None  # the unit as the subject wrote it
    keyword_found: bool = False
    declared_count: int | None = None
    batch: str | None = Field(default=None, index=True)
    late_batch: bool = False
    late: bool = False
    status: str = Field(index=True)
    profile: str | None = Field(default=None, index=True)  # the campaign profile it was judged under; None: review
    note: str | None = Field(default=None, sa_column=Column(Text))  # for the coordinator, in Chinese
    problems: str | None = Field(default=None, sa_column=Column(Text))  # parse diagnostics, for developers
    superseded_by: int | None = Field(default=None, foreign_key="submission.id")


class MaterialRecord(SQLModel, table=True):
    __tablename__ = "material"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    kind: str
    filename: str
    sha256: str
    size: int = 0
    title: str | None = None
    unit: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    pages: list[Any] = Field(default_factory=list, sa_column=Column(JSON))
    unreadable: str | None = None
    form_kind: str | None = None  # set when a Word form was read from it
    paired_with: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # its scan/Word twins
    material_key: str | None = Field(default=None, index=True)  # versions of one material share it
    superseded_by: int | None = Field(default=None, foreign_key="submission.id")  # the submission that replaced it
    superseded_reason: str | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))  # stats table, report, photo, video


class LinkRecord(SQLModel, table=True):
    __tablename__ = "share_link"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    provider: str
    url: str
    share_id: str | None = None
    code: str | None = None
    found_in: str = ""
    check: str | None = None
    check_detail: str | None = None
    checked_at: datetime | None = _optional_moment()


class DefectRecord(SQLModel, table=True):
    __tablename__ = "defect"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    code: str = Field(index=True)
    severity: str
    message: str = Field(sa_column=Column(Text))
    where: str = ""


class OutgoingRecord(SQLModel, table=True):
    """Every mail we send (replies, notes, digests, reminders): composed once, sent once.

    The unique `key` is the guarantee: `auto:<submission id>` is the answer
    on arrival, `accept-3:<id>` a coordinator's, `digest:2022-05-05` a day's
    digest. A row is written in the same transaction as what caused it and
    is marked sent only after the server took it.
    """

    __tablename__ = "outgoing"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(Text, unique=True, nullable=False))
    submission_id: int | None = Field(default=None, foreign_key="submission.id", index=True)
    kind: str  # receipt / defects / late / note / digest / reminder
    to: str  # comma-separated addresses
    message_id: str = Field(index=True)
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = _moment_now()
    status: str = Field(default="pending", index=True)  # pending / sending / sent / written / failed
    attempts: int = 0
    next_attempt_at: datetime = _moment_now()
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    sent_at: datetime | None = _optional_moment()
    outbox_path: str | None = None
    claimed_by: str | None = Field(default=None, sa_column=Column(Text))  # while `sending`: the worker's host:pid:start
    claimed_at: datetime | None = _optional_moment()


class HistoryRecord(SQLModel, table=True):
    """What a coordinator (or a re-run) changed about a submission, and why: nothing is overwritten silently."""

    __tablename__ = "history"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    at: datetime = _moment_now()
    action: str  # accept / reject / reprocess / resend
    actor: str | None = None  # the console user who did it; None from the command line or the service
    from_status: str | None = None
    to_status: str | None = None
    note: str = Field(default="", sa_column=Column(Text))


class MailboxStateRecord(SQLModel, table=True):
    """Where each watched mailbox stands: the UIDVALIDITY seen and the last UID handled, and its health."""

    __tablename__ = "mailbox_state"

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(sa_column=Column(Text, unique=True, nullable=False))
    uidvalidity: int | None = None
    last_uid: int = 0
    last_ok_at: datetime | None = _optional_moment()
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    last_error_at: datetime | None = _optional_moment()


class FetchedRecord(SQLModel, table=True):
    """One IMAP message handled: mailbox + UIDVALIDITY + UID is unique, whatever crashes in between."""

    __tablename__ = "fetched"
    __table_args__ = (UniqueConstraint("mailbox", "uidvalidity", "uid"),)

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str
    uidvalidity: int
    uid: int
    raw_sha256: str
    status: str  # the pipeline's outcome
    at: datetime = _moment_now()


class FetchRetryRecord(SQLModel, table=True):
    """An IMAP message fetched but not filed (the database failed): left unmarked on the server, tried again.

    Later UIDs move the mailbox's mark past it, so this row is what brings it
    back; it goes once the message is filed.
    """

    __tablename__ = "fetch_retry"
    __table_args__ = (UniqueConstraint("mailbox", "uidvalidity", "uid"),)

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(sa_column=Column(Text, nullable=False))
    uidvalidity: int
    uid: int
    raw_sha256: str
    attempts: int = 0
    first_failed_at: datetime = _moment_now()
    next_attempt_at: datetime = _moment_now()
    last_error: str | None = Field(default=None, sa_column=Column(Text))


class ChoreRecord(SQLModel, table=True):
    """A periodic job done, e.g. `linkcheck:2022-05-06`: the unique key makes it once per period."""

    __tablename__ = "chore"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(Text, unique=True, nullable=False))
    done_at: datetime = _moment_now()
    outcome: str = Field(default="", sa_column=Column(Text))


class UserRecord(SQLModel, table=True):
    __tablename__ = "console_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, unique=True, nullable=False))
    role: str = "viewer"
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    password_set_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    session_version: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))


@dataclass
class Outgoing:
    """A composed mail waiting in the outgoing table: what, to whom, and the key that makes it unique."""

    key: str
    kind: str  # receipt / defects / late / note / digest / reminder
    to: list[str]
    message_id: str
    raw: bytes
