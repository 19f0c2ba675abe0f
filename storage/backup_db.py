"""Copying the database out and back in, while the service keeps writing to it.

SQLite: the online backup API copies every page in one step under a read
lock, so the copy is one moment of the database even in WAL mode with a
writer waiting. PostgreSQL: `pg_dump` in custom format under a snapshot we
export ourselves, so the counts in the manifest are read in exactly the
snapshot that was dumped; `pg_restore` brings it back in one transaction.
The PostgreSQL client tools must not be older than the server (pg_dump
refuses), so they are taken from the server's own version directory when
the machine has one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection, Engine, make_url

from storage.models import OutgoingRecord, SubmissionRecord

SQLITE_COPY = "database.sqlite"
POSTGRES_COPY = "database.dump"
PG_ROOT = Path("/usr/lib/postgresql")


class BackupError(Exception):
    """Backup or restore cannot go on; the message says why and what to do (Chinese)."""


def kind(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持备份这种数据库（{name}）：仅支持 SQLite 和 PostgreSQL。")
    return name


def facts(connection: Connection) -> dict:
    """What the manifest says of a database: its schema revision and how many rows it holds."""
    def count(table) -> int:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()

    return {"schema_revision": MigrationContext.configure(connection).get_current_revision(),
            "submissions": count(SubmissionRecord), "outgoing": count(OutgoingRecord)}


def is_empty(engine: Engine) -> bool:
    """No table holds a row (a database the service created on first start still counts as empty)."""
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
        for table in tables:
            quoted = connection.dialect.identifier_preparer.quote(table)
            if connection.exec_driver_sql(f"SELECT 1 FROM {quoted} LIMIT 1").first() is not None:
                return False
    return True


# ---------------------------------------------------------------- SQLite

def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份或恢复：请在配置中使用数据库文件。")
    return Path(database)


def dump_sqlite(url: str, target: Path, open_copy: Callable[[str], Engine]) -> dict:
    """Copy the live SQLite database into `target`/database.sqlite; return the copy's facts."""
    source = sqlite_path(url)
    if not source.exists():
        raise BackupError(f"找不到数据库文件 {source}：请检查配置中的 database_url。")
    _sqlite_copy(source, target / SQLITE_COPY)
    engine = open_copy(f"sqlite:///{target / SQLITE_COPY}")
    try:
        with engine.connect() as connection:
            return facts(connection)
    finally:
        engine.dispose()


def load_sqlite(source: Path, url: str) -> None:
    """Write the backup's pages over the (empty) database file, through the backup API so WAL stays coherent."""
    target = sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_copy(source / SQLITE_COPY, target)


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # pages=-1: all pages in one step, one consistent moment
    except sqlite3.Error as exc:
        raise BackupError(f"复制 SQLite 数据库失败：{exc}") from exc
    finally:
        dst.close()
        src.close()


# ---------------------------------------------------------------- PostgreSQL

def dump_postgres(engine: Engine, target: Path) -> dict:
    """pg_dump (custom format, no owner) under a snapshot exported here; return the facts read in that snapshot."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with connection.begin():
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            found = facts(connection)
            _run(_tool(engine, "pg_dump"), ["--format=custom", "--no-owner", f"--snapshot={snapshot}",
                                            f"--file={target / POSTGRES_COPY}"], engine)
    return found


def load_postgres(source: Path, engine: Engine) -> None:
    """pg_restore into the (empty) database, all or nothing; tables the service made on first start are replaced."""
    _run(_tool(engine, "pg_restore"), ["--no-owner", "--clean", "--if-exists", "--single-transaction",
                                       "--exit-on-error", str(source / POSTGRES_COPY)], engine)


def _tool(engine: Engine, name: str) -> str:
    """The client tool of the server's major version (or a newer one), else the one on PATH."""
    with engine.connect() as connection:
        major = int(connection.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000
    versions = sorted((int(p.parent.parent.name), p) for p in PG_ROOT.glob(f"*/bin/{name}")
                      if p.parent.parent.name.isdigit()) if PG_ROOT.exists() else []
    fitting = [path for version, path in versions if version >= major]
    found = str(fitting[0]) if fitting else shutil.which(name)
    if found is None:
        raise BackupError(f"找不到 PostgreSQL 工具 {name}：请安装与数据库服务器同版本的 postgresql-client。")
    return found


def _run(tool: str, arguments: list[str], engine: Engine) -> None:
    """Run a libpq tool on the engine's database; the password goes in the environment, not the command line."""
    url = engine.url
    env = dict(os.environ, PGPASSWORD=url.password or "") if url.password else dict(os.environ)
    address = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run([tool, *arguments, f"--dbname={address}"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(tool).name} 执行失败：{done.stderr.strip()[-500:]}")
