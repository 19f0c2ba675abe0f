"""Archive passwords are found however the submitter wrote them."""

from __future__ import annotations

import pytest

from parsers.passwords import MAX_CANDIDATES, find_passwords


@pytest.mark.parametrize("text,password", [
    ("解压密码：1234", "1234"),
    ("解压密码:abc123", "abc123"),
    ("压缩包密码 zh2022", "zh2022"),
    ("密码为8888", "8888"),
    ("密码是 Xh@2022。", "Xh@2022"),
    ("压缩文件密码：【西湖2022】", "西湖2022"),
    ("附件密码为“qwe123”，谢谢", "qwe123"),
    ("解压密码：ａｂｃ１２３", "abc123"),
])
def test_password_written_in_each_common_way_is_found(text, password):
    assert password in find_passwords(f"各位老师好！附件为我单位材料。{text}\n联系人：王老师")


def test_password_followed_straight_by_chinese_words_is_also_tried_without_them():
    assert find_passwords("密码为1234谢谢") == ["1234谢谢", "1234"]


def test_subject_and_body_passwords_are_all_kept_in_order_once():
    assert find_passwords("西湖区+智慧助老材料+2个（解压密码：0420）", "解压密码：0420\n压缩包密码 abcd") == ["0420", "abcd"]


@pytest.mark.parametrize("text", ["邮箱密码：abc123", "网盘提取码：ab12", "本压缩包无密码。", "登录密码为123"])
def test_other_passwords_and_share_codes_are_not_taken(text):
    assert find_passwords(text) == []


def test_of_thousands_of_tokens_only_a_handful_are_kept_the_one_after_jieya_mima_first():
    lines = [f"第{i}项 密码{i:05d}；账号{i}" for i in range(6_000)]
    body = "\n".join(lines[:3_000] + ["解压密码：Kq7-2022"] + lines[3_000:])
    found = find_passwords("西湖区+智慧助老材料", body)
    assert found[0] == "Kq7-2022" and len(found) <= MAX_CANDIDATES


def test_a_password_next_to_the_archives_file_name_comes_before_others_written_earlier():
    body = "网站的备用密码是 x1y2z3。\n附件“西湖区材料.7z”，密码：abc888。"
    assert find_passwords("", body)[0] == "abc888"


def test_unzip_code_and_english_password_are_found():
    assert find_passwords("", "解压码 2022zh，password: Xh@1") == ["2022zh", "Xh@1"]
