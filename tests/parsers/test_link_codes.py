"""Share codes: which text is a code, and which link each code goes to (parsers/link_codes.py), on any input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.links import find_links, find_links_in_document, find_links_in_html, normalize, scan_text
from tests.parsers.test_links import ID_A, URL_A, URL_B, URL_C, pairs


def test_archive_password_is_never_taken_for_the_share_code():
    text = f"链接：{URL_A}\n解压密码：20240315\n压缩包密码：888888"
    assert pairs(text) == [(URL_A, None)]


def test_code_of_another_kind_of_password_is_not_taken():
    assert pairs(f"{URL_A} 邮箱密码：abc123 ") == [(URL_A, None)]


def test_code_missing_when_none_is_given():
    [link] = find_links(f"课程视频已上传：{URL_A}  请下载。", "正文")
    assert link.code is None and link.needs_code


def test_code_with_no_value_is_no_code():
    assert pairs(f"{URL_A} 提取码：（见附件）") == [(URL_A, None)]


# --------------------------------------------------------------------------- pairing


def test_each_link_gets_the_code_after_it():
    text = (
        f"第一讲：{URL_A} 提取码：1111\n"
        f"第二讲：{URL_B} 提取码：2222\n"
        f"第三讲：{URL_C} 提取码：3333\n"
    )
    assert pairs(text) == [(URL_A, "1111"), (URL_B, "2222"), (URL_C, "3333")]


def test_codes_on_one_line_pair_with_their_own_links():
    text = f"链接：{URL_A} 提取码：1111 链接：{URL_B} 提取码：2222"
    assert pairs(text) == [(URL_A, "1111"), (URL_B, "2222")]


def test_code_written_before_its_link_pairs_with_the_link_after_it():
    text = f"提取码：1111 链接：{URL_A}\n提取码：2222 链接：{URL_B}"
    assert pairs(text) == [(URL_A, "1111"), (URL_B, "2222")]


def test_links_listed_first_then_codes_in_the_same_order():
    text = f"链接1：{URL_A}\n链接2：{URL_B}\n提取码分别为：1111、2222"
    assert pairs(text) == [(URL_A, "1111"), (URL_B, "2222")]


def test_one_code_after_two_links_goes_to_the_nearest():
    text = f"教材：{URL_A}\n视频：{URL_B}\n提取码：2222"
    assert pairs(text) == [(URL_A, None), (URL_B, "2222")]


def test_same_link_twice_keeps_the_code_found_with_either():
    text = f"见下方链接 {URL_A}\n……\n再次附上：{URL_A} 提取码：a1b2"
    assert pairs(text) == [(URL_A, "a1b2")]


# --------------------------------------------------------------------------- malformed


# --------------------------------------------------------------------------- properties

FRAGMENTS = [
    URL_A, URL_B, f"{URL_C}?pwd=zz11", f"https://pan.baidu.com/s/{ID_A[:9]}", "https://pan.quark.cn/s/4e1ab6b1a44d",
    "pan.baidu.com", "提取码：", "提取码", "密码:", "解压密码：", "pwd=", "?pwd=", "code:", "分别为", "a1b2", "Q9W8",
    "1234", "、", "，", "\n", " ", "　", "…", "https://", "/s/1", "链接：", "--来自百度网盘超级会员V5的分享",
    "ｈｔｔｐｓ：／／", "１ＡｂＣ", "课程视频", "<a href=", ">",
]


def _assert_codes_used_once(text: str) -> None:
    hits = scan_text(text)
    spans = [h.code_span for h in hits if h.code_span]
    assert len(spans) == len(set(spans))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_extraction_never_raises_and_never_pairs_one_code_twice_on_arbitrary_text(text):
    find_links(text)
    find_links_in_html(text)
    _assert_codes_used_once(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_extraction_never_pairs_one_code_twice_on_pasted_fragments(text):
    links = find_links(text)
    find_links_in_document(text, [URL_B, text], "x.docx")
    _assert_codes_used_once(text)
    assert all(lk.code is None or lk.code in normalize(text) for lk in links)
