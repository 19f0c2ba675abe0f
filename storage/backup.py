"""Backup and restore of everything intake keeps: the database and the file store.

A backup folder holds the database copy (database.sqlite or database.dump),
files/ (raw mail and attachments, laid out as in the store) and
manifest.json, written last: a folder without a manifest is a backup that
did not finish, and restore refuses it.

The service may keep running during a backup. The database is copied
FIRST, then the files: the store is write-once and content-addressed, and
the pipeline stores a mail's raw bytes (and its attachments) before it
files any row naming them, so every file a row in the copy names was
already complete in the store when the copy was taken, and the later file
copy finds it. The other order could copy a row whose file arrived after
the file copy had passed its folder. Files written after the database copy
are copied too; they are harmless (the restored service finds them already
stored when it reads that mail again).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from parsers.atomic import atomic_write
from rules import clock
from storage import schema
from storage.backup_db import (POSTGRES_COPY, SQLITE_COPY, BackupError, dump_postgres, dump_sqlite, is_empty, kind,
                               load_postgres, load_sqlite, sqlite_path)
from storage.database import open_engine

MANIFEST = "manifest.json"
FILES = "files"
FORMAT = 1
CONTENT_NAME = re.compile(r"[0-9a-f]{64}")  # a stored file's name is its sha256; temp files (.tmp-…) are not copied
KIND_TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

__all__ = ["BackupError", "backup", "restore", "KIND_TITLES"]


def backup(database_url: str, files_dir: Path, target: Path) -> dict:
    """Copy the database, then the file store, into the empty folder `target`; return the manifest."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"备份目录 {target} 不是空的：为免覆盖已有备份，请指定一个新的或空的目录。")
    database_kind = kind(database_url)
    target.mkdir(parents=True, exist_ok=True)
    try:
        return _take(database_url, database_kind, Path(files_dir), target)
    except BaseException:
        for path in target.iterdir():  # the folder was empty: leave it so, not a half backup that blocks the next try
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        raise


def _take(database_url: str, database_kind: str, files_dir: Path, target: Path) -> dict:
    taken = clock.now()
    with _reached(database_url):
        if database_kind == "sqlite":
            found = dump_sqlite(database_url, target, open_engine)
        else:
            engine = open_engine(database_url)
            try:
                found = dump_postgres(engine, target)
            finally:
                engine.dispose()
    files = _copy_store(files_dir, target / FILES)
    manifest = {"format": FORMAT, "created_at": taken.isoformat(), "intake_version": _version(),
                "database_kind": database_kind, "database_file": _copy_name(database_kind), **found, "files": files}
    atomic_write(target / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
    return manifest


def restore(source: Path, database_url: str, files_dir: Path) -> dict:
    """Bring a backup into an empty database and an empty file store; return its manifest and whether to upgrade.

    Refuses before writing anything: an unfinished backup, one from a newer
    intake, one from the other kind of database, or a target holding data.
    """
    source, files_dir = Path(source), Path(files_dir)
    manifest = read_manifest(source)
    database_kind = kind(database_url)
    _check_fits(manifest, source, database_kind)
    if _has_files(files_dir):
        raise BackupError(f"数据目录中的文件库 {files_dir} 不是空的：恢复只能写入新的空数据目录，已停止，未作任何改动。")
    if database_kind == "sqlite":
        sqlite_path(database_url).parent.mkdir(parents=True, exist_ok=True)
    engine = open_engine(database_url)
    try:
        with _reached(database_url):
            if not is_empty(engine):
                raise BackupError("目标数据库中已有数据：恢复只能写入新建的空数据库，已停止，未作任何改动。")
            if database_kind == "sqlite":
                engine.dispose()  # no connection of ours may hold the file while the backup API writes it
                load_sqlite(source, database_url)
            else:
                load_postgres(source, engine)
    finally:
        engine.dispose()
    _copy_store(source / FILES, files_dir)
    head = schema.script().get_current_head()
    return {**manifest, "needs_upgrade": manifest["schema_revision"] != head}


@contextmanager
def _reached(database_url: str) -> Iterator[None]:
    """A database that cannot be opened is a Chinese error naming it (without its password), not a traceback."""
    try:
        yield
    except SQLAlchemyError as exc:
        shown = make_url(database_url).render_as_string(hide_password=True)
        raise BackupError(f"无法打开数据库 {shown}：{str(exc.orig or exc).strip()}。请检查配置中的 database_url。") from exc


def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} 中没有 {MANIFEST}：这不是 intake backup 生成的备份，或备份没有完成。")
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} 已损坏，无法读取：{exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} 的格式本程序不认识：请用生成该备份的 intake 版本恢复。")
    return manifest


def _check_fits(manifest: dict, source: Path, database_kind: str) -> None:
    revision = manifest.get("schema_revision")
    if revision is not None and revision not in schema.known_revisions():
        raise BackupError(f"备份的数据库结构版本（{revision}）比本程序新：请先把 intake 升级到"
                          f"生成备份的版本（{manifest.get('intake_version', '未知')}）或更新版本，再恢复。")
    if manifest.get("database_kind") != database_kind:
        raise BackupError(f"备份来自 {KIND_TITLES.get(manifest.get('database_kind'), '未知')} 数据库，"
                          f"不能恢复到 {KIND_TITLES[database_kind]} 数据库：请在配置中使用同一种数据库。")
    if not (source / _copy_name(database_kind)).is_file():
        raise BackupError(f"备份不完整：{source} 中缺少数据库副本 {_copy_name(database_kind)}。")
    stored = sum(1 for _ in _store_files(source / FILES))
    if stored != manifest.get("files"):
        raise BackupError(f"备份不完整：清单记录 {manifest.get('files')} 个文件，{source / FILES} 中有 {stored} 个。")


def _copy_store(store: Path, target: Path) -> int:
    """Copy every complete stored file, keeping the store's layout; return how many."""
    count = 0
    for path in _store_files(store):
        destination = target / path.relative_to(store)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        count += 1
    return count


def _store_files(store: Path):
    if not store.is_dir():
        return
    for path in sorted(store.rglob("*")):
        if path.is_file() and CONTENT_NAME.fullmatch(path.name):
            yield path


def _has_files(folder: Path) -> bool:
    return folder.exists() and any(path.is_file() for path in folder.rglob("*"))


def _copy_name(database_kind: str) -> str:
    return SQLITE_COPY if database_kind == "sqlite" else POSTGRES_COPY


def _version() -> str:
    try:
        return version("intake")
    except PackageNotFoundError:
        return "未知"
