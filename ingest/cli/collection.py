"""The coordinators' commands: list, show, accept, reject, reprocess, resend, roster, export.

Each is a thin shell over `storage.collection`, `ingest.coordinator.actions` and the
report rows; the web console calls the same functions.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ingest.coordinator import actions as coordinator
from ingest.cli.common import COMMAND, load, settings_options
from ingest.core.pipeline import Pipeline
from ingest.core.progress import terminal_progress
from ingest.cli.report import stored_row
from notifier.reply import KIND_NAMES
from notifier.words import ACTION_TITLES
from parsers.facts import FORM_KINDS
from rules import clock
from rules.vocabulary import Status, defect_title, status_title
from storage import changes
from storage.collection import load_collection
from storage.mapping import StoredSubmission

STATUS_CHOICES = [s.value for s in (Status.ACCEPTED, Status.DEFECTIVE, Status.REVIEW, Status.IGNORED, Status.ERROR)]


def _pipeline(config: Path | None, db: str | None) -> Pipeline:
    return Pipeline(load(config, db))


def _echo_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False))


@click.command("list", **COMMAND, help="列出来信记录（最新的在后），可按状态、单位、批次筛选。")
@click.option("--status", type=click.Choice(STATUS_CHOICES), metavar="状态",
              help="只列出某种状态：accepted（通过）、defective（需修改）、review（待审核：无法确定征集，或发件地址不在名册允许范围内）、ignored（已忽略）、error（需人工处理）。")
@click.option("--unit", metavar="单位", help="只列出单位名称包含这些字的记录。")
@click.option("--batch", metavar="批次", help="只列出某一批次，如 第一批。")
@click.option("--json", "as_json", is_flag=True, help="每条记录输出一行 JSON。")
@settings_options
def list_command(status, unit, batch, as_json, config, db) -> None:
    pipeline = _pipeline(config, db)
    tz = pipeline.settings.campaign.zone
    rows = [s for s in pipeline.db.load_all(statuses=(status,) if status else None)
            if (not unit or unit in (s.unit or "")) and (not batch or s.submission.batch == batch)]
    if as_json:
        for stored in rows:
            _echo_json(stored_row(stored))
        return
    table = Table(title=f"来信记录（{len(rows)} 条）", show_lines=False)
    for column in ("编号", "收到时间", "单位", "状态", "批次", "材料", "问题"):
        table.add_column(column, overflow="fold")
    for s in rows:
        kinds = Counter(KIND_NAMES.get(m.material.kind, m.material.kind) for m in s.materials)
        state = status_title(s.status) + ("（已被取代）" if s.superseded_by else "")
        table.add_row(str(s.id), clock.cn_datetime(s.received_at, tz), s.unit or "—", state, s.submission.batch or "—",
                      "、".join(f"{k}{n}" for k, n in kinds.items()) or "—",
                      "、".join(dict.fromkeys(defect_title(d.code) for d in s.defects if d.severity == "error")) or "—")
    Console().print(table)


@click.command("show", **COMMAND, help="查看一条来信记录的全部情况：单位及判断依据、材料、问题、回复和处理历史。")
@click.argument("submission_id", metavar="编号", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@settings_options
def show_command(submission_id, as_json, config, db) -> None:
    pipeline = _pipeline(config, db)
    stored = pipeline.db.load(submission_id)
    if stored is None:
        raise click.ClickException(f"没有编号为 {submission_id} 的来信记录。")
    history = changes.history(pipeline.db, submission_id)
    if as_json:
        row = stored_row(stored) | {"history": [{"at": h.at.isoformat(), "action": h.action, "note": h.note,
                                                  "from_status": h.from_status, "to_status": h.to_status, "actor": h.actor}
                                                 for h in history]}
        _echo_json(row)
        return
    for line in _show_lines(pipeline, stored, history):
        click.echo(line)


def _show_lines(pipeline: Pipeline, stored: StoredSubmission, history) -> list[str]:
    tz = pipeline.settings.campaign.zone
    sub = stored.submission
    lines = [f"编号：{stored.id}", f"主题：{sub.message.subject or '（无主题）'}", f"发件人：{sub.message.sender}",
             f"单位：{sub.unit or '（未识别）'}" + (f"（依据：{'；'.join(sub.unit_evidence)}）" if sub.unit_evidence else ""),
             f"状态：{status_title(stored.status)}"
             + (f"（已被编号 {stored.superseded_by} 的来信取代）" if stored.superseded_by else ""),
             f"征集：{sub.profile or ('（待协调人指定）' if stored.status == 'review' else '—')}",
             f"批次：{sub.batch or '—'}", f"发送时间：{clock.cn_datetime(sub.sent_at, tz) or '未知'}",
             f"收到时间：{clock.cn_datetime(stored.received_at, tz)}",
             f"原始邮件：{pipeline.files.path(stored.raw_sha256)}"]
    if stored.note:
        lines.append(f"说明：{stored.note}")
    lines.append("材料：" if stored.materials else "材料：无")
    for m in stored.materials:
        fate = f"（已被编号 {m.superseded_by} 取代：{m.superseded_reason}）" if m.superseded_by else ""
        lines.append(f"  - 【{KIND_NAMES.get(m.material.kind, m.material.kind)}】{m.material.title or '（未识别名称）'}"
                     f"（文件：{m.material.filename}）{fate}")
    for link in sub.links:
        lines.append(f"网盘链接：{link.url}  提取码：{link.code or '无'}")
    lines.append("问题：" if stored.defects else "问题：无")
    lines += [f"  - {defect_title(d.code)}（{d.code}）：{d.message}" for d in stored.defects]
    lines += [f"回复：{clock.cn_datetime(r.created_at, tz)} {r.kind} → {r.to}" for r in stored.replies]
    lines += [f"历史：{clock.cn_datetime(h.at, tz)} {ACTION_TITLES.get(h.action, h.action)}{('：' + h.note) if h.note else ''}"
              + (f"（{h.actor}）" if h.actor else "") for h in history]
    return lines


def _decide(accept: bool):
    word = "通过" if accept else "退回修改"

    @click.command("accept" if accept else "reject", **COMMAND,
                   help=f"协调人将一条来信改为“{word}”（记入处理历史）；加 --notify 则给报送单位发送更正后的{'受理回执' if accept else '修改通知'}。")
    @click.argument("submission_id", metavar="编号", type=int)
    @click.option("--note", required=True, metavar="说明", help="为什么这样处理（记入历史）。")
    @click.option("--notify", is_flag=True, help="同时给报送单位发送邮件。")
    @settings_options
    def decide(submission_id, note, notify, config, db) -> None:
        done = _run(lambda p: coordinator.decide(p, submission_id, accept, note, notify), config, db)
        click.echo(f"已将编号 {submission_id} 改为“{word}”。" + (f"回复邮件：{done.reply_path}" if done.reply_path else ""))

    return decide


def _run(action, config, db):
    try:
        return action(_pipeline(config, db))
    except coordinator.NotFound as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("reprocess", **COMMAND, short_help="按现在的规则和配置重新审核保存的原始邮件（默认不给报送单位发邮件）。",
               help="按现在的规则和配置重新审核保存的原始邮件（不给报送单位发邮件，除非加 --notify；此前处理出错、尚未答复的来信，此时发出回执或修改通知）。")
@click.argument("submission_id", metavar="编号", type=int, required=False)
@click.option("--all", "everything", is_flag=True, help="重新审核全部来信（按收到顺序）。")
@click.option("--notify", is_flag=True, help="把新的审核结果发给报送单位。")
@settings_options
def reprocess_command(submission_id, everything, notify, config, db) -> None:
    if everything == (submission_id is not None):
        raise click.UsageError("请写一个编号，或者用 --all 重新审核全部来信（二者选一）。")
    if everything:
        done = _run(lambda p: coordinator.reprocess_all(p, notify, terminal_progress), config, db)
        failed = [d for d in done if d.error]
        click.echo(f"已重新审核 {len(done) - len(failed)} 封来信。")
        for d in failed:
            click.echo(f"编号 {d.stored.id} 重新审核时出错：{d.error}（原有审核结果未改变）", err=True)
        return
    done = _run(lambda p: coordinator.reprocess(p, submission_id, notify), config, db)
    if done.error:
        raise click.ClickException(f"重新审核编号 {submission_id} 时出错：{done.error}。原有审核结果未改变，问题排除后请再试。")
    click.echo(f"已重新审核编号 {submission_id}：{status_title(done.stored.status)}。")


@click.command("assign", **COMMAND,
               help="把一封来信（如待指定征集的来信）按指定的征集配置重新审核，并给报送单位发送回执或修改通知。")
@click.argument("submission_id", metavar="编号", type=int)
@click.argument("profile", metavar="征集")
@click.option("--notify/--no-notify", default=True, show_default=True, help="是否给报送单位发送审核结果。")
@settings_options
def assign_command(submission_id, profile, notify, config, db) -> None:
    done = _run(lambda p: coordinator.assign(p, submission_id, profile, notify), config, db)
    click.echo(f"已将编号 {submission_id} 按“{profile}”重新审核：{status_title(done.stored.status)}。"
               + (f"回复邮件：{done.reply_path}" if done.reply_path else ""))


@click.command("resend", **COMMAND, help="按来信现在的状态，重新给报送单位发送一次回复。")
@click.argument("submission_id", metavar="编号", type=int)
@settings_options
def resend_command(submission_id, config, db) -> None:
    done = _run(lambda p: coordinator.resend(p, submission_id), config, db)
    click.echo(f"已重新生成编号 {submission_id} 的回复：{done.reply_path or '（没有可用的回信地址）'}")


@click.command("roster", **COMMAND, help="各单位报送情况：名册中的每个单位和每个来信单位的材料、状态、最近来信和待改问题。")
@click.option("--json", "as_json", is_flag=True, help="每个单位输出一行 JSON。")
@settings_options
def roster_command(as_json, config, db) -> None:
    pipeline = _pipeline(config, db)
    tz = pipeline.settings.campaign.zone
    units = load_collection(pipeline.db).units(pipeline.settings.campaign.roster)
    if as_json:
        for u in units:
            _echo_json({"unit": u.name, "in_roster": u.in_roster, "mails": u.mails,
                        "last_mail": u.last_mail.isoformat() if u.last_mail else None,
                        "materials": [{"kind": m.kind, "title": m.title, "status": m.status, "batch": m.batch,
                                       "submission_id": m.submission_id} for m in u.materials],
                        "outstanding": [{"code": d.code, "message": d.message} for d in u.outstanding]})
        return
    table = Table(title=f"各单位报送情况（{len(units)} 个单位）")
    for column in ("单位", "名册", *(KIND_NAMES[k] for k in FORM_KINDS), "最近来信", "待改问题"):
        table.add_column(column, overflow="fold")
    for u in units:
        kinds = u.kinds()
        cells = ["、".join(f"{status_title(s)}{n}" for s, n in sorted(kinds[k].items())) if k in kinds else "—"
                 for k in FORM_KINDS]
        table.add_row(u.name, "是" if u.in_roster else "否", *cells,
                      clock.cn_datetime(u.last_mail, tz) if u.last_mail else "尚未报送",
                      "、".join(dict.fromkeys(defect_title(d.code) for d in u.outstanding)) or "—")
    Console().print(table)


@click.command("export", **COMMAND, help="导出信息汇总表（.xlsx）：每份材料一行，另附各单位情况表；有统计表时另附统计汇总表。")
@click.option("--xlsx", "target", required=True, metavar="文件", type=click.Path(dir_okay=False, path_type=Path),
              help="保存到哪个 .xlsx 文件。")
@settings_options
def export_command(target, config, db) -> None:
    workbook, count = coordinator.export(_pipeline(config, db))
    target.write_bytes(workbook)
    click.echo(f"已导出 {count} 份材料：{target}")


COMMANDS = [list_command, show_command, _decide(True), _decide(False), reprocess_command, assign_command, resend_command,
            roster_command, export_command]
