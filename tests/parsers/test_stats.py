"""Statistics tables read by their header labels, in every shape units send them."""

from __future__ import annotations

import csv
import io

import docx
import pytest

from ingest.config.settings import load_settings
from ingest.samples.notice_tables import FIGURES, LAYOUTS, putuo_notice_table
from ingest.samples.tables import convert_with_libreoffice, putuo_table, summary_listing, taizhou_table
from parsers.stats import figure, read_grids, read_listing, read_stats

TAIZHOU, PUTUO = load_settings(None, profiles=["taizhou-2021", "putuo-2024"]).profiles()


def _columns(campaign) -> dict[str, list[str]]:
    return {c.name: c.spellings() for c in campaign.stats.columns}


def _taizhou(data: bytes, filename: str = "统计表.xlsx"):
    label = (TAIZHOU.stats.label_column, [TAIZHOU.stats.label_column, *TAIZHOU.stats.label_spellings])
    return read_stats(read_grids(data, filename), _columns(TAIZHOU), label)


def test_a_two_row_merged_header_is_read_with_its_period_units_and_total_row():
    table = _taizhou(taizhou_table("黄岩区教育局", "2021年第二季度"))
    assert table.columns == [c.name for c in TAIZHOU.stats.columns] and not table.missing_columns
    assert (table.period, table.unit) == ("2021年第2季度", "黄岩区教育局")
    assert [r.label for r in table.body()] == ["黄岩区社区学院", "北城街道社区学校", "东城街道社区学校", "院桥镇成人文化技术学校"]
    total = table.total()
    assert total is not None and total.row == 9
    assert total.values["应用类短期培训（人次）"] == 460 + 180 + 120 + 210
    assert table.column_letters["“三入”服务培训（场次）"] == "D"


def test_labels_split_over_lines_and_by_spaces_and_children_under_a_merged_parent_are_found():
    label = (PUTUO.stats.label_column, [PUTUO.stats.label_column, *PUTUO.stats.label_spellings])
    table = read_stats(read_grids(putuo_table("长征镇"), "长征镇统计表.xlsx"), _columns(PUTUO), label)
    assert not table.missing_columns
    row = table.body()[0]
    assert row.label == "长征镇"
    assert row.values["辖区内居村委总数"] == 27  # `辖区内\n居 村 委\n总 数`
    assert (row.values["区机构行动次数"], row.values["居村委行动次数"]) == (6, 54)  # 行动次数 over 区机构 / 居村委
    assert row.values["配送资源数：读本（折页等）"] == 2000
    assert table.column_letters["宣传报道次数"] == "L"


def test_an_xls_saved_by_libreoffice_reads_like_the_xlsx():
    xls = convert_with_libreoffice(taizhou_table(), "xlsx", "xls")
    assert not xls.startswith(b"PK")
    from_xls, from_xlsx = _taizhou(xls, "统计表.xls"), _taizhou(taizhou_table())
    assert [r.values for r in from_xls.rows] == [r.values for r in from_xlsx.rows]
    assert from_xls.total().row == from_xlsx.total().row


def test_a_table_in_a_word_file_with_merged_header_cells_is_read():
    document = docx.Document()
    document.add_paragraph("2022年第一季度进展情况统计表")
    grid = document.add_table(rows=5, cols=8)
    top = ["提供服务的单位", "应用类短期培训", "", "“三入”服务培训", "", "建设智能技术应用视频（个）", "纸媒教材（本）",
           "优秀工作案例（个）"]
    sub = ["", "（场）", "（人次）", "（场次）", "（人次）", "", "", ""]
    for c, text in enumerate(top):
        grid.cell(0, c).text = text
    for c, text in enumerate(sub):
        if text:
            grid.cell(1, c).text = text
    grid.cell(0, 1).merge(grid.cell(0, 2))
    grid.cell(0, 3).merge(grid.cell(0, 4))
    for c in (0, 5, 6, 7):
        grid.cell(0, c).merge(grid.cell(1, c))
    for r, values in ((2, ["路桥区社区学院", 3, 90, 2, 40, 1, 0, 1]), (3, ["新桥镇社区学校", 2, 60, 1, 30, 0, 1, 0]),
                      (4, ["合计", 5, 150, 3, 70, 1, 1, 1])):
        for c, value in enumerate(values):
            grid.cell(r, c).text = str(value)
    out = io.BytesIO()
    document.save(out)
    table = _taizhou(out.getvalue(), "路桥区统计表.docx")
    assert table.sheet == "表格1" and table.column_letters["纸媒教材（本）"] == "第7列"
    assert [r.label for r in table.body()] == ["路桥区社区学院", "新桥镇社区学校"]
    assert table.total().values["应用类短期培训（人次）"] == 150


def test_a_csv_table_is_read_and_notes_under_it_end_it():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["提供服务的单位", "应用类短期培训（场）", "应用类短期培训（人次）", "“三入”服务培训（场次）",
                     "“三入”服务培训（人次）", "建设智能技术应用视频（个）", "纸媒教材（本）", "优秀工作案例（个）"])
    writer.writerow(["椒江区社区学院", "4", "约120", "2", "-3", "12.5", "", "1"])
    writer.writerow(["填表人：王芳", "", "", "", "", "", "", ""])
    table = _taizhou(out.getvalue().encode("gbk"), "椒江区.csv")
    assert len(table.rows) == 1
    values = table.rows[0].values
    assert values["应用类短期培训（场）"] == 4
    assert [values[c] for c in ("应用类短期培训（人次）", "“三入”服务培训（人次）", "建设智能技术应用视频（个）",
                                "纸媒教材（本）")] == [None, None, None, None]
    assert table.rows[0].raw["应用类短期培训（人次）"] == "约120"


