"""Finding share links and pairing them with their codes, in what people paste."""

from __future__ import annotations

import pytest

from parsers.links import find_links, find_links_in_html, merge_links

ID_A = "1" + "AbCdEfGhIjKlMnOpQrStUv"  # 1 + 22
ID_B = "1" + "ZyXwVuTsRqPoNmLkJi_-Fe"
ID_C = "1" + "QwErTyUiOpAsDfGhJkLzXc"
OLD_ID = "1c2ZnKhY"  # 1 + 7, older shares
URL_A, URL_B, URL_C = (f"https://pan.baidu.com/s/{i}" for i in (ID_A, ID_B, ID_C))


def pairs(text: str) -> list[tuple[str, str | None]]:
    return [(link.url, link.code) for link in find_links(text, "正文")]


def to_fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


# --------------------------------------------------------------------------- paste styles


def test_baidu_share_text_with_vip_footer_gives_link_and_code():
    text = (
        "王老师您好，我单位《智能手机入门》课程视频较大，已上传百度网盘：\n"
        f"链接：{URL_A} 提取码：a1b2 --来自百度网盘超级会员V5的分享\n"
        "请查收，谢谢！"
    )
    [link] = find_links(text, "正文")
    assert (link.provider, link.url, link.code, link.share_id) == ("baidu", URL_A, "a1b2", ID_A[1:])
    assert link.well_formed and link.needs_code and link.found_in == "正文"


def test_code_glued_to_the_vip_footer_is_still_read():
    assert pairs(f"链接:{URL_A}\n提取码:k7m9--来自百度网盘超级会员v4的分享") == [(URL_A, "k7m9")]


def test_pwd_in_url_is_the_code_and_the_repeated_code_is_not_spent_twice():
    text = (
        "通过百度网盘分享的文件：第1讲 认识智能手机.mp4\n"
        f"链接：{URL_A}?pwd=x9y8 \n提取码：x9y8 \n复制这段内容打开「百度网盘APP 即可获取」\n"
        f"第2讲：{URL_B}\n提取码：c3d4"
    )
    assert pairs(text) == [(URL_A, "x9y8"), (URL_B, "c3d4")]


@pytest.mark.parametrize("label", ["密码", "访问码", "pwd:", "code:", "提取码是", "提取码为：", "PWD=", "提取密码"])
def test_every_code_label_people_use_is_understood(label):
    assert pairs(f"课程视频 {URL_A}  {label} q1w2") == [(URL_A, "q1w2")]


def test_full_width_letters_digits_and_colons_are_read_as_ascii():
    text = f"链接：{to_fullwidth(URL_A)}　提取码：{to_fullwidth('q1w2')}"
    assert pairs(text) == [(URL_A, "q1w2")]


def test_link_broken_over_two_lines_is_joined():
    text = f"视频链接：https://pan.baidu.com/s/{ID_A[:12]}\n{ID_A[12:]}\n提取码：m4n5"
    assert pairs(text) == [(URL_A, "m4n5")]


def test_long_id_wrapped_after_seven_characters_is_not_mistaken_for_an_old_share():
    text = f"https://pan.baidu.com/s/{ID_A[:8]}\n{ID_A[8:]}\n提取码 m4n5"
    assert pairs(text) == [(URL_A, "m4n5")]


def test_link_broken_right_after_the_host_name_is_joined():
    assert pairs(f"链接：https://pan.baidu.com\n/s/{ID_A} 提取码：a1b2") == [(URL_A, "a1b2")]


def test_pwd_broken_to_the_next_line_is_joined():
    assert pairs(f"{URL_A}?pwd=\nab12") == [(URL_A, "ab12")]


def test_link_without_scheme_and_with_chinese_punctuation_around_it():
    text = f"视频见pan.baidu.com/s/{ID_A}，提取码为ab12。另见（{URL_B}）"
    assert pairs(text) == [(URL_A, "ab12"), (URL_B, None)]


def test_truncated_baidu_link_with_ellipsis_is_malformed():
    [link] = find_links("链接：https://pan.baidu.com/s/1AbC… 提取码：a1b2", "正文")
    assert not link.well_formed and "截断" in link.problem and link.code == "a1b2"


def test_baidu_id_of_wrong_length_is_malformed():
    [link] = find_links(f"https://pan.baidu.com/s/{ID_A[:15]} 提取码：a1b2", "正文")
    assert not link.well_formed and "位数不对" in link.problem


def test_personal_disk_page_is_not_a_share():
    [link] = find_links("https://pan.baidu.com/disk/main#/index?category=all&path=%2F课程", "正文")
    assert not link.well_formed and "个人页面" in link.problem


def test_bare_host_name_in_prose_is_not_a_link():
    assert find_links("请将视频上传到百度网盘（pan.baidu.com）后把分享链接发给我们。", "正文") == []


def test_mail_address_on_a_provider_domain_is_not_a_link():
    assert find_links("联系邮箱：zhanglaoshi@mail.qq.com，电话 0571-87654321", "正文") == []


# --------------------------------------------------------------------------- providers


