"""The Chinese words coordinators read for codes: defects, statuses, link checks."""

from __future__ import annotations

DEFECT_TITLES: dict[str, str] = {
    "SUBJECT_FORMAT": "邮件主题格式不符",
    "SUBJECT_COUNT_MISSING": "主题缺少数量",
    "COUNT_MISMATCH": "数量与材料不符",
    "NO_ATTACHMENTS": "没有附件",
    "WORD_MISSING": "缺少Word申报表",
    "SCAN_MISSING": "缺少盖章扫描件",
    "STAMP_MISSING": "扫描件未见公章",
    "FIELD_MISSING": "必填项未填写",
    "PHONE_INVALID": "联系电话有误",
    "TEXT_TOO_LONG": "字数超出限制",
    "SHARE_CONSENT_MISSING": "未勾选是否同意共享",
    "LINK_MISSING": "缺少网盘链接",
    "LINK_MALFORMED": "网盘链接不完整",
    "LINK_CODE_MISSING": "缺少提取码",
    "LINK_DEAD": "网盘链接已失效",
    "ATTACHMENT_UNREADABLE": "附件无法打开",
    "LATE": "超过截止时间",
    "ATTACHMENT_NAME": "附件命名不规范",
    "LATE_BATCH": "顺延至下一批次",
    "UNIT_MISMATCH": "单位名称不一致",
    "LINK_PROVIDER": "非指定网盘",
    "LINK_REUSED": "链接与他人重复",
    "LINK_CODE_WRONG": "提取码错误",
    "LINK_EXPIRES": "链接会自动过期",
    "STAMP_UNCERTAIN": "公章识别存疑",
    "SCAN_NAME_MISMATCH": "扫描件与申报表名称不一致",
    "COORDINATOR_REJECTED": "协调人退回修改",
    "REPORT_MISSING": "缺少总结报告",
    "STATS_MISSING": "缺少统计表",
    "STATS_INVALID": "统计数字填写有误",
    "STATS_TOTAL_MISMATCH": "合计与各项之和不符",
    "PHOTO_COUNT": "照片数量不足",
    "PHOTO_TOO_SMALL": "照片文件过小",
    "PHOTO_FORMAT": "照片格式不符",
    "PHOTO_DUPLICATE": "照片重复",
    "VIDEO_SPEC": "视频不符合技术要求",
    "TOO_MANY_ITEMS": "报送数量超出要求",
    "SUMMARY_MISMATCH": "汇总表与所附材料不符",
}
STATUS_TITLES = {
    "accepted": "通过",
    "defective": "需修改",
    "ignored": "忽略",
    "error": "需人工处理",
    "review": "待审核",
}
LINK_CHECK_TITLES = {"dead": "已失效", "wrong_code": "提取码错误", "unknown": "无法确认"}
ACTION_TITLES = {"accept": "协调人改为通过", "reject": "协调人退回修改", "reprocess": "重新审核", "resend": "重新发送回复",
                 "assign": "协调人指定征集"}


def defect_title(code: str) -> str:
    return DEFECT_TITLES.get(code, code)


def status_title(status: str) -> str:
    return STATUS_TITLES.get(status, status)
