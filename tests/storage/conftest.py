"""The storage tests run on both databases the product supports."""

from __future__ import annotations

import pytest

from storage.database import Database


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path) -> Database:
    """A fresh database: SQLite in a temp folder, or a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return Database(f"sqlite:///{tmp_path / 'intake.sqlite'}")
    return Database(request.getfixturevalue("pg_database"))
