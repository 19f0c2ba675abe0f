"""Choosing profiles: the `profiles` key, paths beside the configuration, `[campaign]` over the first, --profile."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ingest.cli.main import main
from ingest.config.settings import ConfigError, load_settings
from ingest.config.profile_files import builtin_names
from rules import clock

BUILTINS = ["chongqing-2021", "liaoning-2022", "moe-2021", "putuo-2024", "shandong-2021", "taizhou-2021"]


def test_every_notice_is_a_built_in_profile():
    assert builtin_names() == BUILTINS


def test_without_profiles_liaoning_is_judged_as_before(tmp_path):
    settings = load_settings(None)
    assert [c.name for c in settings.profiles()] == ["liaoning-2022"]
    assert [b.name for b in settings.campaign.batches] == ["第一批", "第二批", "第三批"]  # the built-in default's batches
    assert settings.campaign.subject == "count" and settings.campaign.require_scan


def test_the_liaoning_profile_itself_has_the_notices_two_batches(tmp_path):
    config = tmp_path / "辽宁.toml"
    config.write_text('profiles = ["liaoning-2022"]\n', encoding="utf-8")
    batches = load_settings(config).campaign.batches
    assert [(b.name, clock.cn_datetime(b.deadline, clock.zone())) for b in batches] == [
        ("第一批", "2022年5月5日 23:59"), ("第二批", "2022年8月20日 23:59")]
    assert batches[0].deadline.second == 59


def test_a_campaign_table_overrides_keys_of_the_first_profile_only(tmp_path):
    config = tmp_path / "征集.toml"
    config.write_text('profiles = ["shandong-2021", "taizhou-2021"]\n[campaign]\n'
                      'batches = [{ name = "补报", deadline = "2021年12月20日" }]\nrequire_scan = false\n',
                      encoding="utf-8")
    shandong, taizhou = load_settings(config).profiles()
    assert [b.name for b in shandong.batches] == ["补报"] and not shandong.require_scan
    assert clock.cn_datetime(shandong.batches[0].deadline, shandong.zone) == "2021年12月20日 23:59"
    assert len(taizhou.batches) == 8 and taizhou.stats is not None


def test_a_profile_path_is_relative_to_the_configuration_file(tmp_path):
    (tmp_path / "配置").mkdir()
    (tmp_path / "配置" / "本区.toml").write_text('name = "my-district"\ntitle = "本区统计"\nsubject = ""\n'
                                               'checks = ["late"]\n', encoding="utf-8")
    config = tmp_path / "配置" / "intake.toml"
    config.write_text('profiles = ["本区.toml", "chongqing-2021"]\n', encoding="utf-8")
    assert [c.name for c in load_settings(config).profiles()] == ["my-district", "chongqing-2021"]


def test_the_profile_option_replaces_the_configured_list(tmp_path):
    config = tmp_path / "征集.toml"
    config.write_text('profiles = ["shandong-2021"]\n', encoding="utf-8")
    settings = load_settings(config, profiles=["putuo-2024", "taizhou-2021"])
    assert [c.name for c in settings.profiles()] == ["putuo-2024", "taizhou-2021"]


def test_taizhou_deadlines_recur_on_the_28th_of_each_quarters_last_month():
    taizhou = load_settings(None, profiles=["taizhou-2021"]).campaign
    assert [b.name for b in taizhou.batches][:2] == ["2021年第1季度", "2021年第2季度"]
    assert [clock.cn_datetime(b.deadline, taizhou.zone) for b in (taizhou.batches[0], taizhou.batches[-1])] == [
        "2021年3月28日 23:59", "2022年12月28日 23:59"]
    assert len(taizhou.batches) == 8


@pytest.mark.parametrize("text, words", [
    ('profiles = ["hebei-2023"]\n', "找不到征集配置“hebei-2023”"),
    ('profiles = []\n', "profiles 不能为空"),
    ('profiles = ["x.toml"]\n', None),
])
def test_a_profile_that_cannot_be_used_is_a_configuration_error_in_chinese(tmp_path, text, words):
    (tmp_path / "x.toml").write_text('name = "x"\nchecks = ["stat_total"]\n', encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=words or "未知的检查项：stat_total"):
        load_settings(config)


def test_intake_profiles_lists_every_built_in_with_deadlines_and_requirements():
    result = CliRunner().invoke(main, ["profiles"])
    assert result.exit_code == 0, result.output
    for name in BUILTINS:
        assert f"{name}：" in result.output
    assert "第二批 2022年8月20日 23:59" in result.output and "鲁教民处函〔2021〕4号" in result.output
    assert "2021年第1季度 2021年3月28日 23:59" in result.output
    rows = [json.loads(line) for line in CliRunner().invoke(main, ["profiles", "--json"]).output.splitlines()]
    putuo = next(r for r in rows if r["name"] == "putuo-2024")
    assert "stats_seal" in putuo["checks"] and "subject_format" not in putuo["checks"]
    assert any("2000 字" in line for line in putuo["requirements"])


def test_intake_demo_runs_any_profile(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--profile", "taizhou-2021", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert 'profiles = ["taizhou-2021"]' in (tmp_path / "intake.toml").read_text("utf-8")
    listed = CliRunner().invoke(main, ["list", "--json", "--config", str(tmp_path / "intake.toml")])
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert [r["profile"] for r in rows] == ["taizhou-2021", "taizhou-2021"]
    assert [r["status"] for r in rows] == ["accepted", "defective"]
    assert rows[1]["defects"][0]["code"] == "STATS_TOTAL_MISMATCH"
