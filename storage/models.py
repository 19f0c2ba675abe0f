"""The database tables. Only `storage/` imports these.

One row per received message (`SubmissionRecord`, ignored ones included so a
re-sent message is recognised), with its materials, links, defects and the
reply we sent. A later corrected submission from the same unit in the same
batch points the earlier one at itself through `superseded_by`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SubmissionRecord(SQLModel, table=True):
    __tablename__ = "submission"

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(index=True)
    raw_sha256: str = Field(index=True)
    source: str = ""
    subject: str = Field(default="", sa_column=Column(Text))
    sender: str = ""
    reply_to: str = ""
    sent_at: datetime | None = None
    received_at: datetime = Field(default_factory=utcnow)
    unit: str | None = None
    unit_key: str | None = Field(default=None, index=True)
    declared_count: int | None = None
    batch: str | None = Field(default=None, index=True)
    status: str = Field(index=True)
    note: str | None = Field(default=None, sa_column=Column(Text))
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
    checked_at: datetime | None = None


class DefectRecord(SQLModel, table=True):
    __tablename__ = "defect"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    code: str = Field(index=True)
    severity: str
    message: str = Field(sa_column=Column(Text))
    where: str = ""


class ReplyRecord(SQLModel, table=True):
    """At most one reply per submission: the unique constraint is the guarantee."""

    __tablename__ = "reply"
    __table_args__ = (UniqueConstraint("submission_id"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id")
    kind: str  # "receipt" or "defects"
    to: str
    message_id: str
    outbox_path: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
