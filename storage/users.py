"""Console accounts: who may log in to the web console, with which role.

Passwords are kept only as argon2 hashes (argon2-cffi); nothing outside this
module sees a hash. A `coordinator` may change verdicts, a `viewer` may only
look. The session stamp changes with the password, so setting a new one logs
out every browser that used the old one; the session version changes on
every logout too, so a copied cookie is worth nothing once its user has
logged out (the console checks both on every request).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from rules import clock
from storage.models import UserRecord

if TYPE_CHECKING:
    from storage.database import Database

ROLES = ("coordinator", "viewer")
NAME_MAX = 64
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("no such user: spend the same time as a real check")


@dataclass(frozen=True)
class User:
    """An account as the console uses it (no hash)."""

    name: str
    role: str
    stamp: str  # changes whenever the password does
    created_at: datetime | None = None
    session_version: int = 0  # changes on every logout and new password: older sessions are void

    @property
    def can_change(self) -> bool:
        return self.role == "coordinator"


class UserError(ValueError):
    """The account cannot be added or changed; the message is Chinese."""


def _user(row: UserRecord) -> User:
    return User(row.name, row.role, hashlib.sha256(row.password_hash.encode()).hexdigest()[:16], row.created_at,
                row.session_version)


def _check(name: str, role: str, password: str) -> None:
    if not name.strip() or any(ch.isspace() for ch in name):
        raise UserError("用户名不能为空，也不能含空格。")
    if len(name) > NAME_MAX:
        raise UserError(f"用户名不能超过 {NAME_MAX} 个字符。")
    if role not in ROLES:
        raise UserError(f"角色只能是 coordinator（协调人）或 viewer（只读），不能是“{role}”。")
    if len(password) < 8:
        raise UserError("密码至少需要 8 个字符。")


def add(db: Database, name: str, password: str, role: str = "coordinator") -> User:
    _check(name, role, password)
    row = UserRecord(name=name, role=role, password_hash=_hasher.hash(password))
    with Session(db.engine) as session:
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            raise UserError(f"用户“{name}”已经存在；修改密码请用 intake user passwd。") from None
        session.refresh(row)
        return _user(row)


def set_password(db: Database, name: str, password: str) -> User:
    with Session(db.engine) as session:
        row = _row(session, name)
        if row is None:
            raise UserError(f"没有用户“{name}”。")
        _check(name, row.role, password)
        row.password_hash, row.password_set_at = _hasher.hash(password), clock.now()
        row.session_version += 1
        session.add(row)
        session.commit()
        session.refresh(row)
        return _user(row)


def verify(db: Database, name: str, password: str) -> User | None:
    """The user when the password is right; None otherwise (an unknown name takes as long)."""
    with Session(db.engine) as session:
        row = _row(session, name)
        try:
            _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = _hasher.hash(password)
            session.add(row)
            session.commit()
            session.refresh(row)
        return _user(row)


def end_sessions(db: Database, name: str) -> None:
    """Void every session of the user (logout); incremented in the database, so two at once both count."""
    with Session(db.engine) as session:
        session.execute(update(UserRecord).where(UserRecord.name == name)
                     .values(session_version=UserRecord.session_version + 1))
        session.commit()


def get(db: Database, name: str) -> User | None:
    with Session(db.engine) as session:
        row = _row(session, name)
        return _user(row) if row else None


def all_users(db: Database) -> list[User]:
    with Session(db.engine) as session:
        return [_user(row) for row in session.exec(select(UserRecord).order_by(UserRecord.name))]


def _row(session: Session, name: str) -> UserRecord | None:
    return session.exec(select(UserRecord).where(UserRecord.name == name)).first()
