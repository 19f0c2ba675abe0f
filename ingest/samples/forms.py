"""Realistic Word application forms (附件2/3/4) built in code with python-docx.

The demo and the tests need .docx files that look like what units really send:
official tables with merged cells, spaced labels, paragraph-style copies,
every way people tick a box, share links typed in or inserted as hyperlinks.
Building them here keeps binary fixtures out of the repository.
"""

from __future__ import annotations

import io
from typing import Iterable, Sequence

from docx.text.paragraph import Paragraph

from ingest.samples.form_docx import Piece, add_hyperlink, render, tick

CASE_BASIC = (
    "西湖区现有60周岁以上户籍老年人约18.6万人，占户籍总人口的22.3%。随着政务服务、医疗挂号、"
    "出行支付等日常事务加快向线上迁移，不少老年人因不会使用智能手机而遇到“办事难、就医难、出行难”等困扰。"
    "2021年起，西湖区社区学院依托区、街道、社区三级社区教育网络，联合辖区通信运营商、高校志愿服务团队，"
    "启动“银龄触网”智能手机应用进社区项目，面向老年人开展系统化、分层次的智能技术培训，"
    "帮助老年人跨越“数字鸿沟”，共享数字生活的便利。"
)
CASE_PRACTICE = (
    "一是构建分层课程体系。根据老年人的使用基础，将课程分为“入门班”“提高班”“达人班”三个层次，"
    "编写《老年人智能手机应用读本》，内容涵盖基础操作、微信使用、健康码出示、网上挂号、移动支付、"
    "防范电信诈骗等12个专题，并配套录制短视频微课36个。\n"
    "二是组建多元师资队伍。从社区学院专职教师、辖区高校大学生志愿者、通信企业技术人员中遴选组建"
    "“银龄数字导师团”，共有成员86人。导师上岗前统一接受老年教育教学方法培训，坚持“小班化、手把手、"
    "重实操”的教学方式，每班学员不超过20人。\n"
    "三是打造“15分钟学习圈”。在全区11个街道、68个社区设立教学点，利用社区文化家园、老年食堂、"
    "党群服务中心等场所开设固定课堂，同时组织流动课堂走进养老机构和老旧小区，方便老年人就近学习。\n"
    "四是建立长效帮扶机制。在社区设置“智能手机帮帮站”，每周固定时间提供一对一答疑服务；"
    "建立学员微信群，由导师在线解答问题、推送学习资源，形成“课堂学习、课后练习、线上答疑”的闭环。"
)
CASE_EFFECT = (
    "项目实施以来，累计开设培训班326期，培训老年人1.2万余人次，学员结业考核通过率达96%。"
    "参训老年人普遍掌握了视频通话、扫码支付、网上挂号等常用功能，不少学员从“学习者”成长为“小老师”，"
    "主动帮助身边的老伙伴。项目先后被《杭州日报》、浙江教育在线等媒体报道，获评杭州市社区教育优秀品牌项目。\n"
    "主要经验有三点：一是坚持需求导向，课程内容紧扣老年人日常生活高频场景；二是坚持资源整合，"
    "充分调动政府、学校、企业、志愿者等多方力量；三是坚持常态长效，将集中培训与日常帮扶相结合，"
    "让老年人学得会、用得上、记得牢。"
)
PROJECT_CONTENT = (
    "项目围绕老年人日常生活中的高频事项，设置“智能手机基础操作”“微信沟通与视频通话”“出行与就医服务”"
    "“移动支付与网络安全”四个模块共16个课时。每期培训采用“集中授课+分组练习+课后答疑”的方式，"
    "配发图文并茂的操作手册，并在课后通过学员微信群推送复习短视频。\n"
    "针对行动不便和居住分散的老年人，项目组织教师和志愿者开展送教上门和流动课堂，"
    "把培训送进养老机构、老旧小区和农村文化礼堂。"
)
PROJECT_EFFECT = (
    "项目共举办培训24期，培训老年学员1860人次，学员满意度达98.5%。通过培训，绝大多数学员能够独立完成"
    "健康码出示、网上预约挂号、手机缴费等操作，防范电信网络诈骗意识明显增强。项目培养老年志愿骨干42名，"
    "形成了“老年人教老年人”的互助学习氛围，相关做法被区民政局推广到全区各养老服务中心。"
)
COURSE_CONTENT = (
    "本课程面向零基础老年学员，共分为12讲，每讲10至15分钟，内容包括认识智能手机、调节字体与音量、"
    "拨打视频电话、使用微信聊天、出示健康码、网上预约挂号、扫码支付、识别网络诈骗等。"
    "课程采用真人演示与屏幕录制相结合的方式，语速适中、字幕清晰，配套纸质读本便于老年人反复学习。"
)

