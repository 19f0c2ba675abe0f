"""The daily gate and the daily jobs it opens: in the campaign's zone, for every active profile."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone

from ingest.jobs.digest import next_deadline
from ingest.jobs.reminders import due_reminders
from ingest.jobs.schedule import daily_due
from ingest.config.service_settings import ScheduleSettings
from rules.campaign import Batch, Roster, RosterUnit
from storage.database import Database
from tests.support.settings import folder_settings


def _settings(tmp_path):
    return folder_settings(tmp_path)


def test_the_daily_work_is_due_from_digest_at_on_the_campaigns_day_whatever_the_machines_zone(tmp_path):
    settings = _settings(tmp_path)  # digest_at 08:00 in Asia/Shanghai
    assert daily_due(settings, datetime(2022, 5, 5, 23, 30, tzinfo=timezone.utc)) is None  # 07:30 on 6 May there
    assert daily_due(settings, datetime(2022, 5, 6, 0, 0, tzinfo=timezone.utc)) == date(2022, 5, 6)  # 08:00 there
    assert daily_due(settings, datetime(2022, 5, 6, 15, 59, tzinfo=timezone.utc)) == date(2022, 5, 6)


def test_a_second_profile_reminds_its_own_silent_units_of_its_own_deadline(tmp_path):
    settings = _settings(tmp_path)
    zone = settings.campaign.zone
    settings.schedule = ScheduleSettings(remind_days_before=[2])
    settings.campaign.batches = [Batch("第一批", datetime(2022, 5, 5, 23, 59, 59, tzinfo=zone))]
    settings.campaign.roster = Roster([RosterUnit("沈阳市和平区社区学院", [], ["hpsqxy@163.com"])])
    settings.more_campaigns = [dataclasses.replace(
        settings.campaign, name="shandong-2021", batches=[Batch("第一批", datetime(2022, 5, 10, 23, 59, 59, tzinfo=zone))],
        roster=Roster([RosterUnit("济南市历下区社区学院", [], ["lxsqxy@163.com"])]))]
    db = Database(settings.database_url)
    on_shandongs_day = datetime(2022, 5, 8, 9, 0, tzinfo=zone)
    [reminder] = due_reminders(settings, db, on_shandongs_day)
    assert reminder.to == ["lxsqxy@163.com"] and reminder.key.startswith("remind:shandong-2021:")
    [first] = due_reminders(settings, db, datetime(2022, 5, 3, 9, 0, tzinfo=zone))
    assert first.to == ["hpsqxy@163.com"] and first.key == "remind:第一批:2:沈阳市和平区社区学院"


def test_the_digests_next_deadline_is_the_first_of_any_profile_and_counts_a_deadline_on_the_day(tmp_path):
    settings = _settings(tmp_path)
    zone = settings.campaign.zone
    settings.campaign.batches = [Batch("第一批", datetime(2022, 5, 5, 23, 59, 59, tzinfo=zone)),
                                 Batch("第二批", datetime(2022, 6, 30, 23, 59, 59, tzinfo=zone))]
    settings.more_campaigns = [dataclasses.replace(
        settings.campaign, name="shandong-2021", batches=[Batch("山东批次", datetime(2022, 5, 20, 17, 0, tzinfo=zone))])]
    assert next_deadline(settings, date(2022, 5, 5)).batch == "第一批"  # due that very day
    assert next_deadline(settings, date(2022, 5, 6)).batch == "山东批次"
    assert next_deadline(settings, date(2022, 5, 21)).batch == "第二批"
    assert next_deadline(settings, date(2022, 7, 1)) is None
