"""The database schema's version: create an empty database, refuse an old one, migrate on request.

Schema changes are Alembic migrations (storage/migrations/versions). Any
command creates an empty database at the current schema; a database at an
older schema is refused with a message naming `intake db upgrade`, so a
new release never writes into tables it does not understand; `upgrade()`
migrates it. A database made before migrations existed (tables, no
`alembic_version`) is the first revision's schema and is adopted as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - registers every table on SQLModel.metadata

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"  # the schema of databases made before migrations existed


class SchemaError(Exception):
    """The database is at a schema this program must not write to; the message says what to do (Chinese)."""


@dataclass
class SchemaState:
    current: str | None  # None: an empty database, or one made before migrations
    head: str
    has_tables: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def ensure_schema(engine: Engine) -> None:
    """Create an empty database at the current schema; raise SchemaError for any other version."""
    with engine.begin() as connection:
        _lock(connection)
        state = _state(connection)
        if state.up_to_date:
            return
        if not state.has_tables:
            SQLModel.metadata.create_all(connection)
            command.stamp(_config(connection), "head")
            return
    raise SchemaError(_refusal(state))


def upgrade(engine: Engine) -> SchemaState:
    """Migrate the database to the current schema; return where it stood before."""
    with engine.begin() as connection:
        _lock(connection)
        state = _state(connection)
        if state.current is not None and state.current not in known_revisions():
            raise SchemaError(_refusal(state))
        config = _config(connection)
        if not state.has_tables:
            SQLModel.metadata.create_all(connection)
            command.stamp(config, "head")
        else:
            if state.current is None:
                command.stamp(config, BASELINE)
            command.upgrade(config, "head")
    return state


def schema_state(engine: Engine) -> SchemaState:
    with engine.connect() as connection:
        return _state(connection)


def _state(connection: Connection) -> SchemaState:
    current = MigrationContext.configure(connection).get_current_revision()
    tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
    return SchemaState(current=current, head=script().get_current_head(), has_tables=bool(tables))


def _refusal(state: SchemaState) -> str:
    if state.current is not None and state.current not in known_revisions():
        return (f"数据库的结构版本（{state.current}）比本程序新，本程序无法使用。"
                "请先把 intake 升级到与数据库一致的版本。")
    shown = state.current or "未登记"
    return (f"数据库的结构版本（{shown}）比本程序旧（{state.head}），为避免写坏数据，已停止。"
            "请先备份数据库，再运行 intake db upgrade（可加 --config 或 --db）升级后重试。")


def _lock(connection: Connection) -> None:
    """One transaction for the whole change, held by one process at a time.

    Two processes starting on one new database must not both create it, and
    a process killed half-way must leave nothing behind: pysqlite runs DDL
    outside any transaction unless one is begun explicitly, so a kill between
    creating the tables and recording their version left a database every
    later start refused (found by the SIGKILL test).
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def known_revisions() -> set[str]:
    return {revision.revision for revision in script().walk_revisions()}
