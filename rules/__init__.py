"""The campaign's checks, in the order a submitter should read their results.

Like GNU Mailman's rules: every check is a small function
`(Submission, Campaign) -> defects`, registered once in `RULES`. To add a
check, write the function in the module of its topic and list it here.
"""

from __future__ import annotations

from parsers.facts import Defect, Submission
from rules import attachments, forms, links, media, reports, scans, statistics, subject, summary, timing, units
from rules.campaign import Campaign

RULES = [
    subject.check_subject_format,
    subject.check_subject_count,
    timing.check_late,
    timing.check_late_batch,
    attachments.check_no_attachments,
    attachments.check_unreadable,
    scans.check_count_mismatch,
    scans.check_word_missing,
    scans.check_scan_missing,
    scans.check_stamp,
    scans.check_scan_name,
    forms.check_form_fields,
    forms.check_form_phones,
    forms.check_case_lengths,
    forms.check_share_consent,
    units.check_unit_mismatch,
    links.check_link_missing,
    links.check_link_malformed,
    links.check_link_code_missing,
    links.check_link_code_wrong,
    links.check_link_dead,
    links.check_link_expires,
    links.check_link_provider,
    links.check_link_reused,
    attachments.check_attachment_names,
    statistics.check_stats_missing,
    statistics.check_stats_invalid,
    statistics.check_stats_total,
    statistics.check_stats_seal,
    reports.check_report_missing,
    reports.check_report_length,
    reports.check_too_many_items,
    media.check_photo_count,
    media.check_photo_format,
    media.check_photo_size,
    media.check_photo_duplicate,
    media.check_video_spec,
    summary.check_summary_mismatch,
]


def rule_name(rule) -> str:
    """A rule's name in a profile's `checks` list: its function name without `check_`."""
    return rule.__name__.removeprefix("check_")


RULE_NAMES = [rule_name(r) for r in RULES]


def applies(rule, campaign: Campaign) -> bool:
    """A profile's checks; the subject checks only where the notice prescribes a subject (and a count)."""
    name = rule_name(rule)
    if name.startswith("subject_") and not campaign.subject:
        return False
    if name in ("subject_count", "count_mismatch") and campaign.subject != "count":
        return False
    return campaign.checks is None or name in campaign.checks


def judge(sub: Submission, campaign: Campaign) -> list[Defect]:
    """Every defect of a submission; errors first, each (code, where, message) once."""
    found: list[Defect] = []
    seen: set[tuple[str, str, str]] = set()
    for rule in (r for r in RULES if applies(r, campaign)):
        for defect in rule(sub, campaign):
            key = (defect.code, defect.where, defect.message)
            if key not in seen:
                seen.add(key)
                found.append(defect)
    return sorted(found, key=lambda d: d.severity != "error")
