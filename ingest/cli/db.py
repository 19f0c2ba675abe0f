"""`intake db`: the database's schema version, and migrating it after an upgrade of intake."""

from __future__ import annotations

from pathlib import Path

import click

from ingest.cli.common import COMMAND, CONTEXT, load, settings_options
from storage import schema
from storage.database import maintenance


@click.group("db", help="数据库维护：查看结构版本、升级数据库结构。", context_settings=CONTEXT,
             options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
def db_group() -> None:
    pass


@db_group.command("upgrade", **COMMAND, help="把数据库结构升级到本程序的版本（升级 intake 之后运行；建议先备份数据库）。")
@settings_options
def upgrade_command(config: Path | None, db: str | None) -> None:
    with maintenance(load(config, db).database_url) as engine:
        before = schema.upgrade(engine)
    if not before.has_tables:
        click.echo(f"数据库是空的，已按当前版本（{before.head}）建立。")
    elif before.up_to_date:
        click.echo(f"数据库结构已是最新版本（{before.head}），无需升级。")
    else:
        click.echo(f"数据库结构已从 {before.current or '未登记的旧版本'} 升级到 {before.head}。")


@db_group.command("current", **COMMAND, help="显示数据库当前的结构版本和本程序需要的版本。")
@settings_options
def current_command(config: Path | None, db: str | None) -> None:
    with maintenance(load(config, db).database_url) as engine:
        state = schema.schema_state(engine)
    if not state.has_tables:
        click.echo(f"数据库是空的；第一次使用时会按当前版本（{state.head}）建立。")
    elif state.up_to_date:
        click.echo(f"数据库结构版本：{state.current}（最新）。")
    else:
        click.echo(f"数据库结构版本：{state.current or '未登记'}；本程序需要：{state.head}。请运行 intake db upgrade。")
