"""Deadlines and the campaign's zone are read from the TOML file as a notice writes them."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ingest.config.settings import ConfigError, load_settings

UTC = timezone.utc


def _campaign(tmp_path, body: str):
    path = tmp_path / "通知.toml"
    path.write_text(body, encoding="utf-8")
    return load_settings(path).campaign


def test_the_default_zone_is_beijing():
    campaign = load_settings(None).campaign
    assert campaign.timezone == "Asia/Shanghai"
    assert campaign.batches[0].deadline == datetime(2022, 5, 5, 15, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("written", [
    '"2022-05-05"',  # a date as a string
    "2022-05-05",  # a TOML local date
    '"2022年5月5日"',  # as the notice writes it
    '"2022-05-05T23:59:59"',  # a time without a zone
    "2022-05-05T23:59:59",  # a TOML local date-time
    '"2022-05-05T23:59:59+08:00"',
    "2022-05-05T15:59:59Z",
])
def test_a_deadline_without_a_zone_is_beijing_and_a_day_alone_runs_to_its_last_second(tmp_path, machine_tz, written):
    campaign = _campaign(tmp_path, f'[campaign]\nbatches = [{{ name = "第一批", deadline = {written} }}]\n')
    assert campaign.batches[0].deadline == datetime(2022, 5, 5, 15, 59, 59, tzinfo=UTC)


def test_a_chinese_deadline_with_a_time_is_that_minute_in_beijing(tmp_path):
    campaign = _campaign(tmp_path, '[campaign]\nbatches = [{ name = "第一批", deadline = "2022年5月5日 17:00" }]\n')
    assert campaign.batches[0].deadline == datetime(2022, 5, 5, 9, 0, tzinfo=UTC)


def test_another_campaign_zone_moves_the_deadline_with_it(tmp_path):
    campaign = _campaign(tmp_path, '[campaign]\ntimezone = "Asia/Urumqi"\n'
                                   'batches = [{ name = "第一批", deadline = "2022-05-05" }]\n')
    assert campaign.batches[0].deadline == datetime(2022, 5, 5, 17, 59, 59, tzinfo=UTC)


def test_an_unknown_zone_is_a_configuration_error_in_chinese(tmp_path):
    with pytest.raises(ConfigError, match="时区配置有误"):
        _campaign(tmp_path, '[campaign]\ntimezone = "Beijing"\n')


@pytest.mark.parametrize("written", ['"五月五日"', '"2022-13-45"', '"2022年2月30日"'])
def test_an_unreadable_deadline_is_a_configuration_error_in_chinese(tmp_path, written):
    with pytest.raises(ConfigError, match="批次配置有误"):
        _campaign(tmp_path, f'[campaign]\nbatches = [{{ name = "第一批", deadline = {written} }}]\n')
