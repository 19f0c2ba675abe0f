"""Judging the share links of a submission: what the submitter must fix, and what is only a warning."""

from __future__ import annotations

import hashlib

from parsers.facts import ApplicationForm, MailMessage, Material, ShareLink, SubjectInfo, Submission
from parsers.links import find_links, find_links_in_html, merge_links
from rules.campaign import Campaign
from rules.links import (
    check_link_code_missing,
    check_link_code_wrong,
    check_link_dead,
    check_link_expires,
    check_link_malformed,
    check_link_missing,
    check_link_provider,
    check_link_reused,
)

URL_A = "https://pan.baidu.com/s/1AbCdEfGhIjKlMnOpQrStUv"
URL_B = "https://pan.baidu.com/s/1ZyXwVuTsRqPoNmLkJi_-Fe"
CAMPAIGN = Campaign()


def course(title: str, *, video: bool = True, text: str = "", hyperlinks=(), filename: str | None = None) -> Material:
    form = ApplicationForm(
        kind="course",
        title=title,
        unit="杭州市西湖区社区学院",
        resource_types=["教材（读本）", "视频资源"] if video else ["教材（读本）"],
        video_minutes=45 if video else None,
        text=f"课程名称 {title}\n课程主要内容 本课程面向零基础老年学员……\n{text}",
        hyperlinks=list(hyperlinks),
    )
    name = filename or f"附件4-{title}.docx"
    return Material("course", name, hashlib.sha256(name.encode()).hexdigest(), 24_000, form=form)


def submission(body: str = "", html: str = "", materials=(), links=None) -> Submission:
    message = MailMessage(
        message_id="<20240315093000.1234@xihu.edu.cn>",
        subject="杭州市西湖区社区学院+智慧助老材料+2",
        sender="xhsqxy@163.com",
        text=body,
        html=html,
    )
    found = links
    if found is None:
        found = merge_links(find_links(body, "正文") + find_links_in_html(html, "正文(HTML)"))
    return Submission(
        message=message,
        subject=SubjectInfo(raw=message.subject, unit="杭州市西湖区社区学院", keyword_found=True, declared_count=2),
        materials=list(materials),
        links=found,
    )


def codes(defects) -> list[str]:
    return [d.code for d in defects]


def test_complete_baidu_link_with_code_has_no_defect():
    sub = submission(f"课程视频：{URL_A} 提取码：a1b2", materials=[course("智能手机入门")])
    for check in (check_link_malformed, check_link_code_missing, check_link_missing, check_link_provider,
                  check_link_reused, check_link_dead, check_link_code_wrong, check_link_expires):
        assert list(check(sub, CAMPAIGN)) == []


def test_truncated_link_is_an_error_naming_the_link_and_the_fix():
    sub = submission("课程视频：https://pan.baidu.com/s/1AbCdEfGhI 提取码：a1b2")
    [defect] = check_link_malformed(sub, CAMPAIGN)
    assert (defect.code, defect.severity, defect.where) == ("LINK_MALFORMED", "error", "正文")
    assert "https://pan.baidu.com/s/1AbCdEfGhI" in defect.message
    assert "邮件正文" in defect.message and "位数不对" in defect.message and "重新复制完整的分享链接" in defect.message


def test_baidu_link_without_code_asks_for_the_code_and_a_permanent_share():
    sub = submission(f"视频已上传百度网盘 {URL_A} 请查收")
    [defect] = check_link_code_missing(sub, CAMPAIGN)
    assert (defect.code, defect.severity) == ("LINK_CODE_MISSING", "error")
    assert URL_A in defect.message and "未附提取码" in defect.message and "永久有效" in defect.message


def test_code_of_the_wrong_shape_is_reported_as_missing_code():
    sub = submission(f"{URL_A} 提取码：a1b")
    [defect] = check_link_code_missing(sub, CAMPAIGN)
    assert "“a1b”格式不对" in defect.message and "4位字母或数字" in defect.message


def test_malformed_link_is_not_also_told_it_lacks_a_code():
    sub = submission("https://pan.baidu.com/s/1AbC…")
    assert codes(check_link_malformed(sub, CAMPAIGN)) == ["LINK_MALFORMED"]
    assert codes(check_link_code_missing(sub, CAMPAIGN)) == []


def test_provider_without_required_code_is_fine_without_one():
    sub = submission("https://pan.quark.cn/s/4e1ab6b1a44d")
    assert codes(check_link_code_missing(sub, CAMPAIGN)) == []


def test_video_course_without_any_link_is_link_missing():
    sub = submission("附件为我单位申报材料，请查收。", materials=[course("智能手机入门"), course("读本", video=False)])
    [defect] = check_link_missing(sub, CAMPAIGN)
    assert (defect.code, defect.severity, defect.where) == ("LINK_MISSING", "error", "附件4-智能手机入门.docx")
    assert "《智能手机入门》" in defect.message and "视频资源" in defect.message and "百度网盘" in defect.message


