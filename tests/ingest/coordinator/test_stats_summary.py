"""The statistics summaries per profile and period: which periods there are so far, and which one to show first."""

from __future__ import annotations

from datetime import datetime

from ingest.config.settings import load_settings
from ingest.samples.mails import CST
from ingest.coordinator.statistics import profile_stats


def _taizhou_and_liaoning():
    return load_settings(None, profiles=["taizhou-2021", "liaoning-2022"]).profiles()


def test_only_statistics_profiles_have_tables_and_their_periods_run_to_the_next_deadline():
    (taizhou,) = profile_stats([], _taizhou_and_liaoning(), datetime(2021, 7, 1, 9, 0, tzinfo=CST))
    assert taizhou.campaign.name == "taizhou-2021"
    assert [p.period for p in taizhou.periods] == ["2021年第1季度", "2021年第2季度", "2021年第3季度"]
    assert taizhou.current == "2021年第3季度"
    assert taizhou.periods[0].columns[0] == "应用类短期培训（场）" and taizhou.periods[0].title == "进展情况统计表"


def test_with_nothing_reported_the_current_period_is_shown_and_after_the_last_deadline_the_last():
    (during,) = profile_stats([], _taizhou_and_liaoning(), datetime(2021, 6, 28, 23, 0, tzinfo=CST))
    assert during.period(None).period == "2021年第2季度" and during.period("2021年第1季度").period == "2021年第1季度"
    (after,) = profile_stats([], _taizhou_and_liaoning(), datetime(2023, 1, 5, 9, 0, tzinfo=CST))
    assert after.current is None and len(after.periods) == 8
    assert after.period(None).period == "2022年第4季度" and after.period("2030年第1季度").period == "2022年第4季度"
