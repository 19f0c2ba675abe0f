"""Text files and HTML bodies become the text a person sees, whatever program wrote them."""

from __future__ import annotations

import pytest

from parsers.html_text import html_text
from parsers.text import decode_bytes, decode_text_file

NOTE = "课程视频\r\n链接：https://pan.baidu.com/s/1AbCdEfGhIjKlMnOpQrStUv\r\n密码：ab12\r\n"


@pytest.mark.parametrize("codec", ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                   "utf-32"])
def test_text_file_in_any_chinese_encoding_reads_with_plain_line_ends(codec):
    assert decode_text_file(NOTE.encode(codec)) == NOTE.replace("\r\n", "\n")


def test_short_gbk_note_is_not_taken_for_big5():
    assert decode_text_file("密码：ab12".encode("gbk")) == "密码：ab12"


def test_table_rows_are_lines_and_cells_are_tab_separated():
    html = ("<table>\n <tr>\n  <th>课程名称</th>\n  <th>网盘链接</th>\n  <th>提取码</th>\n </tr>\n"
            " <tr><td><p class=MsoNormal>认识 智能手机</p></td><td></td><td>ab12</td></tr>\n</table>")
    assert html_text(html) == "课程名称\t网盘链接\t提取码\n认识 智能手机\t\tab12"


def test_lines_inside_a_cell_of_a_row_stay_on_the_row():
    assert html_text("<table><tr><td>链接：x<br>提取码：ab12</td><td>备注</td></tr></table>") == "链接：x 提取码：ab12\t备注"


def test_layout_table_around_the_whole_body_keeps_its_lines():
    assert html_text("<table><tr><td><p>您好：</p><p>链接见下</p>谢谢</td></tr></table>") == "您好：\n链接见下\n谢谢"


@pytest.mark.parametrize("tag", ["p", "div", "li", "h3", "blockquote"])
def test_blocks_are_lines(tag):
    assert html_text(f"<{tag}>第一行</{tag}><{tag}>第二行</{tag}>") == "第一行\n第二行"


def test_line_breaks_hidden_parts_and_entities():
    html = "<head><title>t</title><style>p{}</style></head><p>甲&nbsp;乙<br>丙<br><br>丁</p><script>x()</script>"
    assert html_text(html) == "甲\u00a0乙\n丙\n\n丁"


def test_link_behind_words_is_written_after_them():
    assert html_text('<p><a href="https://pan.baidu.com/s/1x">点击下载</a>，提取码 ab12</p>') == (
        "点击下载 https://pan.baidu.com/s/1x ，提取码 ab12")


@pytest.mark.parametrize("words", ["密码：ab12", "您好", "课程视频", "访问码：x9y8", "分享码 ab12"])
@pytest.mark.parametrize("label", [None, "us-ascii"])
def test_short_gbk_body_without_a_true_label_is_read_as_gbk(words, label):
    assert decode_bytes(words.encode("gbk"), label) == words


@pytest.mark.parametrize("words", ["您好，附件是我單位的材料，請查收。", "課程視頻鏈接", "密碼：ab12"])
def test_big5_body_without_a_label_is_still_read_as_big5(words):
    assert decode_bytes(words.encode("big5")) == words