@pytest.mark.parametrize(
    ("pasted", "provider", "url", "share_id", "needs_code", "expires"),
    [
        (f"https://pan.baidu.com/share/init?surl={ID_A[1:]}", "baidu", URL_A, ID_A[1:], True, False),
        (f"https://yun.baidu.com/s/{ID_A}", "baidu", URL_A, ID_A[1:], True, False),
        (f"https://pan.baidu.com/s/{OLD_ID}", "baidu", f"https://pan.baidu.com/s/{OLD_ID}", OLD_ID[1:], True, False),
        (f"https://pan.baidu.com/e/{ID_A}", "baidu", f"https://pan.baidu.com/e/{ID_A}", f"e/{ID_A}", True, False),
        ("http://pan.baidu.com/share/link?shareid=1234567890&uk=2887812345", "baidu",
         "https://pan.baidu.com/share/link?shareid=1234567890&uk=2887812345", "1234567890", False, False),
        ("https://www.aliyundrive.com/s/ZbSXjR6SJZx", "aliyun", "https://www.aliyundrive.com/s/ZbSXjR6SJZx",
         "ZbSXjR6SJZx", False, False),
        ("https://www.alipan.com/s/ZbSXjR6SJZx", "aliyun", "https://www.alipan.com/s/ZbSXjR6SJZx",
         "ZbSXjR6SJZx", False, False),
        ("https://pan.quark.cn/s/4e1ab6b1a44d", "quark", "https://pan.quark.cn/s/4e1ab6b1a44d",
         "4e1ab6b1a44d", False, False),
        ("https://cloud.189.cn/t/MzeYfeZ7Z7Rn", "tianyi", "https://cloud.189.cn/t/MzeYfeZ7Z7Rn",
         "MzeYfeZ7Z7Rn", False, False),
        ("https://cloud.189.cn/web/share?code=MzeYfeZ7Z7Rn", "tianyi", "https://cloud.189.cn/t/MzeYfeZ7Z7Rn",
         "MzeYfeZ7Z7Rn", False, False),
        ("https://share.weiyun.com/Hh6VZfXX", "weiyun", "https://share.weiyun.com/Hh6VZfXX", "Hh6VZfXX",
         False, False),
        ("https://www.123pan.com/s/Oe1ZVv-NUYxh.html", "pan123", "https://www.123pan.com/s/Oe1ZVv-NUYxh.html",
         "Oe1ZVv-NUYxh", False, False),
        ("https://wwi.lanzoup.com/iAbC123xyzq", "lanzou", "https://wwi.lanzoup.com/iAbC123xyzq", "iAbC123xyzq",
         False, False),
        ("https://115.com/s/swn4bs33z0d", "p115", "https://115.com/s/swn4bs33z0d", "swn4bs33z0d", True, False),
        ("https://wx.mail.qq.com/ftn/download?func=3&k=8a1f0c2d9e&key=5b7c", "qqmail",
         "https://wx.mail.qq.com/ftn/download?func=3&k=8a1f0c2d9e&key=5b7c", "8a1f0c2d9e", False, True),
        ("https://mail.qq.com/cgi-bin/ftnExs_download?k=2f3e4d&t=exs_ftn_download&code=9a8b7c", "qqmail",
         "https://mail.qq.com/cgi-bin/ftnExs_download?k=2f3e4d&t=exs_ftn_download&code=9a8b7c", "2f3e4d",
         False, True),
        ("https://mail.163.com/large-attachment-download/index.html?p=X-NETEASE-HUGE&file=Vb7xQ", "netease",
         "https://mail.163.com/large-attachment-download/index.html?p=X-NETEASE-HUGE&file=Vb7xQ", "Vb7xQ",
         False, True),
        ("https://mail.126.com/large-attachment-download/index.html?file=Qw3Er", "netease",
         "https://mail.126.com/large-attachment-download/index.html?file=Qw3Er", "Qw3Er", False, True),
    ],
)
def test_provider_url_patterns(pasted, provider, url, share_id, needs_code, expires):
    [link] = find_links(f"资源链接：{pasted} 请查收", "正文")
    assert (link.provider, link.url, link.share_id) == (provider, url, share_id)
    assert (link.well_formed, link.needs_code, link.expires) == (True, needs_code, expires)


def test_mail_attachment_code_parameter_is_not_a_share_code():
    [link] = find_links("https://mail.qq.com/cgi-bin/ftnExs_download?k=2f3e4d&code=9a8b7c", "正文")
    assert link.code is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("https://115.com/s/swn4bs33z0d?password=x2c3#", "x2c3"),
        ("https://www.alipan.com/s/ZbSXjR6SJZx 提取码: 7kq2", "7kq2"),
        ("https://cloud.189.cn/t/MzeYfeZ7Z7Rn（访问码：h2j3）", "h2j3"),
        ("https://wwi.lanzoup.com/iAbC123xyzq\n密码:fy5k", "fy5k"),
        ("https://www.123pan.com/s/Oe1ZVv-NUYxh.html提取码:Ab3d", "Ab3d"),
    ],
)
def test_codes_of_other_providers(text, code):
    [link] = find_links(text, "正文")
    assert link.code == code