OPINION = ("（盖章）", "年　　月　　日")
RESOURCE_TYPES = ("教材（读本）", "视频资源", "其他")
SHARE_LABEL = "是否同意纳入全国老年教育公共服务平台共享"


# ----------------------------------------------------------------------------
# Public builders
# ----------------------------------------------------------------------------


def build_case_form(
    *,
    name: str = "“银龄触网”智能手机应用进社区",
    unit: str = "杭州市西湖区社区学院",
    leader: str = "王建华",
    leader_phone: str = "13812345678",
    contact: str = "李晓梅",
    contact_phone: str = "0571-87654321",
    basic: str = CASE_BASIC,
    practice: str = CASE_PRACTICE,
    effect: str = CASE_EFFECT,
    layout: str = "table",
    spaced_labels: bool = False,
    version: str = "ministry",
    title: str | None = None,
    omit: Iterable[str] = (),
) -> bytes:
    """附件2 典型工作案例申报表; `omit` lists labels left blank."""
    omit = set(omit)
    sections = [
        (label, text)
        for label, text in (("基本情况", basic), ("主要做法", practice), ("经验效果", effect))
        if label not in omit
    ]
    rows: list[tuple] = [
        ("pair", "案例名称", _blank(name, "案例名称", omit)),
        ("pair", "申报单位", _blank(unit, "申报单位", omit)),
        *_people_rows(leader, leader_phone, contact, contact_phone, omit),
    ]
    limits = {"基本情况": 500, "主要做法": 1500, "经验效果": 1000}
    if version == "ministry":
        rows.append(("sections", "案例内容", [(f"{lab}（{limits[lab]}字以内）", _paras(t)) for lab, t in sections]))
    else:
        numbered = []
        for number, (lab, text) in zip("一二三", sections):
            numbered += [f"{number}、{lab}", *_paras(text)]
        rows.append(("long", "案例内容（包括基本情况、主要做法、经验效果，限3000字以内）", numbered))
    rows += _opinion_rows(version)
    default_title = "典型工作案例申报表" if version == "ministry" else "“智慧助老”典型工作案例申报表"
    return render(rows, _titles("附件2", default_title, title), layout, spaced_labels)


def build_project_form(
    *,
    name: str = "“数字生活 乐享晚年”老年人智能技术应用培训项目",
    unit: str = "杭州市西湖区社区学院",
    leader: str = "王建华",
    leader_phone: str = "13812345678",
    contact: str = "李晓梅",
    contact_phone: str = "0571-87654321",
    teacher: str = "陈晓燕",
    teacher_post: str = "杭州市西湖区社区学院 讲师",
    sessions: str = "24期",
    trainees: str = "1860人次",
    content: str = PROJECT_CONTENT,
    effect: str = PROJECT_EFFECT,
    layout: str = "table",
    spaced_labels: bool = False,
    version: str = "ministry",
    title: str | None = None,
    omit: Iterable[str] = (),
) -> bytes:
    """附件3 典型教育培训项目申报表; `omit` lists labels left blank."""
    omit = set(omit)
    rows: list[tuple] = [
        ("pair", "项目名称", _blank(name, "项目名称", omit)),
        ("pair", "申报单位", _blank(unit, "申报单位", omit)),
        *_people_rows(leader, leader_phone, contact, contact_phone, omit),
        ("two", "授课人", _blank(teacher, "授课人", omit),
         "单位及职务（职称）", _blank(teacher_post, "单位及职务（职称）", omit)),
        ("two", "培训期数", _blank(sessions, "培训期数", omit), "培训人次", _blank(trainees, "培训人次", omit)),
        ("long", "培训内容", _paras(_blank(content, "培训内容", omit))),
        ("long", "培训效果", _paras(_blank(effect, "培训效果", omit))),
        *_opinion_rows(version),
    ]
    default_title = "典型教育培训项目申报表" if version == "ministry" else "“智慧助老”典型教育培训项目申报表"
    return render(rows, _titles("附件3", default_title, title), layout, spaced_labels)


