"""Backup while mail keeps arriving, and restore into a new, empty installation (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy

from ingest.core.pipeline import Pipeline
from storage.backup import BackupError, backup, restore
from storage.database import Database
from storage.files import FileStore
from tests.support.settings import folder_settings
from tests.support.unit_mails import unit_mails

MAILS = 24


def _ingest_in_background(pipeline: Pipeline, mails: list[bytes]) -> threading.Thread:
    worker = threading.Thread(target=lambda: [pipeline.process(raw, f"inbox/{i}.eml") for i, raw in enumerate(mails)])
    worker.start()
    return worker


def _wait_for_filings(db: Database, at_least: int, worker: threading.Thread) -> None:
    while worker.is_alive() and len(db.latest(at_least)) < at_least:
        threading.Event().wait(0.02)


def _assert_complete(restored, manifest: dict) -> None:
    """Every submission the manifest counted is there, with its raw mail, its files and its reply row."""
    db, files = Database(restored.database_url), FileStore(restored.files_dir)
    filed = db.load_all()
    assert len(filed) == manifest["submissions"]
    for stored in filed:
        assert stored.raw_sha256 in files, stored.source
        assert all(m.material.sha256 in files for m in stored.materials), stored.source
        assert [reply.status for reply in stored.replies if reply.kind in ("receipt", "defects")] != [], stored.source
        assert all(reply.status in ("pending", "sending", "sent", "written") for reply in stored.replies)
    assert sum(len(s.replies) for s in filed) == manifest["outgoing"]


def test_backup_taken_during_ingestion_restores_every_counted_submission_with_raw_mail_and_reply(tmp_path):
    live = folder_settings(tmp_path / "live")
    pipeline = Pipeline(live)
    worker = _ingest_in_background(pipeline, unit_mails(MAILS))
    _wait_for_filings(pipeline.db, 3, worker)
    manifest = backup(live.database_url, live.files_dir, tmp_path / "backup")
    still_ingesting = worker.is_alive()
    worker.join()

    restored = folder_settings(tmp_path / "new")
    restore(tmp_path / "backup", restored.database_url, restored.files_dir)

    assert still_ingesting and 3 <= manifest["submissions"] < MAILS
    assert manifest["database_kind"] == "sqlite" and manifest["created_at"].endswith("+00:00")
    assert json.loads((tmp_path / "backup" / "manifest.json").read_text("utf-8")) == manifest
    _assert_complete(restored, manifest)


def test_restore_refuses_a_database_or_file_store_that_holds_data_and_changes_nothing(tmp_path):
    live = folder_settings(tmp_path / "live")
    pipeline = Pipeline(live)
    pipeline.process(unit_mails(1)[0], "inbox/0.eml")
    backup(live.database_url, live.files_dir, tmp_path / "backup")

    with pytest.raises(BackupError, match="目标数据库中已有数据"):
        restore(tmp_path / "backup", live.database_url, tmp_path / "empty-files")
    assert not (tmp_path / "empty-files").exists()
    fresh = folder_settings(tmp_path / "fresh")
    stray = fresh.files_dir / "ab" / "cd" / ("abcd" + "0" * 60)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"left over")
    with pytest.raises(BackupError, match="文件库.*不是空的"):
        restore(tmp_path / "backup", fresh.database_url, fresh.files_dir)
    assert Database(fresh.database_url).load_all() == []
    assert len(Database(live.database_url).load_all()) == 1


def test_restore_into_a_database_the_service_created_but_never_filed_into(tmp_path):
    live = folder_settings(tmp_path / "live")
    Pipeline(live).process(unit_mails(1)[0], "inbox/0.eml")
    manifest = backup(live.database_url, live.files_dir, tmp_path / "backup")
    fresh = folder_settings(tmp_path / "fresh")
    Pipeline(fresh)  # first start of the new installation: tables and folders, no rows, no files

    restore(tmp_path / "backup", fresh.database_url, fresh.files_dir)

    _assert_complete(fresh, manifest)


def test_backup_refuses_a_folder_that_is_not_empty(tmp_path):
    live = folder_settings(tmp_path / "live")
    Pipeline(live)
    earlier = tmp_path / "backup" / "manifest.json"
    earlier.parent.mkdir()
    earlier.write_text("an earlier backup", encoding="utf-8")

    with pytest.raises(BackupError, match="不是空的"):
        backup(live.database_url, live.files_dir, tmp_path / "backup")
    assert earlier.read_text("utf-8") == "an earlier backup"
    assert sorted(p.name for p in earlier.parent.iterdir()) == ["manifest.json"]


def test_restore_refuses_a_backup_from_a_newer_schema_and_an_unfinished_one(tmp_path):
    live = folder_settings(tmp_path / "live")
    Pipeline(live).process(unit_mails(1)[0], "inbox/0.eml")
    manifest = backup(live.database_url, live.files_dir, tmp_path / "backup")
    (tmp_path / "backup" / "manifest.json").write_text(json.dumps({**manifest, "schema_revision": "9999"}), "utf-8")
    fresh = folder_settings(tmp_path / "fresh")

    with pytest.raises(BackupError, match="比本程序新"):
        restore(tmp_path / "backup", fresh.database_url, fresh.files_dir)
    (tmp_path / "backup" / "manifest.json").unlink()
    with pytest.raises(BackupError, match="备份没有完成"):
        restore(tmp_path / "backup", fresh.database_url, fresh.files_dir)
    assert not fresh.files_dir.exists()


def test_postgresql_round_trip_while_mail_is_filed(tmp_path, pg_database, postgres_url):
    live = folder_settings(tmp_path / "live")
    live.database_url = pg_database
    pipeline = Pipeline(live)
    worker = _ingest_in_background(pipeline, unit_mails(8))
    _wait_for_filings(pipeline.db, 2, worker)
    manifest = backup(live.database_url, live.files_dir, tmp_path / "backup")
    worker.join()
    restored = folder_settings(tmp_path / "new")
    restored.database_url = _new_database(postgres_url, pg_database + "_restored")
    Pipeline(restored)  # the new installation started once: its empty tables are replaced by the restore

    restore(tmp_path / "backup", restored.database_url, restored.files_dir)

    assert manifest["database_kind"] == "postgresql" and manifest["submissions"] >= 2
    assert (tmp_path / "backup" / "database.dump").read_bytes().startswith(b"PGDMP")
    _assert_complete(restored, manifest)
    with pytest.raises(BackupError, match="目标数据库中已有数据"):
        restore(tmp_path / "backup", restored.database_url, tmp_path / "other-files")


def _new_database(server_url: str, url: str) -> str:
    name = url.rsplit("/", 1)[1]
    admin = sqlalchemy.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(sqlalchemy.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return url
