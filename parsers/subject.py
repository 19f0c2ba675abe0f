"""Reading `单位名称+智慧助老材料+数量` out of what people really type.

Units write `xx市 智慧助老材料 5个`, `xx区＋智慧助老材料＋五份`,
`回复：xx学院-智慧助老材料-数量：3`, or list counts per kind
(`案例2个、课程1个`). We find the campaign keyword, take what stands before
it as the unit, and read the count after it.
"""

from __future__ import annotations

import re
import unicodedata

from parsers.facts import SubjectInfo

# Tags mail systems and senders put before a subject; a bracketed unit name is not one.
_TAG = (r"外部邮件|外部|外来邮件|external|spam|垃圾邮件|重要|紧急|急件|加急|广告|群发|提醒|"
        r"修改稿|修改版|修改|更正|补充|补报|重发|再次发送|第[一二三四五六七八九十\d]+批|\d{4}年?")
_PREFIX = re.compile(
    rf"^\s*(?:(?:回复|答复|回覆|转发|轉發|re|fw|fwd|aw|sv|wg)\s*[:：]|[\[【(（]\s*(?:{_TAG})\s*[\]】)）])\s*",
    re.IGNORECASE,
)
# How Chinese place and organisation names end; shared with the attachment-name rule.
PLACE_SUFFIXES = "省|市|区|县|旗|州|盟|镇|乡|街道"
ORG_SUFFIXES = "社区|学院|学校|大学|中心|分校|图书馆|协会"
_ORG = re.compile(rf"^[\u4e00-\u9fffA-Za-z0-9（）()]{{1,40}}(?:{PLACE_SUFFIXES}|{ORG_SUFFIXES}|局|馆|站)")
_SEPARATORS = " \t+＋-－—_＿、，,;；:：|/（）()“”\"'《》<>·."
# Numerals as people write them: plain, financial (壹贰叁, used against tampering), 两, 廿/卅.
_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
              "三": 3, "叁": 3, "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6,
              "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_TENS = {"廿": 20, "卄": 20, "卅": 30, "卌": 40}  # 廿三 is 23
_CN_CHARS = "".join([*_CN_DIGITS, *_CN_UNITS, *_CN_TENS])
# A count is never glued to a longer number, never an ordinal (第三批) nor part of a document
# number (〔2021〕4号); and never followed by a date, ordinal or document-number word.
_NOT_BEFORE = rf"(?<![0-9{_CN_CHARS}第〔A-Za-z])(?<![0-9][-/.:])"
_NOT_AFTER = r"(?!\s*(?:年|月|日|号|號|批|期|届|季|时|點|点|分|秒|%|‰|岁|周|次|位|[-/.:][0-9]))"
_NUMBER = rf"[0-9]{{1,3}}(?![0-9])|[{_CN_CHARS}]++"  # never a year: four digits are no count
_NUM = rf"{_NOT_BEFORE}({_NUMBER}){_NOT_AFTER}"
_MEASURE = r"(?:个|個|份|件|项|項|篇|套|門|门|类|類|條|条|组|組|本|册|冊|部|则|則|例|集|节|節|讲|講|种|種)"
_TOTAL = re.compile(rf"(?:数量|數量|總數|总数|合计|合計|共计|共計|总计|共|计)\s*(?:[:：为為是]\s*)?{_NUM}\s*{_MEASURE}?")
_COUNT = re.compile(rf"{_NUM}\s*{_MEASURE}")
# A number straight after the word for what is sent (`材料3`); `附件4`, `案例1` name an annex or an item, not a count.
_KIND_COUNT = re.compile(rf"(?:材料|资料)\s*[:：]?\s*{_NUM}(?!\s*{_MEASURE})")
_BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
# A number standing alone between separators or at the end (`材料 3 `, `+叁`, `（3）`, `+3（案例）`).
_BARE_NUMBER = re.compile(rf"(?:^|[\s+＋\-_、，,;；（(【\[])\s*{_NUM}\s*(?=$|[\s+＋\-_、，,;；（(【\[）)】\]])")
_MATERIAL_WORDS = re.compile(r"^(?:材料|资料|申报材料|申报|报送)")
# What an official letter's title ends with (`关于报送…材料的函`): never part of a unit's name.
_DOCUMENT_TAIL = re.compile(r"^的?\s*(?:函|通知|报告|请示|说明|情况说明|情况|公函|复函|申请)?$")


def strip_reply_prefixes(subject: str) -> str:
    """Remove any number of `回复：`/`Re:`/`转发：`/`[外部邮件]` prefixes."""
    previous = None
    while previous != subject:
        previous = subject
        subject = _PREFIX.sub("", subject, count=1)
    return subject.strip()


