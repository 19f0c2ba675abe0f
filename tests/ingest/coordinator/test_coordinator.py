"""The coordinators' commands on a realistic collection: five roster units over two batches, one of them
correcting twice, one silent — `intake roster --json` and the export read as a coordinator would write them."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import datetime

import openpyxl
import pytest
from click.testing import CliRunner

from ingest.cli.main import main
from ingest.samples.forms import build_case_form, build_course_form, build_project_form
from ingest.samples.mails import CST, MailSpec, build_mail

XIHU, YINZHOU, LUCHENG, NANHU, WUXING = ("杭州市西湖区社区学院", "宁波市鄞州区社区学院", "温州市鹿城区社区学院",
                                         "嘉兴市南湖区社区学院", "湖州市吴兴区社区学院")
LINK = "https://pan.baidu.com/s/1Xk9fRt2LmQpZ7vWcYb3NaH"
CONFIG = f'''
[campaign]
require_scan = false
batches = [
  {{ name = "第一批", deadline = "2022-05-05" }},
  {{ name = "第二批", deadline = "2022-08-31" }},
]

[roster]
units = [
  {{ name = "{XIHU}", addresses = ["xihu_sqxy@163.com"] }},
  {{ name = "{YINZHOU}", aliases = ["鄞州社区学院"], addresses = ["yzsqxy@126.com"] }},
  {{ name = "{LUCHENG}", addresses = ["lcsqxy@qq.com"] }},
  {{ name = "{NANHU}", addresses = ["@nh.edu.cn"] }},
  {{ name = "{WUXING}", addresses = ["wxsqxy@163.com"] }},
]
'''


def _mail(subject, address, attachments, month, day, msgid, body="老师您好，附件是我单位的智慧助老材料，请查收。", extra=None):
    return build_mail(MailSpec(subject=subject, sender=("", address), attachments=attachments, body=body,
                               date=datetime(2022, month, day, 10, 0, tzinfo=CST), message_id=msgid,
                               extra_headers=extra or {}))


@pytest.fixture
def service(tmp_path):
    """A config, an inbox runner, and a CLI runner bound to both."""
    config = tmp_path / "征集.toml"
    config.write_text(CONFIG + f'\n[storage]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n'
                      f'database_url = "sqlite:///{(tmp_path / "intake.sqlite").as_posix()}"\n', encoding="utf-8")
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(main, [*args, "--config", str(config)])
        assert result.exit_code == 0, result.output
        return result.output

    def ingest(raw: bytes, name: str) -> dict:
        path = tmp_path / "inbox" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(raw)
        return json.loads(run("ingest", str(path), "--json"))

    run.ingest = ingest
    run.outbox = tmp_path / "data" / "outbox"
    return run


def _last_reply_id(service) -> str:
    newest = sorted(service.outbox.glob("*.eml"))[-1]
    return email.message_from_bytes(newest.read_bytes(), policy=email.policy.default)["Message-ID"]


def _season(service) -> None:
    service.ingest(_mail(f"{XIHU}+智慧助老材料+2个", "xihu_sqxy@163.com",
                         [(f"{XIHU}+案例.docx", build_case_form(name="“银龄触网”智能手机应用进社区", unit=XIHU)),
                          (f"{XIHU}+课程资源.docx", build_course_form(name="手机挂号不求人", unit=XIHU))],
                         4, 20, "<xihu-1@163.com>", body=f"课程视频：{LINK} 提取码：x7k2"), "01.eml")
    bad = build_project_form(name="“数字银龄”老年人智能技术培训", unit=YINZHOU, contact_phone="0574-8812")
    first = service.ingest(_mail(f"{YINZHOU}+智慧助老材料+1个", "yzsqxy@126.com",
                                 [(f"{YINZHOU}+培训项目.docx", bad)], 4, 22, "<yz-1@126.com>"), "02.eml")
    assert first["status"] == "defective"
    still_bad = build_project_form(name="“数字银龄”老年人智能技术培训", unit=YINZHOU, contact_phone="8812345")
    reply_to = _last_reply_id(service)
    second = service.ingest(_mail("回复：鄞州区 智慧助老材料 1个", "yzsqxy@126.com",
                                  [(f"{YINZHOU}+培训项目.docx", still_bad)], 4, 25, "<yz-2@126.com>",
                                  extra={"In-Reply-To": reply_to, "References": f"<yz-1@126.com> {reply_to}"}), "03.eml")
    assert (second["status"], second["unit"]) == ("defective", YINZHOU)
    reply_to = _last_reply_id(service)
    third = service.ingest(_mail("回复：回复：鄞州区 智慧助老材料 1个", "yzsqxy@126.com",
                                 [(f"{YINZHOU}+培训项目.docx", build_project_form(
                                     name="“数字银龄”老年人智能技术培训", unit=YINZHOU))], 4, 28, "<yz-3@126.com>",
                                 extra={"In-Reply-To": reply_to}), "04.eml")
    assert (third["status"], third["unit"]) == ("accepted", YINZHOU)
    service.ingest(_mail(f"{LUCHENG}-智慧助老材料-1份", "lcsqxy@qq.com",
                         [(f"{LUCHENG}+课程资源.docx", build_course_form(name="防范电信诈骗微课", unit=LUCHENG))],
                         5, 3, "<lc-1@qq.com>", body=f"视频链接：{LINK}"), "05.eml")
    service.ingest(_mail("南湖区 智慧助老材料 1个", "zhang@nh.edu.cn",
                         [(f"{NANHU}+案例.docx", build_case_form(name="南湖“银龄数字课堂”", unit=NANHU))],
                         6, 10, "<nh-1@nh.edu.cn>"), "06.eml")
    service.ingest(_mail("南湖区 智慧助老材料 1个", "li@nh.edu.cn",
                         [(f"{NANHU}+培训项目.docx", build_project_form(name="南湖区老年人手机课堂", unit=NANHU))],
                         6, 12, "<nh-2@nh.edu.cn>"), "07.eml")


def test_the_roster_after_a_season_reads_as_a_coordinator_would_write_it(service):
    _season(service)
    units = [json.loads(line) for line in service("roster", "--json").splitlines()]
    summary = {u["unit"]: sorted((m["kind"], m["title"], m["status"], m["batch"]) for m in u["materials"])
               for u in units}
    assert summary == {
        XIHU: [("case", "“银龄触网”智能手机应用进社区", "accepted", "第一批"),
               ("course", "手机挂号不求人", "accepted", "第一批")],
        YINZHOU: [("project", "“数字银龄”老年人智能技术培训", "accepted", "第一批")],
        LUCHENG: [("course", "防范电信诈骗微课", "defective", "第一批")],
        NANHU: [("case", "南湖“银龄数字课堂”", "accepted", "第二批"),
                ("project", "南湖区老年人手机课堂", "accepted", "第二批")],
        WUXING: [],
    }
    by_name = {u["unit"]: u for u in units}
    assert all(u["in_roster"] for u in units)
    assert by_name[YINZHOU]["mails"] == 3 and by_name[YINZHOU]["outstanding"] == []
    assert [d["code"] for d in by_name[LUCHENG]["outstanding"]] == ["LINK_CODE_MISSING"]
    assert by_name[WUXING]["last_mail"] is None and by_name[WUXING]["mails"] == 0


def test_the_export_has_one_row_per_material_and_one_per_unit(service, tmp_path):
    _season(service)
    target = tmp_path / "信息汇总表.xlsx"
    assert "已导出 6 份材料" in service("export", "--xlsx", str(target))
    book = openpyxl.load_workbook(target)
    rows = list(book["信息汇总表"].iter_rows(values_only=True))[1:]
    assert [(r[0], r[1], r[2], r[3], r[8], r[10]) for r in rows] == [
        (1, XIHU, "典型工作案例", "“银龄触网”智能手机应用进社区", "通过", "第一批"),
        (2, XIHU, "课程资源", "手机挂号不求人", "通过", "第一批"),
        (3, YINZHOU, "培训项目", "“数字银龄”老年人智能技术培训", "通过", "第一批"),
        (4, LUCHENG, "课程资源", "防范电信诈骗微课", "需修改", "第一批"),
        (5, NANHU, "典型工作案例", "南湖“银龄数字课堂”", "通过", "第二批"),
        (6, NANHU, "培训项目", "南湖区老年人手机课堂", "通过", "第二批"),
    ]
    assert (rows[1][13], rows[1][14]) == (LINK, "x7k2")
    assert (rows[3][13], rows[3][14]) == (LINK, None)  # no code: the cell stays empty
    assert "缺少提取码" in rows[3][9]
    assert rows[2][11] == datetime(2022, 4, 28, 10, 0) and rows[2][12] == "yzsqxy@126.com"
    unit_rows = list(book["各单位情况"].iter_rows(values_only=True))[1:]
    assert [(r[1], r[6], r[7], r[8], r[9]) for r in unit_rows] == [
        (XIHU, 2, 2, 0, 1), (YINZHOU, 1, 1, 0, 3), (LUCHENG, 1, 0, 1, 1), (NANHU, 2, 2, 0, 2), (WUXING, 0, 0, 0, 0)]
    assert unit_rows[4][10] == "尚未报送"


def test_list_filters_and_show_tell_the_whole_story(service):
    _season(service)
    rows = [json.loads(line) for line in service("list", "--unit", "鄞州", "--json").splitlines()]
    assert [(r["id"], r["status"], r["superseded_by"]) for r in rows] == [(2, "defective", 3), (3, "defective", 4),
                                                                          (4, "accepted", None)]
    assert all({"id", "received_at", "superseded_by", "replies"} <= set(r) for r in rows)
    assert [r["replies"][0]["kind"] for r in rows] == ["defects", "defects", "receipt"]
    assert len([json.loads(line) for line in service("list", "--batch", "第二批", "--json").splitlines()]) == 2
    shown = service("show", "3")
    assert "名册：发件地址 yzsqxy@126.com" in shown and "已被编号 4 的来信取代" in shown and "原始邮件：" in shown


def test_accept_and_reject_are_kept_in_history_and_survive_a_reprocess(service):
    _season(service)
    assert "已将编号 5 改为“通过”" in service("accept", "5", "--note", "提取码已电话确认：x7k2")
    service("reject", "1", "--note", "案例与课程是同一活动，请二选一", "--notify")
    notice = sorted(service.outbox.glob("*.eml"))[-1]
    body = email.message_from_bytes(notice.read_bytes(), policy=email.policy.default).get_body(("plain",)).get_content()
    assert "案例与课程是同一活动，请二选一" in body
    assert "已重新审核 7 封来信" in service("reprocess", "--all")
    rows = {r["id"]: r for r in map(json.loads, service("list", "--json").splitlines())}
    assert rows[5]["status"] == "accepted" and rows[1]["status"] == "defective"
    assert [rows[i]["superseded_by"] for i in (2, 3, 4)] == [3, 4, None]  # the collection rebuilt in order
    history = json.loads(service("show", "5", "--json"))["history"]
    assert [h["action"] for h in history][:2] == ["accept", "reprocess"] and history[0]["note"] == "提取码已电话确认：x7k2"


def test_reprocess_and_resend_send_nothing_unless_asked(service):
    _season(service)
    before = len(list(service.outbox.glob("*.eml")))
    service("reprocess", "4")
    assert len(list(service.outbox.glob("*.eml"))) == before
    assert "已重新生成编号 4 的回复" in service("resend", "4")
    assert len(list(service.outbox.glob("*.eml"))) == before + 1


def test_a_missing_id_is_a_chinese_error(service):
    result = CliRunner().invoke(main, ["show", "999", "--db", "sqlite://"])
    assert result.exit_code != 0 and "没有编号为 999 的来信记录" in result.output


def test_the_digest_after_a_season_shows_the_roster_the_outstanding_defects_and_the_next_deadline(service, tmp_path):
    _season(service)
    out = tmp_path / "digest"
    service("digest", "--day", "2022-06-12", "--outbox", str(out))
    [path] = out.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    assert "第二批截止：2022年8月31日 23:59，还有 80 天。" in text
    roster = text.split("七、名册单位报送情况")[1].split("八、")[0]
    assert "（距第二批截止还有 80 天）" in roster
    assert f"{WUXING}：尚未报送" in roster
    assert f"{XIHU}：通过 2 份" in roster
    assert "尚未报送：1 个单位。" in roster
    outstanding = text.split("六、尚待修改的问题（按单位）")[1].split("七、")[0]
    assert LUCHENG in outstanding and "缺少提取码" in outstanding
    assert YINZHOU not in outstanding  # corrected in the end: nothing left to do
