"""One mailbox, three collections: each mail judged under its own notice, the unroutable one held for review."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import datetime

import pytest
from click.testing import CliRunner

from ingest.cli.main import main
from ingest.samples import profiles as samples
from ingest.samples.mails import CST, MailSpec, build_mail


def _unroutable() -> bytes:
    """A district sends "some material": no notice's words in the subject, nothing any notice asks for attached."""
    return build_mail(MailSpec(
        subject="转发：相关材料", sender=("椒江区社区学院", "jjsqxy@163.com"), body="您好，材料见附件。",
        attachments=[("说明.docx", samples.report_docx("关于老年人智能手机培训场地的说明", 300))],
        date=datetime(2021, 11, 5, 9, 0, tzinfo=CST), message_id="<unroutable@163.com>"))


def _chongqing_plain_subject() -> bytes:
    raw = samples.chongqing_mail("江北区社区教育学院")
    return raw.replace(b"Message-ID: <cq-", b"Message-ID: <cq2-", 1)


@pytest.fixture(scope="module")
def mailbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("mailbox")
    inbox = root / "收件箱"
    inbox.mkdir()
    mails = {"01-济南.eml": samples.shandong_mail(), "02-黄岩.eml": samples.taizhou_mail(),
             "03-渝中.eml": samples.chongqing_mail(), "04-青岛.eml": samples.shandong_mail("青岛市社区教育指导服务中心", True),
             "05-路桥.eml": samples.taizhou_mail("路桥区教育局", total=[27, 970, 18, 550, 6, 3, 2]),
             "06-椒江.eml": _unroutable()}
    for name, raw in mails.items():
        (inbox / name).write_bytes(raw)
    # the subject says nothing of the notice; its annual summary routes it
    (inbox / "07-江北.eml").write_bytes(_chongqing_plain_subject().replace(
        "江北区社区教育学院2021年解决老年人运用智能技术困难年度工作总结".encode("gbk"), b"", 0))
    config = root / "intake.toml"
    config.write_text('profiles = ["shandong-2021", "taizhou-2021", "chongqing-2021"]\n\n[storage]\n'
                      f'data_dir = "{(root / "data").as_posix()}"\n'
                      f'database_url = "sqlite:///{(root / "intake.sqlite").as_posix()}"\n', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(inbox), "--json", "--config", str(config),
                                  "--outbox", str(root / "outbox")])
    assert result.exit_code == 0, result.output
    rows = {json.loads(line)["source"].rsplit("/", 1)[-1]: json.loads(line) for line in result.output.splitlines()}
    return root, config, rows


def test_each_mail_is_judged_under_the_notice_it_belongs_to(mailbox):
    _, _, rows = mailbox
    assert {name: row["profile"] for name, row in rows.items()} == {
        "01-济南.eml": "shandong-2021", "02-黄岩.eml": "taizhou-2021", "03-渝中.eml": "chongqing-2021",
        "04-青岛.eml": "shandong-2021", "05-路桥.eml": "taizhou-2021", "06-椒江.eml": None,
        "07-江北.eml": "chongqing-2021"}
    assert [rows[n]["status"] for n in ("01-济南.eml", "02-黄岩.eml", "03-渝中.eml", "07-江北.eml")] == ["accepted"] * 4
    assert [d["code"] for d in rows["04-青岛.eml"]["defects"]] == ["LINK_EXPIRES"]
    assert [d["code"] for d in rows["05-路桥.eml"]["defects"]] == ["STATS_TOTAL_MISMATCH"]
    assert [m["kind"] for m in rows["02-黄岩.eml"]["materials"]] == ["stats"]
    assert rows["02-黄岩.eml"]["materials"][0]["stats"]["period"] == "2021年第2季度"
    assert [m["kind"] for m in rows["03-渝中.eml"]["materials"]] == ["report"]


def test_the_unroutable_mail_is_filed_for_review_and_nobody_is_answered(mailbox):
    root, _, rows = mailbox
    held = rows["06-椒江.eml"]
    assert held["status"] == "review" and held["defects"] == [] and "intake assign" in held["note"]
    replies = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
               for p in (root / "outbox").glob("*.eml")]
    assert len(replies) == 6
    assert "jjsqxy@163.com" not in " ".join(str(r["To"]) for r in replies)


def test_the_digest_notes_the_mail_held_for_review_and_sums_the_quarterly_tables(mailbox):
    root, config, _ = mailbox
    result = CliRunner().invoke(main, ["digest", "--day", "2021-11-05", "--config", str(config),
                                       "--outbox", str(root / "digest")])
    assert result.exit_code == 0, result.output
    mail = email.message_from_bytes(next((root / "digest").glob("*.eml")).read_bytes(), policy=email.policy.default)
    text = mail.get_body(("plain",)).get_content()
    assert "【待协调人审核】以下 1 封来信已登记，未回复报送单位：无法确定征集的" in text and "转发：相关材料" in text
    assert "进展情况统计表（2021年第2季度）：2 个单位" in text
    assert "应用类短期培训（人次） 1940" in text  # 970 from each bureau's rows


def test_assign_judges_the_held_mail_under_the_chosen_profile_and_answers_it(mailbox):
    root, config, rows = mailbox
    listed = CliRunner().invoke(main, ["list", "--status", "review", "--json", "--config", str(config)])
    held = [json.loads(line) for line in listed.output.splitlines()]
    assert [r["message_id"] for r in held] == ["<unroutable@163.com>"]
    before = len(list((root / "outbox").glob("*.eml")))
    result = CliRunner().invoke(main, ["assign", str(held[0]["id"]), "chongqing-2021", "--config", str(config)])
    assert result.exit_code == 0, result.output
    shown = json.loads(CliRunner().invoke(main, ["show", str(held[0]["id"]), "--json", "--config", str(config)]).output)
    assert shown["profile"] == "chongqing-2021" and shown["status"] == "defective"
    assert [d["code"] for d in shown["defects"]] == ["REPORT_MISSING"]
    assert shown["history"][-1]["action"] == "assign"
    data_outbox = root / "data" / "outbox"
    assert len(list(data_outbox.glob("*.eml"))) + len(list((root / "outbox").glob("*.eml"))) == before + 1


def test_assign_to_an_unknown_profile_is_refused_in_chinese(mailbox):
    _, config, _ = mailbox
    result = CliRunner().invoke(main, ["assign", "6", "hebei-2023", "--config", str(config)])
    assert result.exit_code != 0 and "没有名为“hebei-2023”的征集配置" in result.output