@pytest.mark.parametrize(
    "pasted",
    [
        "https://pan.quark.cn/s/4e1ab6b1",
        "https://www.alipan.com/s/ZbSXjR6",
        "https://cloud.189.cn/t/MzeYfe",
        "https://115.com/s/",
        "https://wx.mail.qq.com/ftn/download?func=3",
    ],
)
def test_truncated_links_of_other_providers_are_malformed(pasted):
    [link] = find_links(pasted, "正文")
    assert not link.well_formed and link.problem


# --------------------------------------------------------------------------- HTML and documents


def test_html_only_body_with_link_behind_words_and_code_in_bold():
    html = (
        "<html><head><style>p{color:red}</style></head><body>"
        "<p>各位老师好：</p>"
        f'<p>课程视频：<a href="{URL_A}">点此下载</a>&nbsp;提取码：<b>ab12</b></p>'
        f"<div>第二讲 https://pan.baidu.com/s/{ID_B[:10]}<wbr>{ID_B[10:]} 提取码：cd34</div>"
        "</body></html>"
    )
    links = find_links_in_html(html, "正文(HTML)")
    assert [(lk.url, lk.code, lk.found_in) for lk in links] == [
        (URL_A, "ab12", "正文(HTML)"),
        (URL_B, "cd34", "正文(HTML)"),
    ]


def test_html_anchor_showing_its_own_url_is_found_once():
    html = f'<p>链接：<a href="{URL_A}?pwd=ab12">{URL_A}?pwd=ab12</a><br>提取码：ab12</p>'
    assert [(lk.url, lk.code) for lk in find_links_in_html(html)] == [(URL_A, "ab12")]



def test_html_table_one_row_per_course_pairs_each_link_with_its_own_row():
    html = (
        "<table border=1><tr><th>课程名称</th><th>网盘链接</th><th>提取码</th></tr>\r\n"
        f"<tr><td><p class=MsoNormal>认识智能手机</p></td><td><p class=MsoNormal>{URL_A}</p></td>"
        "<td><p class=MsoNormal>1111</p></td></tr>\r\n"
        f"<tr><td>微信视频通话</td><td><a href=\"{URL_B}\">{URL_B}</a></td><td>2222</td></tr></table>"
    )
    assert [(lk.url, lk.code, lk.well_formed) for lk in find_links_in_html(html)] == [
        (URL_A, "1111", True), (URL_B, "2222", True)]


def test_html_table_row_without_a_code_takes_no_code_from_another_row():
    html = (
        "<table><tr><td>课程</td><td>链接</td><td>提取码</td></tr>"
        f"<tr><td>第一讲</td><td>{URL_A}</td><td></td></tr>"
        f"<tr><td>第二讲</td><td>{URL_B}</td><td>提取码：2222</td></tr></table>"
    )
    assert [(lk.url, lk.code) for lk in find_links_in_html(html)] == [(URL_A, None), (URL_B, "2222")]


def test_two_column_table_with_the_code_in_the_row_below_the_link():
    html = f"<table><tr><td>网盘链接</td><td>{URL_A}</td></tr><tr><td>提取码</td><td>1111</td></tr></table>"
    assert [(lk.url, lk.code) for lk in find_links_in_html(html)] == [(URL_A, "1111")]


def test_html_line_breaks_keep_link_and_code_apart():
    html = f"<div>链接：{URL_A}<br>提取码：ab12<br/>--来自百度网盘超级会员V5的分享</div>"
    assert [(lk.url, lk.code, lk.well_formed) for lk in find_links_in_html(html)] == [(URL_A, "ab12", True)]


@pytest.mark.parametrize("after", ["，提取码：ab12", "；提取码：ab12", "（提取码：ab12）", "。提取码：ab12", "提取码ab12",
                                   "？pwd＝ab12", "、提取码：ab12", "　提取码：ab12"])
def test_link_typed_in_ascii_ends_at_the_first_chinese_character_or_punctuation(after):
    [link] = find_links(f"视频链接：{URL_A}{after}", "正文")
    assert (link.url, link.code, link.well_formed) == (URL_A, "ab12", True)



@pytest.mark.parametrize("between", ["，", "；", "！", "）（"])
def test_links_separated_only_by_chinese_punctuation_are_two_links(between):
    text = f"视频链接：{URL_A}{between}{URL_B}{between}提取码分别为：1111、2222"
    assert pairs(text) == [(URL_A, "1111"), (URL_B, "2222")]

def test_link_glued_to_text_in_one_copy_is_not_a_second_link_when_another_copy_is_whole():
    glued = find_links(f"认识智能手机{URL_A}1111", "正文")
    whole = find_links(f"认识智能手机\t{URL_A}\t提取码 1111", "正文(HTML)")
    assert [(lk.url, lk.code, lk.well_formed) for lk in merge_links(glued + whole)] == [(URL_A, "1111", True)]


def test_link_cut_short_is_kept_when_no_whole_copy_exists():
    [link] = merge_links(find_links(f"链接：{URL_A[:36]}... 提取码：1111", "正文"))
    assert not link.well_formed