@pytest.mark.parametrize("text, value", [("12", 12), ("12.0", 12), ("1,200", 1200), ("１２", 12), (" 0 ", 0),
                                         ("约20", None), ("-3", None), ("12.5", None), ("", None), ("二十", None)])
def test_a_figure_is_a_non_negative_whole_number_or_nothing(text, value):
    assert figure(text) == value


def test_a_sheet_without_the_profiles_columns_is_no_statistics_table():
    assert _taizhou(summary_listing("台州市路桥区教育局", [("银龄课堂", "典型工作案例")])) is None


def test_a_summary_listing_gives_its_names_column():
    data = summary_listing("沈阳市社区教育指导中心", [("“数字助老”沈阳行动", "典型工作案例"), ("老年人防诈骗微课", "课程资源")])
    assert read_listing(read_grids(data, "信息汇总表.xlsx")) == ["“数字助老”沈阳行动", "老年人防诈骗微课"]


def test_a_total_written_as_a_formula_no_office_suite_computed_is_kept_as_the_formula():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(taizhou_table()))
    sheet = book.active
    for column in "BCDEFGH":
        sheet[f"{column}9"] = f"=SUM({column}5:{column}8)"
    out = io.BytesIO()
    book.save(out)
    total = _taizhou(out.getvalue()).total()
    assert total.raw["应用类短期培训（场）"] == "=SUM(B5:B8)" and total.values["应用类短期培训（场）"] is None
    computed = _taizhou(convert_with_libreoffice(out.getvalue(), "xlsx", "xls"), "统计表.xls").total()
    assert computed.values["应用类短期培训（场）"] == 27  # LibreOffice computes and stores the sum


def _putuo(data: bytes, filename: str):
    label = (PUTUO.stats.label_column, [PUTUO.stats.label_column, *PUTUO.stats.label_spellings])
    return read_stats(read_grids(data, filename), _columns(PUTUO), label)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_putuo_notices_header_is_read_merged_typed_in_each_cell_or_with_blank_parents(layout):
    """`读本（折页等）` under `配送资源数（个／门）`, `行动覆盖居村\\n委数量（个）`, `线上人次(浏览量)`."""
    table = _putuo(putuo_notice_table("长征镇", layout=layout), "长征镇统计表.xlsx")
    assert table is not None and not table.missing_columns
    assert table.rows[0].values == dict(zip((c.name for c in PUTUO.stats.columns), FIGURES))
    assert table.column_letters["配送资源数：读本（折页等）"] == "I"


def test_a_column_left_out_of_the_notices_table_is_missing_and_no_other_column_stands_in_for_it():
    table = _putuo(putuo_notice_table("长征镇", layout="blank", drop="读本\n（折页等）"), "长征镇统计表.xlsx")
    assert table.missing_columns == ["配送资源数：读本（折页等）"]
    assert table.rows[0].values["线下行动参与人次"] == 4360


def test_names_that_differ_only_by_their_unit_are_not_matched_without_it():
    """`应用类短期培训（场）` and `（人次）`: a header carrying only `应用类短期培训` is neither."""
    out = io.StringIO()
    csv.writer(out).writerows([["提供服务的单位", "应用类短期培训", "“三入”服务培训（场次）", "“三入”服务培训（人次）",
                                "建设智能技术应用视频（个）", "纸媒教材（本）", "优秀工作案例（个）"],
                               ["椒江区社区学院", "4", "2", "40", "1", "0", "1"]])
    table = _taizhou(out.getvalue().encode("utf-8"), "椒江区.csv")
    assert table.missing_columns == ["应用类短期培训（场）", "应用类短期培训（人次）"]


def test_an_html_table_saved_as_xls_is_read_through_libreoffice_with_its_spans():
    cells = "".join(f"<td>{v}</td>" for v in ["长征镇", *FIGURES])
    html = ("<html><head><meta charset='utf-8'></head><body><table border=1>"
            "<tr><td rowspan=2>街镇（单位）</td><td rowspan=2>辖区内居村委<br>总数（个）</td><td rowspan=2>行动覆盖居村委数量</td>"
            "<td colspan=3>行动次数（次）</td><td colspan=3>配送资源数（个／门）</td><td rowspan=2>线下行动参与人次</td>"
            "<td rowspan=2>线上人次(浏览量)</td><td rowspan=2>宣传报道次数</td></tr>"
            "<tr><td>区机构</td><td>街镇机构</td><td>居村委</td><td>线下课程（门）</td><td>数字资源（个）</td>"
            f"<td>读本（折页等）</td></tr><tr>{cells}</tr></table></body></html>").encode("utf-8")
    table = _putuo(html, "长征镇统计表.xls")
    assert table is not None and not table.missing_columns
    assert table.rows[0].values["配送资源数：读本（折页等）"] == 2000


def test_an_excel_97_workbook_named_xlsx_is_read_by_its_bytes():
    xls = putuo_notice_table("长征镇", fmt="xls")
    table = _putuo(xls, "长征镇统计表.xlsx")
    assert table is not None and table.rows[0].values["宣传报道次数"] == 12
