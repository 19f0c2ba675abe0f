"""A season's worth of distinct submissions: one case form per unit, each from the unit's own address."""

from __future__ import annotations

from datetime import datetime, timedelta

from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail

PLACES = ("杭州市西湖区", "杭州市上城区", "杭州市拱墅区", "宁波市海曙区", "宁波市江北区", "温州市鹿城区",
          "湖州市吴兴区", "嘉兴市南湖区", "绍兴市越城区", "金华市婺城区", "衢州市柯城区", "台州市椒江区")
KINDS = ("社区学院", "老年大学")


def unit_mails(count: int) -> list[bytes]:
    """`count` (at most 24) raw mails, each a different unit's 典型工作案例 with its form attached."""
    units = [place + kind for kind in KINDS for place in PLACES][:count]
    return [_mail(index, unit) for index, unit in enumerate(units)]


def _mail(index: int, unit: str) -> bytes:
    form = build_case_form(unit=unit, name=f"“银龄触网”智能手机课堂（{unit}）")
    return build_mail(MailSpec(
        subject=f"{unit}+智慧助老材料+1个", sender=(f"{unit} 联系人", f"unit{index:02d}@163.com"),
        attachments=[(f"{unit}+典型工作案例.docx", form)],
        date=datetime(2022, 4, 20, 9, 0, tzinfo=CST) + timedelta(minutes=index),
        message_id=f"<season-{index:02d}@163.com>"))
