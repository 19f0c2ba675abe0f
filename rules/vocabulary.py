"""The words of a verdict, defined once: a submission's status and every defect code.

Everything else takes its words from here: the rules emit these codes, the
replies, digest, workbook, CLI and console show these Chinese titles, a
profile's `checks` list names the checks below, and the README's defect
table is compared with this catalogue by a test (tests/rules/test_vocabulary.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """Where a received mail stands; stored as its value, shown as its title."""

    ACCEPTED = "accepted"
    DEFECTIVE = "defective"
    IGNORED = "ignored"
    ERROR = "error"
    REVIEW = "review"
    DUPLICATE = "duplicate"

    @property
    def title(self) -> str:
        return _STATUS_TITLES[self]


_STATUS_TITLES = {
    Status.ACCEPTED: "通过",
    Status.DEFECTIVE: "需修改",
    Status.IGNORED: "已忽略",
    Status.ERROR: "需人工处理",
    Status.REVIEW: "待审核",
    Status.DUPLICATE: "重复",
}


@dataclass(frozen=True)
class DefectKind:
    """One defect code: how serious it usually is, its Chinese title, and the check that raises it.

    `severity` is the usual one: a few checks raise a code as a warning in
    some cases (ATTACHMENT_UNREADABLE for pages past `max_pages`) or as an
    error where a profile says so (LINK_EXPIRES in shandong-2021).
    `checks` are the names a profile's `checks` list uses for the checks
    that raise it (rules.rule_name); none for a code only a coordinator
    raises.
    """

    code: str
    severity: str  # "error" / "warning"
    title: str
    checks: tuple[str, ...]


def _kinds(*rows: tuple[str, str, str, str | tuple[str, ...] | None]) -> dict[str, DefectKind]:
    def names(checks):
        return (checks,) if isinstance(checks, str) else tuple(checks or ())
    return {code: DefectKind(code, severity, title, names(checks)) for code, severity, title, checks in rows}


DEFECTS: dict[str, DefectKind] = _kinds(
    ("SUBJECT_FORMAT", "error", "邮件主题格式不符", "subject_format"),
    ("SUBJECT_COUNT_MISSING", "error", "主题缺少数量", "subject_count"),
    ("COUNT_MISMATCH", "error", "数量与材料不符", "count_mismatch"),
    ("NO_ATTACHMENTS", "error", "没有附件", "no_attachments"),
    ("WORD_MISSING", "error", "缺少Word申报表", "word_missing"),
    ("SCAN_MISSING", "error", "缺少盖章扫描件", "scan_missing"),
    ("STAMP_MISSING", "error", "扫描件未见公章", ("stamp", "stats_seal")),
    ("STAMP_UNCERTAIN", "warning", "公章识别存疑", "stamp"),
    ("SCAN_NAME_MISMATCH", "warning", "扫描件与申报表名称不一致", "scan_name"),
    ("FIELD_MISSING", "error", "必填项未填写", "form_fields"),
    ("PHONE_INVALID", "error", "联系电话有误", "form_phones"),
    ("TEXT_TOO_LONG", "error", "字数超出限制", ("case_lengths", "report_length")),
    ("SHARE_CONSENT_MISSING", "error", "未勾选是否同意共享", "share_consent"),
    ("LINK_MISSING", "error", "缺少网盘链接", "link_missing"),
    ("LINK_MALFORMED", "error", "网盘链接不完整", "link_malformed"),
    ("LINK_CODE_MISSING", "error", "缺少提取码", "link_code_missing"),
    ("LINK_CODE_WRONG", "error", "提取码错误", "link_code_wrong"),
    ("LINK_DEAD", "error", "网盘链接已失效", "link_dead"),
    ("LINK_PROVIDER", "warning", "非指定网盘", "link_provider"),
    ("LINK_REUSED", "warning", "链接与他人重复", "link_reused"),
    ("LINK_EXPIRES", "warning", "链接会自动过期", "link_expires"),
    ("ATTACHMENT_UNREADABLE", "error", "附件无法打开", "unreadable"),
    ("ATTACHMENT_NAME", "warning", "附件命名不规范", "attachment_names"),
    ("LATE", "error", "超过截止时间", "late"),
    ("LATE_BATCH", "warning", "顺延至下一批次", "late_batch"),
    ("UNIT_MISMATCH", "warning", "单位名称不一致", "unit_mismatch"),
    ("COORDINATOR_REJECTED", "error", "协调人退回修改", None),
    ("REPORT_MISSING", "error", "缺少总结报告", "report_missing"),
    ("STATS_MISSING", "error", "缺少统计表", "stats_missing"),
    ("STATS_INVALID", "error", "统计数字填写有误", "stats_invalid"),
    ("STATS_TOTAL_MISMATCH", "error", "合计与各项之和不符", "stats_total"),
    ("PHOTO_COUNT", "error", "照片数量不足", "photo_count"),
    ("PHOTO_TOO_SMALL", "error", "照片文件过小", "photo_size"),
    ("PHOTO_FORMAT", "error", "照片格式不符", "photo_format"),
    ("PHOTO_DUPLICATE", "error", "照片重复", "photo_duplicate"),
    ("VIDEO_SPEC", "error", "视频不符合技术要求", "video_spec"),
    ("TOO_MANY_ITEMS", "error", "报送数量超出要求", "too_many_items"),
    ("SUMMARY_MISMATCH", "warning", "汇总表与所附材料不符", "summary_mismatch"),
)

SEVERITY_TITLES = {"error": "错误", "warning": "提醒"}


def defect_title(code: str) -> str:
    """The code's Chinese title; an unknown code (from an older version's database) as it is."""
    kind = DEFECTS.get(code)
    return kind.title if kind else code


def status_title(status: str) -> str:
    """The status's Chinese title; an unknown value as it is."""
    try:
        return Status(status).title
    except ValueError:
        return status
