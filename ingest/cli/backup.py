"""`intake backup` and `intake restore`: options and messages only; the work is storage.backup's."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

import click

from ingest.cli.common import COMMAND, load, settings_options
from rules import clock
from storage.backup import KIND_TITLES, BackupError, backup, restore

JSON_HELP = "输出一行 JSON（备份清单），供其他程序读取。"


@click.command("backup", **COMMAND, help="备份数据库和文件库（原始邮件、附件）到一个新的空目录；服务运行时也可以备份。")
@click.argument("directory", metavar="目录", type=click.Path(path_type=Path))
@settings_options
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def backup_command(directory: Path, config: Path | None, db: str | None, as_json: bool) -> None:
    settings = load(config, db)
    started = time.monotonic()
    try:
        manifest = backup(settings.database_url, settings.files_dir, directory)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(manifest, ensure_ascii=False))
        return
    click.echo(f"已备份到 {directory}（用时 {time.monotonic() - started:.1f} 秒）：")
    _describe(manifest, settings.campaign.zone)


@click.command("restore", **COMMAND, help="从 intake backup 生成的备份恢复到新建的空数据库和空数据目录（请先停止收件服务）。")
@click.argument("directory", metavar="备份目录", type=click.Path(exists=True, file_okay=False, path_type=Path))
@settings_options
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def restore_command(directory: Path, config: Path | None, db: str | None, as_json: bool) -> None:
    settings = load(config, db)
    try:
        manifest = restore(directory, settings.database_url, settings.files_dir)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(manifest, ensure_ascii=False))
        return
    click.echo(f"已从 {directory} 恢复：")
    _describe(manifest, settings.campaign.zone)
    if manifest["needs_upgrade"]:
        click.echo("备份的数据库结构比本程序旧：请运行 intake db upgrade（加同样的 --config）后再启动服务。")


def _describe(manifest: dict, zone) -> None:
    click.echo(f"  备份时间：{clock.cn_datetime(datetime.fromisoformat(manifest['created_at']), zone)}")
    click.echo(f"  数据库：{KIND_TITLES[manifest['database_kind']]}，结构版本 {manifest['schema_revision'] or '未登记'}，"
               f"报送 {manifest['submissions']} 份，回复 {manifest['outgoing']} 封")
    click.echo(f"  文件库：{manifest['files']} 个文件（原始邮件和附件）")
    click.echo(f"  intake 版本：{manifest['intake_version']}")


COMMANDS = [backup_command, restore_command]