def build_course_form(
    *,
    name: str = "老年人智能手机应用入门",
    unit: str = "杭州市西湖区社区学院",
    resource_types: Sequence[str] = ("视频资源",),
    video_minutes: float | None = 45,
    tick_style: str = "☑",
    share_consent: bool | None = True,
    consent_style: str = "tick",
    share_label: str = SHARE_LABEL,
    leader: str = "王建华",
    leader_phone: str = "13812345678",
    contact: str = "李晓梅",
    contact_phone: str = "0571-87654321",
    members: str = "陈晓燕、周建国、林婷婷、王浩",
    awards: str = "2022年浙江省老年教育优秀课程资源",
    content: str = COURSE_CONTENT,
    link_text: str | None = None,
    hyperlink: str | None = None,
    layout: str = "table",
    spaced_labels: bool = False,
    version: str = "ministry",
    title: str | None = None,
    omit: Iterable[str] = (),
) -> bytes:
    """附件4 典型课程资源申报表.

    `tick_style` is how the boxes are ticked: a glyph (☑ ■ √ ✔ ☒), "wingdings"
    (a Wingdings 2 symbol run), "wingdings_fe" (Wingdings F0FE), "wingdings_text"
    (letter R in Wingdings 2), "wingdings_pua" (U+F052 typed in a Wingdings 2
    run, as WPS saves its tick), "symbol" (Symbol's √ for the tick, □ typed
    for the empty box) or "content_control" (a Word check box control).
    `share_consent=None` leaves both boxes empty. `consent_style` is how the
    sharing question is answered: "tick" (boxes before 是/否), "agree" (boxes
    before 同意/不同意), "bracket" (是（√）否（　）) or "word" (同意/不同意
    typed instead of boxes); `share_label` is the question as the form asks it.
    `link_text` is typed into 课程主要内容; `hyperlink` is inserted as a real link.
    """
    omit = set(omit)
    minutes = "" if video_minutes is None else f"{video_minutes:g}"

    def write_types(p: Paragraph) -> None:
        for option in RESOURCE_TYPES:
            tick(p, option in resource_types, tick_style)
            label = f"视频资源（时长：{minutes}分钟）" if option == "视频资源" else option
            p.add_run(label + "　　")

    def write_consent(p: Paragraph) -> None:
        if consent_style == "word":
            p.add_run({True: "同意", False: "不同意", None: ""}[share_consent])
            return
        if consent_style == "bracket":
            p.add_run(f"是（{'√' if share_consent is True else '　'}）　　否（{'√' if share_consent is False else '　'}）")
            return
        yes, no = ("同意", "不同意") if consent_style == "agree" else ("是", "否")
        tick(p, share_consent is True, tick_style)
        p.add_run(f"{yes}　　")
        tick(p, share_consent is False, tick_style)
        p.add_run(no)

    body: list[Piece] = list(_paras(_blank(content, "课程主要内容", omit)))
    if link_text:
        body.append(link_text)
    if hyperlink:
        body.append(lambda p: (p.add_run("课程资源链接："), add_hyperlink(p, hyperlink, hyperlink)))
    rows: list[tuple] = [
        ("pair", "课程名称", _blank(name, "课程名称", omit)),
        ("rich", "课程资源类型", write_types),
        ("pair", "申报单位", _blank(unit, "申报单位", omit)),
        ("rich", share_label, write_consent),
        *_people_rows(leader, leader_phone, contact, contact_phone, omit),
        ("pair", "核心成员", _blank(members, "核心成员", omit)),
        ("pair", "曾获奖项", _blank(awards, "曾获奖项", omit)),
        ("long", "课程主要内容", body),
        *_opinion_rows(version),
    ]
    default_title = "典型课程资源申报表" if version == "ministry" else "“智慧助老”典型课程资源申报表"
    return render(rows, _titles("附件4", default_title, title), layout, spaced_labels)


def encrypt_docx(data: bytes, password: str = "123456") -> bytes:
    """Password-protect a .docx the way Word does (an OLE container around it)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


# ----------------------------------------------------------------------------
# Row specs shared by the three forms
# ----------------------------------------------------------------------------


def _blank(value: str, label: str, omit: set[str]) -> str:
    return "" if label in omit else value


def _paras(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()] if text else []


def _people_rows(leader, leader_phone, contact, contact_phone, omit) -> list[tuple]:
    """负责人/联系人 rows, each with its own 联系电话 — the form's two phone labels."""
    return [
        ("two", "负责人", _blank(leader, "负责人", omit), "联系电话", _blank(leader_phone, "负责人联系电话", omit)),
        ("two", "联系人", _blank(contact, "联系人", omit), "联系电话", _blank(contact_phone, "联系人联系电话", omit)),
    ]


def _opinion_rows(version: str) -> list[tuple]:
    higher = "省级教育行政部门意见" if version == "ministry" else "市社区教育指导中心意见"
    return [("long", "申报单位意见", list(OPINION)), ("long", higher, list(OPINION))]


def _titles(annex: str, default: str, title: str | None) -> list[str]:
    if title == "":
        return []
    return [annex, title or default]


# ----------------------------------------------------------------------------
# Rendering: official table, label-and-value-in-one-cell table, or paragraphs
# ----------------------------------------------------------------------------
