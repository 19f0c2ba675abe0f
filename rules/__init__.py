"""The campaign's checks, in the order a submitter should read their results.

Like GNU Mailman's rules: every check is a small function
`(Submission, Campaign) -> defects`, registered once in `RULES`. To add a
check, write the function in the module of its topic and list it here.
"""

from __future__ import annotations

from parsers.facts import Defect, Submission
from rules import attachments, forms, links, scans, subject, timing, units
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
]


def judge(sub: Submission, campaign: Campaign) -> list[Defect]:
    """Every defect of a submission; errors first, each (code, where, message) once."""
    found: list[Defect] = []
    seen: set[tuple[str, str, str]] = set()
    for rule in RULES:
        for defect in rule(sub, campaign):
            key = (defect.code, defect.where, defect.message)
            if key not in seen:
                seen.add(key)
                found.append(defect)
    return sorted(found, key=lambda d: d.severity != "error")
