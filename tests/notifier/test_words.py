"""Every defect code a rule can raise has a Chinese title for the digest and the workbook."""

from __future__ import annotations

import re
from pathlib import Path

from notifier.words import DEFECT_TITLES

VOCABULARY = (
    "SUBJECT_FORMAT SUBJECT_COUNT_MISSING COUNT_MISMATCH NO_ATTACHMENTS WORD_MISSING SCAN_MISSING STAMP_MISSING "
    "FIELD_MISSING PHONE_INVALID TEXT_TOO_LONG SHARE_CONSENT_MISSING LINK_MISSING LINK_MALFORMED LINK_CODE_MISSING "
    "LINK_DEAD ATTACHMENT_UNREADABLE LATE ATTACHMENT_NAME LATE_BATCH UNIT_MISMATCH LINK_PROVIDER LINK_REUSED "
    "LINK_CODE_WRONG LINK_EXPIRES STAMP_UNCERTAIN SCAN_NAME_MISMATCH COORDINATOR_REJECTED "
    "REPORT_MISSING STATS_MISSING STATS_INVALID STATS_TOTAL_MISMATCH PHOTO_COUNT PHOTO_TOO_SMALL PHOTO_FORMAT "
    "PHOTO_DUPLICATE VIDEO_SPEC TOO_MANY_ITEMS SUMMARY_MISMATCH"
).split()


def test_every_defect_code_has_a_chinese_title():
    for code in VOCABULARY:
        title = DEFECT_TITLES[code]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in title)


def test_every_code_the_rules_can_raise_is_in_the_vocabulary():
    root = Path(__file__).resolve().parents[2]
    raised = set()
    for source in (root / "rules").glob("*.py"):
        raised |= set(re.findall(r'(?:code=|Defect\(\s*)"([A-Z_]{4,})"', source.read_text("utf-8")))
    raised |= {"COORDINATOR_REJECTED"}  # raised by ingest.coordinator
    assert raised and raised <= set(VOCABULARY)