def test_video_attached_directly_needs_no_link():
    video = Material("video", "第1讲.mp4", "0" * 64, 18_000_000)
    sub = submission("视频见附件", materials=[course("智能手机入门"), video])
    assert codes(check_link_missing(sub, CAMPAIGN)) == []


def test_link_in_the_html_body_counts_for_a_video_course():
    html = f'<p>视频：<a href="{URL_A}">点击下载</a> 提取码：a1b2</p>'
    sub = submission(html=html, materials=[course("智能手机入门")])
    assert codes(check_link_missing(sub, CAMPAIGN)) == []


def test_provider_not_accepted_by_the_campaign_is_a_warning():
    sub = submission("https://www.alipan.com/s/ZbSXjR6SJZx 提取码：7kq2")
    [defect] = check_link_provider(sub, CAMPAIGN)
    assert (defect.code, defect.severity) == ("LINK_PROVIDER", "warning")
    assert "阿里云盘" in defect.message and "百度网盘" in defect.message


def test_accepted_provider_list_comes_from_the_campaign():
    sub = submission("https://www.alipan.com/s/ZbSXjR6SJZx 提取码：7kq2")
    assert codes(check_link_provider(sub, Campaign(accepted_link_providers=["baidu", "aliyun"]))) == []


def test_mail_super_attachment_warns_that_it_expires():
    sub = submission("视频太大，用QQ邮箱超大附件发送：https://wx.mail.qq.com/ftn/download?func=3&k=8a1f0c2d9e&key=5b7c")
    [defect] = check_link_expires(sub, CAMPAIGN)
    assert (defect.code, defect.severity) == ("LINK_EXPIRES", "warning")
    assert "超大附件" in defect.message and "过期" in defect.message and "永久有效" in defect.message
    assert codes(check_link_provider(sub, CAMPAIGN)) == []


def test_share_page_showing_an_expiry_warns_to_make_it_permanent():
    link = ShareLink("baidu", URL_A, code="a1b2", share_id=URL_A[-22:], found_in="正文", needs_code=True,
                     expires=True, check="alive", check_detail="过期时间：2026-12-01 10:00")
    [defect] = check_link_expires(submission(links=[link]), CAMPAIGN)
    assert "不是永久有效" in defect.message and "2026-12-01" in defect.message


def test_same_link_in_two_different_course_forms_is_a_warning():
    first = course("智能手机入门", text=f"课程资源链接：{URL_A} 提取码：a1b2")
    second = course("防范电信诈骗", hyperlinks=[f"{URL_A}?pwd=a1b2"])
    sub = submission(f"{URL_A} 提取码：a1b2", materials=[first, second])
    [defect] = check_link_reused(sub, CAMPAIGN)
    assert (defect.code, defect.severity) == ("LINK_REUSED", "warning")
    assert "《智能手机入门》" in defect.message and "《防范电信诈骗》" in defect.message and URL_A in defect.message


def test_same_course_sent_twice_is_not_a_reused_link():
    first = course("智能手机入门", text=f"课程资源链接：{URL_A}", filename="附件4.docx")
    again = course("智能手机入门", text=f"课程资源链接：{URL_A}", filename="附件4（修改版）.docx")
    other = course("防范电信诈骗", text=f"课程资源链接：{URL_B}")
    assert codes(check_link_reused(submission(materials=[first, again, other]), CAMPAIGN)) == []


def _checked(check: str, detail: str | None, code: str | None = "a1b2") -> Submission:
    link = ShareLink("baidu", URL_A, code=code, share_id=URL_A[-22:], found_in="附件4-智能手机入门.docx",
                     needs_code=True, check=check, check_detail=detail)
    return submission(links=[link])


def test_dead_share_is_an_error_asking_for_a_new_share():
    [defect] = check_link_dead(_checked("dead", "分享的文件已被删除"), CAMPAIGN)
    assert (defect.code, defect.severity, defect.where) == ("LINK_DEAD", "error", "附件4-智能手机入门.docx")
    assert "已经失效（分享的文件已被删除）" in defect.message and "附件“附件4-智能手机入门.docx”" in defect.message


def test_wrong_code_is_an_error_asking_for_the_right_code():
    [defect] = check_link_code_wrong(_checked("wrong_code", "提取码错误", code="zzzz"), CAMPAIGN)
    assert (defect.code, defect.severity) == ("LINK_CODE_WRONG", "error")
    assert "“zzzz”不正确" in defect.message


def test_unknown_check_result_is_never_a_defect():
    sub = _checked("unknown", "网盘要求输入验证码（访问过于频繁），未能检查")
    for check in (check_link_dead, check_link_code_wrong, check_link_expires, check_link_code_missing):
        assert list(check(sub, CAMPAIGN)) == []
