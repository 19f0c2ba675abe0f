"""`intake backup DIR --config CFG` and `intake restore DIR --config CFG`, as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ingest.cli.main import main
from ingest.config.settings import load_settings
from ingest.core.pipeline import Pipeline
from storage.database import Database
from tests.support.unit_mails import unit_mails


def _config(root: Path) -> Path:
    """An installation's configuration: its own data directory and SQLite database under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "intake.toml"
    path.write_text(f'[storage]\ndata_dir = "{(root / "data").as_posix()}"\n'
                    f'database_url = "sqlite:///{(root / "intake.sqlite").as_posix()}"\n', encoding="utf-8")
    return path


def _season(root: Path, mails: int) -> Path:
    config = _config(root)
    pipeline = Pipeline(load_settings(config))
    for index, raw in enumerate(unit_mails(mails)):
        pipeline.process(raw, f"inbox/{index}.eml")
    return config


def test_backup_then_restore_into_a_new_installation_brings_back_every_submission(tmp_path):
    live = _season(tmp_path / "live", 3)
    runner = CliRunner()

    taken = runner.invoke(main, ["backup", str(tmp_path / "backup"), "--config", str(live), "--json"])
    new = _config(tmp_path / "new")
    restored = runner.invoke(main, ["restore", str(tmp_path / "backup"), "--config", str(new)])

    assert taken.exit_code == 0, taken.output
    manifest = json.loads(taken.output)
    assert (manifest["submissions"], manifest["database_kind"], manifest["files"] > 3) == (3, "sqlite", True)
    assert restored.exit_code == 0, restored.output
    assert "已从" in restored.output and "报送 3 份" in restored.output
    settings = load_settings(new)
    assert [s.raw_sha256 for s in Database(settings.database_url).load_all()] == \
        [s.raw_sha256 for s in Database(load_settings(live).database_url).load_all()]


def test_restore_into_an_installation_holding_data_is_refused_in_chinese_with_a_non_zero_exit(tmp_path):
    live = _season(tmp_path / "live", 1)
    runner = CliRunner()
    assert runner.invoke(main, ["backup", str(tmp_path / "backup"), "--config", str(live)]).exit_code == 0

    refused = runner.invoke(main, ["restore", str(tmp_path / "backup"), "--config", str(live)])

    assert refused.exit_code != 0
    assert "恢复只能写入" in refused.output and "Traceback" not in refused.output
    assert len(Database(load_settings(live).database_url).load_all()) == 1


def test_backup_into_a_folder_that_is_not_empty_is_refused_in_chinese_with_a_non_zero_exit(tmp_path):
    live = _season(tmp_path / "live", 1)
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "上次备份.txt").write_text("旧备份", encoding="utf-8")

    refused = CliRunner().invoke(main, ["backup", str(tmp_path / "backup"), "--config", str(live)])

    assert refused.exit_code != 0
    assert "不是空的" in refused.output
    assert [p.name for p in (tmp_path / "backup").iterdir()] == ["上次备份.txt"]


def test_backup_and_restore_have_chinese_help():
    for command in ("backup", "restore"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "备份" in result.output and "--config" in result.output
