"""The Chinese words coordinators read for link checks and actions; statuses and defects are in rules.vocabulary."""

from __future__ import annotations

LINK_CHECK_TITLES = {"dead": "已失效", "wrong_code": "提取码错误", "unknown": "无法确认"}
ACTION_TITLES = {"accept": "协调人改为通过", "reject": "协调人退回修改", "reprocess": "重新审核", "resend": "重新发送回复",
                 "assign": "协调人指定征集"}

