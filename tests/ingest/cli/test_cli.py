"""The demo and the digest commands work end to end on the embedded default (SQLite)."""

from __future__ import annotations

import email
import email.policy
import io

import openpyxl
import pytest
from click.testing import CliRunner

from ingest.cli.main import main


def test_demo_runs_every_sample_and_reports_each_status(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for word in ("通过", "需修改", "已忽略", "重复", "SCAN_MISSING", "LINK_CODE_MISSING"):
        assert word in result.output
    assert (tmp_path / "intake.sqlite").exists()
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 4  # 4 submissions; no reply to auto-reply or duplicate


def test_digest_summarises_the_day_with_a_workbook(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--dir", str(tmp_path)]).exit_code == 0
    db = f"sqlite:///{tmp_path / 'intake.sqlite'}"
    out = tmp_path / "digest"
    result = runner.invoke(main, ["digest", "--db", db, "--outbox", str(out)])
    assert result.exit_code == 0, result.output
    [path] = out.glob("*.eml")
    digest = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert digest["Auto-Submitted"] == "auto-generated"
    text = digest.get_body(("plain",)).get_content()
    assert "杭州市西湖区社区学院" in text and "宁波市鄞州区社区学院" in text
    # a Word form and its scan are one material
    assert "第一批：3 个单位，共 3 份材料（典型工作案例 1、培训项目 1、课程资源 1）；其中通过 1 份、需修改 2 份" in text
    assert "第二批：1 个单位，共 1 份材料" in text  # Jiaxing, sent after the first deadline
    [sheet] = [part for part in digest.iter_attachments() if part.get_filename().endswith(".xlsx")]
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.get_content())).active.iter_rows(values_only=True))
    names = {cell for row in rows for cell in row if isinstance(cell, str)}
    assert "“银龄触网”智能手机应用进社区" in names


ENGLISH = ("Usage", "Options", "Commands", "Show this message", "Error", "Try ", "Invalid value", "Missing",
           "No such", "does not match", "[OPTIONS]", "COMMAND", "TEXT", "PATH")


@pytest.mark.parametrize("args", [["--help"], ["ingest", "--help"], ["digest", "--help"], ["demo", "-h"],
                                  ["digest", "--day", "2022-13-01"], ["ingest"], ["没有的命令"],
                                  ["digest", "--bogus"], ["ingest", "/没有/这个/文件夹"]])
def test_every_line_click_prints_is_chinese(args):
    result = CliRunner().invoke(main, args)
    output = result.output
    assert output.strip()
    assert not [word for word in ENGLISH if word in output], output
    if result.exit_code:
        assert "错误：" in output and "查看帮助" in output
