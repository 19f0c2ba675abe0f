"""Subjects as units really type them yield the unit and the declared count."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from parsers.subject import chinese_number, parse_subject


@pytest.mark.parametrize("subject,unit,count", [
    ("xx市 智慧助老材料 5个", "xx市", 5),
    ("杭州市西湖区社区学院+智慧助老材料+3份", "杭州市西湖区社区学院", 3),
    ("宁波市＋智慧助老材料＋五个", "宁波市", 5),
    ("嘉兴市_智慧助老材料_两份", "嘉兴市", 2),
    ("温州市鹿城区-智慧助老材料-数量：3", "温州市鹿城区", 3),
    ("回复：Re: 湖州市 智慧助老材料 4个", "湖州市", 4),
    ("转发：Fwd: 【外部邮件】台州市椒江区+智慧助老材料+十二个", "台州市椒江区", 12),
    ("杭州市智慧助老材料（案例2个、课程1个）", "杭州市", 3),
    ("舟山市 智慧助老材料 共6份（案例3个、项目3个）", "舟山市", 6),
    ("“衢州市”+“智慧助老”材料+1个", "衢州市", 1),
    ("金华市 智慧助老 材料 3个", "金华市", 3),
    ("绍兴市柯桥区 智慧助老材料 2", "绍兴市柯桥区", 2),
])
def test_unit_and_count_are_read_from_realistic_subjects(subject, unit, count):
    info = parse_subject(subject, "智慧助老")
    assert (info.unit, info.keyword_found, info.declared_count) == (unit, True, count)


def test_missing_unit_is_none():
    info = parse_subject("智慧助老材料 5个", "智慧助老")
    assert info.unit is None and info.declared_count == 5


def test_missing_count_is_none():
    info = parse_subject("丽水市智慧助老材料", "智慧助老")
    assert info.unit == "丽水市" and info.declared_count is None


def test_subject_without_keyword_is_marked_but_keeps_the_unit():
    info = parse_subject("杭州市西湖区社区学院+申报材料+3个", "智慧助老")
    assert not info.keyword_found and info.unit == "杭州市西湖区社区学院" and info.declared_count == 3


def test_question_without_keyword_has_no_unit():
    assert parse_subject("请问截止时间是哪天？", "智慧助老").unit is None


@pytest.mark.parametrize("subject,unit", [
    ("【杭州市西湖区社区学院】智慧助老材料（3份）", "杭州市西湖区社区学院"),
    ("[外部邮件]杭州市+智慧助老材料+3个", "杭州市"),
    ("【第二批】宁波市 智慧助老材料 2个", "宁波市"),
    ("杭州市西湖区社区学院2022年智慧助老材料3个", "杭州市西湖区社区学院"),
    ("杭州市西湖区社区学院第一批智慧助老材料3个", "杭州市西湖区社区学院"),
    ("杭州市西湖区社区学院（盖章）+智慧助老材料+2个", "杭州市西湖区社区学院"),
    ("杭州市西湖区社区学院(公章)+智慧助老材料+2个", "杭州市西湖区社区学院"),
    ("杭州市西湖区社区学院（老年大学）+智慧助老材料+2个", "杭州市西湖区社区学院(老年大学)"),  # read width-folded
])
def test_bracketed_units_are_kept_and_tags_years_batches_dropped(subject, unit):
    assert parse_subject(subject, "智慧助老").unit == unit


def test_keyword_comes_from_configuration():
    info = parse_subject("渝中区+年度工作总结+1份", "年度工作总结")
    assert (info.unit, info.declared_count) == ("渝中区", 1)


@pytest.mark.parametrize("token,value", [("5", 5), ("五", 5), ("两", 2), ("十", 10), ("十二", 12),
                                         ("二十", 20), ("二十三", 23), ("一百零五", 105), ("叁", 3), ("拾贰", 12),
                                         ("贰拾", 20), ("壹佰零伍", 105), ("廿三", 23), ("卅", 30), ("〇", 0),
                                         ("零", 0), ("佰", 100), ("５", 5), ("一〇五", 105)])
def test_chinese_numerals(token, value):
    assert chinese_number(token) == value


# How units write the count: every one of these, in every layout below, is the count.
COUNT_WRITINGS = [
    ("3个", 3), ("叁个", 3), ("叁", 3), ("三件", 3), ("3项", 3), ("（共3份）", 3), ("共计5个", 5), ("5篇", 5),
    ("3门", 3), ("３个", 3), ("３", 3), ("3", 3), ("两份", 2), ("贰份", 2), ("肆个", 4), ("伍件", 5),
    ("陆份", 6), ("柒个", 7), ("捌份", 8), ("玖个", 9), ("拾个", 10), ("拾贰份", 12), ("廿三个", 23),
    ("卅份", 30), ("壹佰零伍份", 105), ("数量：3", 3), ("共3个附件", 3), ("3 个", 3),
    ("案例2个、课程资源1门", 3), ("案例贰个，课程壹门", 3), ("（3）", 3), ("3份（联系人李敏13812345678）", 3),
]
LAYOUTS = [
    "{unit}+智慧助老材料+{count}",
    "{unit}＋智慧助老材料＋{count}",
    "{unit} 智慧助老材料 {count} ",
    "{unit}-智慧助老材料-{count}",
    "{unit}_智慧助老材料_{count}",
    "{unit}智慧助老材料{count}",
    "回复：【外部邮件】{unit}、智慧助老材料、{count}",
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("count,value", COUNT_WRITINGS)
def test_every_way_of_writing_the_count_is_read(layout, count, value):
    info = parse_subject(layout.format(unit="潍坊市奎文区社区学院", count=count), "智慧助老")
    assert (info.unit, info.declared_count) == ("潍坊市奎文区社区学院", value)


@pytest.mark.parametrize("tail", [
    "", "（鲁教民处函〔2021〕4号）", "（按鲁教民处函[2021]4号要求）", "2022年", "（2022年度）", "第三批", "（第二批）",
    "三季度", "联系电话13812345678", "0531-88886666", "5月5日", "2022.05.05", "2022-05-05", "10:30",
    "（二〇二二年）", "2022", "（附件1、附件2）", "-附件4课程资源", "（案例1）",
])
def test_years_dates_phones_ordinals_and_document_numbers_are_no_count(tail):
    assert parse_subject(f"济南市历下区+智慧助老材料{tail}", "智慧助老").declared_count is None


@pytest.mark.parametrize("subject", [
    "济南市历下区+智慧助老材料+叁个（鲁教民处函〔2021〕4号）",
    "济南市历下区2022年第二批智慧助老材料3个",
    "济南市历下区+智慧助老材料+3份+2022年5月5日",
    "【鲁教民处函〔2021〕4号】济南市历下区+智慧助老材料+3",
])
def test_count_is_read_beside_a_year_date_or_document_number(subject):
    assert parse_subject(subject, "智慧助老").declared_count == 3


@pytest.mark.parametrize("tail", [
    "+3（案例）",  # a remark in brackets after the number
    "+叁(含案例2份)",  # a partial breakdown in brackets: the number before it is the total
    "+3个（案例2份、课程1份）",
    "（案例1项、课程2项）",  # the breakdown alone
    "【3】",
])
def test_what_brackets_hold_after_a_count_breaks_it_down(tail):
    assert parse_subject(f"济南市历下区社区学院+智慧助老材料{tail}", "智慧助老").declared_count == 3


@given(st.text(max_size=80))
def test_any_subject_parses_without_raising(subject):
    info = parse_subject(subject, "智慧助老")
    assert info.declared_count is None or info.declared_count >= 0
