"""The schema is versioned: new databases are made current, old ones refused until `intake db upgrade`."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from ingest.cli.main import main
from storage import schema
from storage.database import Database


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """The address of a database that does not exist yet (SQLite file, or a new PostgreSQL database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'intake.sqlite'}"
    return request.getfixturevalue("pg_database")


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    return current


def _pre_migration_database(url: str) -> None:
    """A database as intake made it before migrations existed: the first revision's tables, no version."""
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(schema._config(connection), schema.BASELINE)
        connection.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    _insert_old_mail(url)


def _insert_old_mail(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO submission (message_id, raw_sha256, source, subject, sender, reply_to, received_at,"
            " keyword_found, late_batch, late, status) VALUES ('<old@163.com>', :sha, 'inbox/1.eml',"
            " '西湖区社区学院+智慧助老材料+1个', 'xihu@163.com', '', '2022-04-20 02:30:00', true, false, false,"
            " 'accepted')"), {"sha": "e" * 64})
    engine.dispose()


def test_a_new_database_is_created_at_the_current_schema(url):
    Database(url).engine.dispose()
    assert _revision(url) == schema.schema_state(create_engine(url)).head


def test_the_migrations_build_exactly_the_schema_of_the_tables(url):
    """Upgrading an empty database step by step gives what the models describe: no drift between the two."""
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(schema._config(connection), "head")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_a_database_from_before_migrations_is_refused_with_the_command_to_run(url):
    _pre_migration_database(url)
    with pytest.raises(schema.SchemaError) as refused:
        Database(url)
    assert "intake db upgrade" in str(refused.value)
    result = CliRunner().invoke(main, ["list", "--db", url])
    assert result.exit_code == 1
    assert "intake db upgrade" in result.output and "Traceback" not in result.output


def test_db_upgrade_adopts_an_old_database_and_keeps_its_mail(url):
    _pre_migration_database(url)
    result = CliRunner().invoke(main, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0, result.output
    assert "升级到" in result.output
    database = Database(url)
    [stored] = database.load_all()
    assert (stored.submission.message.message_id, stored.status) == ("<old@163.com>", "accepted")
    again = CliRunner().invoke(main, ["db", "upgrade", "--db", url])
    assert "无需升级" in again.output


def test_a_database_newer_than_the_program_is_refused(url):
    Database(url).engine.dispose()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(schema.SchemaError, match="比本程序新"):
        Database(url)
    result = CliRunner().invoke(main, ["db", "upgrade", "--db", url])
    assert result.exit_code == 1 and "比本程序新" in result.output
    assert "submission" in inspect(create_engine(url)).get_table_names()


def test_db_current_tells_the_coordinator_where_the_database_stands(url):
    runner = CliRunner()
    assert "空的" in runner.invoke(main, ["db", "current", "--db", url]).output
    Database(url).engine.dispose()
    assert "最新" in runner.invoke(main, ["db", "current", "--db", url]).output


def test_a_database_at_an_older_revision_is_refused_then_migrated_with_its_mail_kept(url):
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(schema._config(connection), schema.BASELINE)
    engine.dispose()
    _insert_old_mail(url)
    with pytest.raises(schema.SchemaError, match=f"（{schema.BASELINE}）比本程序旧"):
        Database(url)
    result = CliRunner().invoke(main, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0, result.output
    assert f"已从 {schema.BASELINE} 升级到" in result.output
    database = Database(url)
    assert [s.submission.message.message_id for s in database.load_all()] == ["<old@163.com>"]
    assert "chore" in inspect(database.engine).get_table_names()


def test_a_start_killed_between_creating_the_tables_and_recording_their_version_leaves_nothing(url, monkeypatch):
    """The whole creation is one transaction: the next start makes the database afresh instead of refusing it."""
    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt("killed before the version was recorded")

    monkeypatch.setattr(command, "stamp", killed)
    with pytest.raises(KeyboardInterrupt):
        Database(url)
    monkeypatch.undo()
    assert [t for t in inspect(create_engine(url)).get_table_names() if t != "alembic_version"] == []
    Database(url).engine.dispose()
    assert _revision(url) == schema.schema_state(create_engine(url)).head
