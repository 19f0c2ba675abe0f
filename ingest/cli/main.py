"""The `intake` command line. Help texts are in Chinese: coordinators read them."""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ingest.cli import check as cli_check
from ingest.cli import backup as cli_backup
from ingest.cli import collection as cli_collection
from ingest.cli import db as cli_db
from ingest.cli import init as cli_init
from ingest.cli import web as cli_web
from ingest.cli.common import COMMAND, CONTEXT, load, settings_options
from ingest.config.settings import Settings, load_settings
from ingest.core.pipeline import Pipeline
from ingest.core.steps import Outcome
from ingest.config.profile_files import builtin_names
from ingest.core.progress import on_terminal, progress_bar, terminal_progress
from ingest.cli.report import outcome_row
from ingest.cli.sources import count_messages, iter_messages
from notifier.reply import KIND_NAMES
from rules import clock
from rules.vocabulary import status_title
from storage.schema import SchemaError



class IntakeGroup(click.Group):
    """Turns a refused database schema into a Chinese error line instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SchemaError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=IntakeGroup, help="智慧助老材料收件服务：收取邮件、审核材料、归档并自动回复。", context_settings=CONTEXT,
             options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
def main() -> None:
    setup_logging()


def setup_logging() -> None:
    """One line per event on stderr: UTC time, level, where, what (INTAKE_LOG_LEVEL=DEBUG for more)."""
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    level = os.environ.get("INTAKE_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level if level in logging.getLevelNamesMapping() else logging.WARNING, handlers=[handler])


@main.command(**COMMAND, help="处理邮件：邮件路径可以是 .eml 文件、存放 .eml 的文件夹、mbox 文件或 Maildir。")
@click.argument("paths", nargs=-1, required=True, metavar="邮件路径...", type=click.Path(exists=True, path_type=Path))
@settings_options
@click.option("--outbox", metavar="文件夹", type=click.Path(path_type=Path), help="回复邮件（.eml）存放的文件夹。")
@click.option("--json", "as_json", is_flag=True, help="每封邮件输出一行 JSON（JSON Lines），不输出其他内容。")
@click.option("--profile", "profiles", multiple=True, metavar="征集",
              help="本次按哪个征集配置审核（内置名称或配置文件路径，可写多次），代替配置文件中的 profiles。")
def ingest(paths: tuple[Path, ...], config: Path | None, db: str | None, outbox: Path | None, as_json: bool,
           profiles: tuple[str, ...]) -> None:
    settings = load(config, db, outbox, list(profiles) or None)
    pipeline = Pipeline(settings)
    outcomes = []
    show_bar = on_terminal(as_json)
    with progress_bar("处理邮件", sum(map(count_messages, paths)) if show_bar else None, show_bar) as advance:
        for path in paths:
            for source, raw in iter_messages(path):
                outcome = pipeline.process(raw, source)
                outcomes.append(outcome)
                advance()
                if as_json:
                    click.echo(json.dumps(outcome_row(outcome), ensure_ascii=False))
    if not as_json:
        show_outcomes(outcomes, settings)


@main.command(**COMMAND, help="演示：生成几封真实样例邮件，走完整流程，写入本地 SQLite 并输出处理结果。")
@click.option("--dir", "workdir", metavar="文件夹", type=click.Path(path_type=Path), help="演示文件存放的文件夹（默认新建临时文件夹）。")
@click.option("--profile", metavar="征集", type=click.Choice(builtin_names()),
              help="演示哪个内置征集配置（默认 liaoning-2022 的样例邮件）；可用 intake profiles 查看。")
def demo(workdir: Path | None, profile: str | None) -> None:
    from ingest.samples.demo import demo_messages
    from ingest.samples.profiles import profile_messages

    workdir = Path(workdir or tempfile.mkdtemp(prefix="intake-demo-"))
    inbox = workdir / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for name, raw in (profile_messages(profile) if profile else demo_messages()):
        (inbox / name).write_bytes(raw)
    config = workdir / "intake.toml"  # so that `intake list/show/roster --config` find this demo's data
    chosen = f'profiles = ["{profile}"]\n\n' if profile else ""
    config.write_text(f'{chosen}[storage]\ndata_dir = "{(workdir / "data").as_posix()}"\n'
                      f'database_url = "sqlite:///{(workdir / "intake.sqlite").as_posix()}"\n', encoding="utf-8")
    settings = load_settings(config, outbox=workdir / "outbox")
    pipeline = Pipeline(settings)
    outcomes = [pipeline.process(raw, source) for source, raw in iter_messages(inbox)]
    show_outcomes(outcomes, settings)
    console = Console()
    console.print(f"样例邮件：{inbox}")
    console.print(f"数据库：  {settings.database_url}")
    console.print(f"回复邮件：{settings.outbox_dir}（{len(list(settings.outbox_dir.glob('*.eml')))} 封）")
    command = sys.argv[0] if sys.argv and sys.argv[0].endswith("intake") else "intake"
    console.print(f"继续查看：{command} list --config {config}（也可用 show、roster、export --xlsx 汇总表.xlsx）")


@main.command(**COMMAND, help="生成协调人每日汇总邮件（含信息汇总表），写入发件箱；加 --send 则立即发给协调人。")
@click.option("--day", metavar="日期", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="汇总哪一天，如 2022-04-20（按征集时区，默认北京时间的今天）。")
@settings_options
@click.option("--outbox", metavar="文件夹", type=click.Path(path_type=Path), help="汇总邮件存放的文件夹。")
@click.option("--send", is_flag=True, help="通过配置的发信服务器（[smtp]）立即发给协调人。")
def digest(day: datetime | None, config: Path | None, db: str | None, outbox: Path | None, send: bool) -> None:
    from ingest.jobs.digest import build_digest
    from notifier.outbox import outgoing, write_outbox
    from storage.outgoing import queue

    settings = load(config, db, outbox)
    pipeline = Pipeline(settings)
    the_day = day.date() if day else clock.today(settings.campaign.zone)
    message = build_digest(pipeline.db, settings, the_day)
    if not send:
        click.echo(f"已生成 {clock.cn_date(the_day)} 的每日汇总：{write_outbox(message, settings.outbox_dir)}")
        return
    if settings.smtp is None:
        raise click.UsageError("配置中没有 [smtp]，无法发送；去掉 --send 可把汇总写入发件箱文件夹。")
    key = f"digest-now:{the_day.isoformat()}:{clock.now().isoformat()}"
    queue(pipeline.db, outgoing(message, key, "digest"))
    sent = [r for r in pipeline.delivery.run() if r.key == key]
    state = "已发送" if sent and sent[0].status in ("sent", "written") else "已排队，发信服务器暂时不可用，稍后自动重试"
    click.echo(f"{clock.cn_date(the_day)} 的每日汇总{state}：{', '.join(settings.coordinators)}")


@main.command(**COMMAND, short_help="运行收件服务：收取各邮箱，审核、登记、自动回复，按时发送每日汇总。",
              help="运行收件服务：持续收取配置中的各个邮箱，审核、登记、自动回复，并按时发送每日汇总。按 Ctrl+C 或发送 SIGTERM 停止。")
@click.option("--once", is_flag=True, help="只运行一轮（收取全部新邮件、处理、发送待发邮件）后退出，适合 cron 和测试。")
@click.option("--outbox", metavar="文件夹", type=click.Path(path_type=Path), help="不发送，把回复写成 .eml 文件放到这个文件夹（试运行）。")
@settings_options
def run(once: bool, outbox: Path | None, config: Path | None, db: str | None) -> None:
    import signal
    import threading

    from ingest.service.loop import Service

    settings = load(config, db, outbox)
    if not settings.mailboxes:
        raise click.UsageError("配置中没有 [[mailboxes]]：请先写明要收取的邮箱（见 README“运行服务”）。")
    service = Service(settings, progress=terminal_progress)
    if once:
        done = service.once()
        click.echo(f"本轮处理 {len(done.outcomes)} 封新邮件。")
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"收件服务已启动：{len(settings.mailboxes)} 个邮箱，每 {settings.schedule.poll_seconds} 秒收取一次。")
    service.run(stop)
    click.echo("收件服务已停止。")


@main.command("profiles", **COMMAND, help="列出内置的征集配置：通知文号、截止时间和报送要求。")
@click.option("--json", "as_json", is_flag=True, help="每个配置输出一行 JSON。")
def profiles_command(as_json: bool) -> None:
    from ingest.config.profile_files import describe_builtins

    for entry in describe_builtins():
        if as_json:
            click.echo(json.dumps(entry, ensure_ascii=False))
            continue
        click.echo(f"{entry['name']}：{entry['title']}（{entry['notice']}）")
        click.echo(f"  截止时间：{'；'.join(entry['deadlines']) or '通知未规定'}")
        for line in entry["requirements"]:
            click.echo(f"  - {line}")
        click.echo("")


def show_outcomes(outcomes: list[Outcome], settings: Settings) -> None:
    table = Table(title="处理结果", show_lines=True)
    for column, low, high in (("邮件", 8, 12), ("单位", 8, 12), ("状态", 6, 6), ("材料", 8, 10), ("问题", 18, None)):
        table.add_column(column, overflow="fold", min_width=low, max_width=high)
    for o in outcomes:
        sub = o.submission
        kinds = Counter(KIND_NAMES.get(m.kind, m.kind) for m in sub.materials) if sub else Counter()
        materials = "、".join(f"{kind}{n}" for kind, n in kinds.items())
        problems = "\n".join(f"[{'red' if d.severity == 'error' else 'yellow'}]{d.code}[/] {d.where}" for d in o.defects)
        table.add_row(Path(o.source.split("#")[0]).name, (sub.subject.unit if sub else None) or "—",
                      status_title(o.status), materials or "—", problems or (o.note or "—"))
    Console().print(table)


for command in cli_collection.COMMANDS + cli_web.COMMANDS + cli_backup.COMMANDS:
    main.add_command(command)
main.add_command(cli_db.db_group)
main.add_command(cli_check.check)
main.add_command(cli_init.init)


if __name__ == "__main__":
    main()
