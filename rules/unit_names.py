"""Comparing unit names as people write them.

`宁波市鄞州区社区学院`, `鄞州区`, `宁波市鄞州区社区学院（盖章）` and
`宁波市 鄞州区社区学院` are one unit; `宁波市海曙区社区学院` is another, though
related through the city. Name knowledge only: who a mail is from is
decided in `rules.units`.
"""

from __future__ import annotations

import re
import unicodedata

_SEAL_NOTE = re.compile(r"[（(]\s*(?:盖章|公章|章|签章|印章)\s*[）)]\s*$|(?:盖章|公章)\s*$")
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "（": "(", "）": ")", "〔": "(", "〕": ")"})


def normalise_unit(name: str | None) -> str:
    """One spelling per name: NFKC (full/half width), no spaces or quotes, no trailing `（盖章）`."""
    text = unicodedata.normalize("NFKC", name or "").translate(_BRACKETS)
    text = re.sub(r"[\s·•\"'“”‘’]", "", text)
    text = _SEAL_NOTE.sub("", text)
    return text.strip("()：:,，、").lower()


def same_unit(a: str | None, b: str | None) -> bool:
    return bool(a and b) and normalise_unit(a) == normalise_unit(b)


def is_short_form(short: str | None, full: str | None) -> bool:
    """Whether `short` (鄞州区, 鄞州社区学院, 铁西区社区学院) can be a short way of writing `full`.

    Only a hint: callers accept it when the address or the thread agrees.
    """
    a, b = normalise_unit(short), normalise_unit(full)
    if len(a) < 2 or not b or len(a) > len(b):
        return False
    if a in b:
        return True
    strip = lambda n: re.sub(r"[省市区县]", "", n)  # noqa: E731
    return len(strip(a)) >= 2 and strip(a) in strip(b)


_INSTITUTIONS = sorted(
    [
        "社区教育服务指导中心", "社区教育指导中心", "社区教育指导服务中心", "社区教育中心", "社区教育学院",
        "老年教育指导中心", "终身教育指导中心", "社区学院", "社区学校", "社区大学", "老年大学", "老年学校",
        "老年开放大学", "开放大学", "广播电视大学", "电视大学", "职业技术学院", "职业学院", "成人学校",
        "成人教育中心", "教育局", "教育厅", "教育委员会", "教育体育局", "文化和旅游局", "民政局", "分校",
        "学院", "学校", "大学", "中心", "委员会", "办公室", "分会", "协会",
    ],
    key=len,
    reverse=True,
)
_ADMIN = re.compile(
    r"^(?P<prov>北京市|天津市|上海市|重庆市|[^省\s]{2,3}省|.{2,6}?自治区)?"
    r"(?P<city>[^市盟省区县]{2,6}?(?:市|自治州|州|盟|地区))?"
    r"(?P<county>[^区县旗市]{1,6}?(?:区|县|旗|市))?"
)


def units_related(a: str, b: str) -> bool:
    """Whether two unit names plausibly belong together (same body, or same place).

    A city centre forwarding its districts' forms is related to them; two
    different cities are not. When we cannot tell, we say related: this only
    drives a warning and should not cry wolf.
    """
    na, nb = _norm(a), _norm(b)
    if not na or not nb or na in nb or nb in na:
        return True
    ka, kb = _key(na), _key(nb)
    if len(ka) >= 2 and len(kb) >= 2 and (ka in kb or kb in ka):
        return True
    pa, pb = _places(na), _places(nb)
    if pa["county"] and pb["county"]:
        return pa["county"] == pb["county"]  # two districts are two units, even in one city
    if pa["city"] and pa["city"] == pb["city"]:
        return True
    if pa["city"] and pb["city"]:
        return False
    if pa["prov"] and pb["prov"]:
        return pa["prov"] == pb["prov"]
    only_province = lambda p: p["prov"] and not p["city"] and not p["county"]  # noqa: E731
    return bool(only_province(pa) or only_province(pb))


def _norm(name: str) -> str:
    name = re.sub(r"[（(][^）)]*[）)]", "", name)  # "（西湖区老年大学）" aliases
    return re.sub(r"[\s·•,，、.。“”\"'‘’]", "", name)


def _key(name: str) -> str:
    """The place part of a name: institution words and admin suffixes removed."""
    for word in _INSTITUTIONS:
        name = name.replace(word, "")
    return re.sub(r"[省市区县]", "", name)


def _places(name: str) -> dict[str, str | None]:
    m = _ADMIN.match(name)
    places = {k: m.group(k) for k in ("prov", "city", "county")} if m else {"prov": None, "city": None, "county": None}
    if places["county"] and places["county"].endswith(("社区", "学区", "校区")):
        places["county"] = None
    return places
