"""`intake check`: the configuration's 体检, one line per check; exit 0 only when everything needed works."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ingest.cli.common import COMMAND, load, settings_options
from ingest.service.check import as_json, check_all

MARKS = {(True, True): "✓", (True, False): "✓", (False, False): "!", (False, True): "✗"}


@click.command("check", **COMMAND, short_help="体检：检查配置、数据库、识别程序、收件邮箱和发信服务器能否正常使用。",
               help="体检：检查配置、数据库、数据目录、识别与转换程序、各收件邮箱和发信服务器能否正常使用（不发送邮件）。"
                    "全部必需项正常时退出码为 0。")
@settings_options
@click.option("--json", "as_json_lines", is_flag=True, help="以 JSON 输出结果，供其他程序读取。")
def check(config: Path | None, db: str | None, as_json_lines: bool) -> None:
    findings = check_all(load(config, db))
    report = as_json(findings)
    if as_json_lines:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        for f in findings:
            click.echo(f"{MARKS[(f.ok, f.needed)]} {f.name}：{f.detail}")
        blocking = sum(f.blocking for f in findings)
        click.echo("体检通过：必需的各项均可正常使用。" if report["ok"] else
                   f"体检未通过：{blocking} 项必需的检查没有通过（标 ✗ 的各行），请按说明处理后再运行 intake check。")
    raise SystemExit(0 if report["ok"] else 1)
