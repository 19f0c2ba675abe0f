"""Statistics tables: present, every figure a whole number, the 合计 row right, the figures consistent, sealed."""

from __future__ import annotations

from collections.abc import Iterator

from parsers.facts import Defect, Material, StatsRow, StatsTable, Submission
from parsers.stats import is_formula
from rules.campaign import Campaign

MAX_CELL_DEFECTS = 20  # past this, one line says how many more


def _tables(sub: Submission) -> list[tuple[Material, StatsTable]]:
    return [(m, m.stats) for m in sub.materials if m.stats is not None]


def _where(m: Material, table: StatsTable, row: StatsRow, column: str) -> str:
    letter = table.column_letters.get(column, "")
    return f"{m.filename} {table.sheet} 第{row.row}行 {column}（{letter if letter.endswith('列') else letter + '列'}）"


def _sealed_copy(sub: Submission, campaign: Campaign) -> Material | None:
    """A PDF/OFD/picture of the table: signed electronically, or a scan carrying a red seal."""
    words = [*campaign.stats.name_words, campaign.stats.title]
    for m in sub.materials:
        if m.stats is not None:
            continue
        named = any(w and w in m.filename for w in words)
        sealed_page = m.scan is not None and any(p.seal.found for p in m.scan.pages)
        if m.signed or (named and sealed_page):
            return m
    return None


def _table_copy(sub: Submission, campaign: Campaign) -> bool:
    """A copy of the table we cannot read figures from (a PDF or OFD named as the table)."""
    words = [*campaign.stats.name_words, campaign.stats.title]
    return any(m.filename.lower().endswith((".pdf", ".ofd")) and any(w and w in m.filename for w in words)
               for m in sub.materials)


def check_stats_missing(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    spec = campaign.stats
    if spec is None or not spec.required or not sub.materials or _tables(sub) or _table_copy(sub, campaign):
        return
    if any(m.unreadable for m in sub.materials):
        return  # the unreadable file may be the table: ATTACHMENT_UNREADABLE asks for it again
    columns = "、".join(c.name for c in spec.columns[:4]) + ("等" if len(spec.columns) > 4 else "")
    yield Defect("STATS_MISSING", "error",
                 f"邮件中没有找到《{spec.title}》（应含{columns}栏目）。请按通知所附表格式填写后，"
                 "以 Excel 文件（.xlsx 或 .xls）随邮件发送。", "附件")


def check_stats_invalid(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """Each figure a non-negative whole number, each column of the notice present, a ≤ b where the notice says so."""
    if campaign.stats is None:
        return
    for m, table in _tables(sub):
        for column in table.missing_columns:
            if column == campaign.stats.label_column or table.read_from == "pdf":
                continue  # a column a PDF seems to lack may be lost in extraction: never a notice from that
            yield Defect("STATS_INVALID", "error",
                         f"《{m.filename}》的统计表中没有找到“{column}”一栏，请按通知所附表格式补齐该栏后重新发送。",
                         f"{m.filename} {table.sheet} {column}")
        bad = [(row, column) for row in table.rows for column in table.columns
               if row.values.get(column) is None and not is_formula(row.raw.get(column, ""))]
        for row, column in bad[:MAX_CELL_DEFECTS]:
            written = row.raw.get(column, "").strip()
            shown = f"填写的是“{written}”" if written else "为空"
            yield Defect("STATS_INVALID", "error",
                         f"《{m.filename}》{table.sheet}第{row.row}行“{row.label or '（无名称）'}”的“{column}”{shown}，"
                         "应填写不小于 0 的整数（没有请填 0，不要写“约”“左右”或小数）。",
                         _where(m, table, row, column))
        if len(bad) > MAX_CELL_DEFECTS:
            yield Defect("STATS_INVALID", "error",
                         f"《{m.filename}》另有 {len(bad) - MAX_CELL_DEFECTS} 处数字填写不规范，请逐项核对。", m.filename)
        yield from _inconsistent(m, table, campaign)


def _inconsistent(m: Material, table: StatsTable, campaign: Campaign) -> Iterator[Defect]:
    for small, large in campaign.stats.not_above:
        for row in table.rows:
            a, b = row.values.get(small), row.values.get(large)
            if a is not None and b is not None and a > b:
                yield Defect("STATS_INVALID", "error",
                             f"《{m.filename}》第{row.row}行“{row.label or '（无名称）'}”的“{small}”为 {a}，"
                             f"大于“{large}” {b}，请核对后改正。", _where(m, table, row, small))


def check_stats_total(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """The 合计 row must be the sum of the rows above it, column by column."""
    if campaign.stats is None:
        return
    for m, table in _tables(sub):
        total, body = table.total(), table.body()
        if total is None or not body:
            continue
        for column in table.columns:
            stated = total.values.get(column)
            figures = [r.values.get(column) for r in body]
            if stated is None or any(v is None for v in figures):
                continue  # STATS_INVALID names the cell
            computed = sum(figures)
            if stated != computed:
                yield Defect("STATS_TOTAL_MISMATCH", "error",
                             f"《{m.filename}》合计行的“{column}”填写为 {stated}，但各行相加为 {computed}，请核对后改正。",
                             _where(m, table, total, column))


def check_stats_seal(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """Where the notice asks for an electronic seal, an .xlsx alone is not enough."""
    spec = campaign.stats
    if spec is None or spec.seal != "electronic":
        return
    for m, table in _tables(sub):
        if table.sealed or table.read_from == "pdf" or _sealed_copy(sub, campaign):
            continue  # a PDF sent alone is the printed copy: its seal is not judged, as before its figures were read
        yield Defect("STAMP_MISSING", "error",
                     f"《{m.filename}》（{spec.title}）没有电子印章。请在表格中加盖单位电子章，"
                     "或另附加盖电子印章的 PDF/OFD 版本一并发送。", m.filename)
