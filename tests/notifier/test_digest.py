"""The coordinators' daily digest and the summary spreadsheet."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from email import message_from_bytes, policy

from notifier.digest import (
    BatchTotal,
    DeadLink,
    DigestRow,
    NextDeadline,
    UnitLine,
    compose_digest,
)
from notifier.reply import ReplyIdentity

CST = timezone(timedelta(hours=8))
DAY = date(2024, 5, 20)
COORDINATORS = ["zhaolaoshi@example.org.cn", "qianlaoshi@example.org.cn"]


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 5, 20, hour, minute, tzinfo=CST)


def day_rows() -> list[DigestRow]:
    return [
        DigestRow("杭州市西湖区社区学院", "accepted", at(9, 12), "杭州市西湖区社区学院+智慧助老材料+2",
                  "wangfang@163.com", "第一批", {"case": 1, "course": 1, "scan": 2}, ["ATTACHMENT_NAME"]),
        DigestRow("宁波市海曙区老年大学", "defective", at(10, 5), "海曙老年大学智慧助老材料",
                  "hsldx@126.com", "第一批", {"project": 1}, ["SUBJECT_COUNT_MISSING", "SCAN_MISSING"], superseded=True),
        DigestRow("宁波市海曙区老年大学", "accepted", at(15, 40), "宁波市海曙区老年大学+智慧助老材料+1",
                  "hsldx@126.com", "第一批", {"project": 1, "scan": 1}, []),
        DigestRow("温州市鹿城区社区学院", "defective", at(11, 20), "温州市鹿城区社区学院+智慧助老材料+3",
                  "lcsqxy@qq.com", "第一批", {"case": 3}, ["SCAN_MISSING", "FIELD_MISSING", "FIELD_MISSING"]),
        DigestRow("绍兴市越城区社区学校", "defective", at(13, 2), "绍兴市越城区社区学校+智慧助老材料+1",
                  "ycsqxx@163.com", "第一批", {"course": 1, "scan": 1}, ["LINK_CODE_MISSING"]),
        DigestRow(None, "ignored", at(13, 30), "自动回复：您好，我已休假", "liming@163.com", None, {}, []),
        DigestRow(None, "error", at(16, 45), "智慧助老材料（压缩包）", "unknown@139.com", None, {}, []),
    ]


DEAD = [DeadLink("杭州市西湖区社区学院", "https://pan.baidu.com/s/1kVbR3x9QmZ2Lw7pTq", "dead", at(6, 0),
                 "分享的文件已经被取消")]


def parsed(msg):
    return message_from_bytes(msg.as_bytes(), policy=policy.default)


def bodies(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_digest_counts_messages_by_outcome():
    message = parsed(compose_digest(DAY, day_rows(), DEAD, ReplyIdentity(), COORDINATORS))
    assert message["Subject"] == "[智慧助老] 2024-05-20 每日汇总：收到 7 封，通过 2，需修改 3，失效链接 1"
    text, html = bodies(message)
    assert "收到 7 封，通过 2 封，需修改 3 封，忽略 1 封，需人工处理 1 封" in text
    assert "其中 1 封已被同一单位后来重发的材料取代" in text
    assert "<td" in html and "需人工处理" in html


def test_digest_is_addressed_to_coordinators_and_marked_automatic():
    message = parsed(compose_digest(DAY, day_rows(), [], ReplyIdentity(), COORDINATORS))
    assert [a.addr_spec for a in message["To"].addresses] == COORDINATORS
    assert message["Auto-Submitted"] == "auto-generated"
    assert "失效链接" not in message["Subject"]


def test_digest_lists_each_unit_with_materials_and_problems_in_chinese():
    text, html = bodies(parsed(compose_digest(DAY, day_rows(), [], ReplyIdentity(), COORDINATORS)))
    for body in (text, html):
        assert "温州市鹿城区社区学院" in body
        assert "典型工作案例×3" in body
        assert "缺少盖章扫描件、必填项未填写" in body
        assert "（已被重发取代）" in body
        assert "（未识别单位）" in body
    lines = text.splitlines()
    units = [next(i for i, line in enumerate(lines) if unit in line)
             for unit in ("杭州市西湖区社区学院", "温州市鹿城区社区学院", "（未识别单位）")]
    assert units == sorted(units)


def test_most_common_defects_are_counted_once_per_message():
    text, _ = bodies(parsed(compose_digest(DAY, day_rows(), [], ReplyIdentity(), COORDINATORS)))
    section = text.split("三、常见问题")[1].split("四、")[0]
    lines = [line.strip() for line in section.strip().splitlines()]
    assert lines[0] == "缺少盖章扫描件（SCAN_MISSING）：2 封"
    assert "必填项未填写（FIELD_MISSING）：1 封" in lines
    assert "缺少提取码（LINK_CODE_MISSING）：1 封" in lines


def test_digest_reports_links_that_died_after_acceptance():
    text, html = bodies(parsed(compose_digest(DAY, day_rows(), DEAD, ReplyIdentity(), COORDINATORS)))
    for body in (text, html):
        assert "https://pan.baidu.com/s/1kVbR3x9QmZ2Lw7pTq" in body
        assert "已失效" in body and "分享的文件已经被取消" in body


def test_quiet_day_says_so():
    evening = datetime(2024, 5, 20, 23, 30, tzinfo=CST)
    text, _ = bodies(parsed(compose_digest(DAY, [], [], ReplyIdentity(), COORDINATORS, now=evening)))
    assert "今天没有收到来信" in text and "没有发现失效链接" in text
    assert "收到 0 封" in text


def test_a_digest_made_next_morning_says_yesterday_and_one_of_an_older_day_names_it():
    next_morning = datetime(2024, 5, 21, 8, 0, tzinfo=CST)
    text, html = bodies(parsed(compose_digest(DAY, [], [], ReplyIdentity(), COORDINATORS, now=next_morning)))
    assert "昨天没有收到来信" in text and "昨天没有收到来信" in html and "今天" not in text
    later = datetime(2024, 6, 1, 8, 0, tzinfo=CST)
    text, _ = bodies(parsed(compose_digest(DAY, [], [], ReplyIdentity(), COORDINATORS, now=later)))
    assert "2024年5月20日没有收到来信" in text and "今天" not in text and "昨天" not in text


def test_batch_totals_count_units_and_materials_with_chinese_status_words_in_a_fixed_order():
    totals = {"第一批": BatchTotal({"case": 12, "project": 5, "course": 7}, 9, {"defective": 4, "accepted": 20}),
              "第二批": BatchTotal({"case": 3}, 2, {"accepted": 3})}
    text, html = bodies(parsed(compose_digest(DAY, day_rows(), [], ReplyIdentity(), COORDINATORS, totals)))
    assert "第一批：9 个单位，共 24 份材料（典型工作案例 12、培训项目 5、课程资源 7）；其中通过 20 份、需修改 4 份" in text
    assert "第二批：2 个单位，共 3 份材料（典型工作案例 3、培训项目 0、课程资源 0）；其中通过 3 份" in text
    assert "第一批</strong>：9 个单位，共 24 份材料" in html
    assert "accepted" not in text and "defective" not in text


def test_digest_html_is_laid_out_for_a_phone():
    _, html = bodies(parsed(compose_digest(DAY, day_rows(), [], ReplyIdentity(), COORDINATORS)))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    unit_section = html.split("二、各单位收件明细")[1].split("三、常见问题")[0]
    assert "<table" not in unit_section and "杭州市西湖区社区学院" in unit_section


def test_late_mail_is_listed_apart_and_a_quiet_day_says_none_came_late():
    rows = day_rows()
    rows[3].late = True
    text, html = bodies(parsed(compose_digest(DAY, rows, [], ReplyIdentity(), COORDINATORS, now=at(20))))
    late = text.split("五、逾期来信")[1].split("六、")[0]
    assert "温州市鹿城区社区学院" in late and "杭州市西湖区社区学院" not in late
    quiet, _ = bodies(parsed(compose_digest(DAY, day_rows(), [], ReplyIdentity(), COORDINATORS, now=at(20))))
    assert "今天没有逾期来信" in quiet


def test_roster_table_marks_silent_units_and_counts_days_to_the_next_deadline():
    units = [UnitLine("杭州市西湖区社区学院", True, {"accepted": 2}, [], at(9, 12)),
             UnitLine("温州市鹿城区社区学院", True, {"defective": 1}, ["缺少提取码（课程资源）"], at(11, 20)),
             UnitLine("湖州市吴兴区社区学院", True),
             UnitLine("某某街道社区学校", False, {"accepted": 1}, [], at(8, 0))]
    deadline = NextDeadline("第一批", datetime(2024, 5, 25, 23, 59, 59, tzinfo=CST))
    text, html = bodies(parsed(compose_digest(DAY, day_rows(), [], ReplyIdentity(), COORDINATORS, now=at(20),
                                              units=units, next_deadline=deadline)))
    assert "第一批截止：2024年5月25日 23:59，还有 5 天。" in text
    roster = text.split("七、名册单位报送情况（距第一批截止还有 5 天）")[1].split("八、")[0]
    assert "湖州市吴兴区社区学院：尚未报送" in roster
    assert "杭州市西湖区社区学院：通过 2 份（最近来信 2024年5月20日 09:12）" in roster
    assert "某某街道社区学校" not in roster  # not in the roster: it shows in the collection, not here
    assert "尚未报送：1 个单位。" in roster
    outstanding = text.split("六、尚待修改的问题（按单位）")[1].split("七、")[0]
    assert "温州市鹿城区社区学院：缺少提取码（课程资源）" in outstanding
    assert "杭州市西湖区社区学院" not in outstanding
    assert 'style="color: #b00020;">尚未报送' in html


def test_the_deadline_day_itself_says_today():
    deadline = NextDeadline("第一批", datetime(2024, 5, 20, 23, 59, 59, tzinfo=CST))
    text, _ = bodies(parsed(compose_digest(DAY, [], [], ReplyIdentity(), COORDINATORS, now=at(8),
                                           next_deadline=deadline)))
    assert "第一批截止：2024年5月20日 23:59，今天截止。" in text


def test_without_a_roster_the_digest_says_how_to_get_one():
    text, _ = bodies(parsed(compose_digest(DAY, [], [], ReplyIdentity(), COORDINATORS, now=at(8))))
    assert "未配置名册（配置文件中的 [roster] units）" in text