def parse_subject(subject: str, keyword: str) -> SubjectInfo:
    """Split a subject into unit, keyword presence and declared count."""
    info = SubjectInfo(raw=subject)
    text = unicodedata.normalize("NFKC", strip_reply_prefixes(subject or ""))
    key = unicodedata.normalize("NFKC", keyword)
    position = text.find(key)
    if position < 0:
        info.declared_count = read_count(text)
        info.unit = _leading_organisation(text)
        return info
    info.keyword_found = True
    before, after = text[:position], text[position + len(key):]
    after = _MATERIAL_WORDS.sub("", after.lstrip(_SEPARATORS))
    info.declared_count = read_count(after)
    info.unit = clean_unit(before) or clean_unit(_without_counts(after))
    return info


def read_count(text: str) -> int | None:
    """The declared number of items: a stated total, else the sum of per-kind counts, else a lone number.

    Every form people use reads the same way: `3个`, `叁份`, `（共3份）`, `共计5个`,
    `案例2个、课程1门`, `材料3`, `+3`, `（３）`. Years, dates, ordinals (第三批)
    and document numbers (〔2021〕4号) are never a count.
    """
    text = unicodedata.normalize("NFKC", text or "")
    total = _TOTAL.search(text)
    if total and (value := chinese_number(total.group(1))) is not None:
        return value
    outside = _BRACKETED.sub(" ", text)  # `叁（含案例2份）`: what brackets hold breaks the number down
    for part in (outside, text):
        counts = [chinese_number(m.group(1)) for pattern in (_COUNT, _KIND_COUNT) for m in pattern.finditer(part)]
        counts = [c for c in counts if c is not None]
        if counts:
            return sum(counts)
        bare = [chinese_number(m.group(1)) for m in _BARE_NUMBER.finditer(part)]
        bare = [c for c in bare if c is not None]
        if bare:
            return bare[-1]
    return None


def chinese_number(token: str) -> int | None:
    """`5`, `五`, `叁`, `两`, `十二`, `拾贰`, `二十`, `廿三`, `一百零五`, `壹佰零伍` as an int; None if not a number.

    Digits without a unit between them (`一〇五`) read place by place.
    """
    token = unicodedata.normalize("NFKC", token or "").strip()
    if token.isdigit():
        return int(token)
    if not token:
        return None
    if all(ch in _CN_DIGITS for ch in token):
        return int("".join(str(_CN_DIGITS[ch]) for ch in token))
    total, current = 0, 0
    for ch in token:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        elif ch in _CN_TENS:
            total += _CN_TENS[ch]
            current = 0
        else:
            return None
    return total + current


_SEAL_TAG = re.compile(r"[（(]\s*(?:盖\s*章|公\s*章|签\s*章)\s*[）)]")


def clean_unit(text: str) -> str | None:
    """A unit name without brackets, separators, a year, a batch or a `关于报送` phrase."""
    text = re.sub(r"[【】\[\]]", " ", text)
    text = _SEAL_TAG.sub("", text).strip(_SEPARATORS)  # 西湖区社区学院（盖章）: the seal, not the name
    text = re.sub(r"^(?:关于|报送|提交)+", "", text)
    for _ in range(3):  # trailing words may come in any order: 2022年度第一批报送的
        text = re.sub(r"(?:关于|报送|提交|的|\d{4}\s*年?度?|第[一二三四五六七八九十\d]+批(?:次)?|"
                      r"第[一二三四1-4]季度|[一二三四1-4]季度)$", "",
                      text.strip(_SEPARATORS))
    text = text.strip(_SEPARATORS)
    if text.count("(") > text.count(")"):
        text += ")"  # the name's own (老年大学): its closing bracket went with the separators
    if _DOCUMENT_TAIL.fullmatch(text):
        return None
    return text or None


def _leading_organisation(text: str) -> str | None:
    """Without the keyword, a leading place or organisation name is still the unit."""
    first = re.split(r"[+＋_\s|/、，,]+", text.strip(_SEPARATORS), maxsplit=1)[0]
    found = _ORG.match(re.sub(r"[【】\[\]“”\"]", "", first))
    return found.group(0) if found else None


def _without_counts(text: str) -> str:
    text = _TOTAL.sub(" ", text)
    text = _COUNT.sub(" ", text)
    text = re.sub(r"(?:案例|培训项目|项目|课程资源|课程|材料)", " ", text)
    return text
