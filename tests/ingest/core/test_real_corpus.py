"""Every real malformed or oddly encoded message of the shared corpus goes through `intake ingest`."""

from __future__ import annotations

import json
from collections import Counter

from click.testing import CliRunner

from ingest.cli.main import main


def test_every_real_message_gets_an_outcome_and_none_is_our_failure(real_eml, tmp_path):
    files = sorted(real_eml.glob("*.eml"))
    assert len(files) >= 190
    config = tmp_path / "intake.toml"
    config.write_text(f'[storage]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", str(real_eml), "--json", "--config", str(config)])
    assert result.exit_code == 0, result.output[-2000:]
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == len(files)
    statuses = Counter(row["status"] for row in rows)
    assert set(statuses) <= {"accepted", "defective", "ignored", "duplicate"}, statuses
    assert statuses["ignored"] > 50  # spam, bounces and auto-replies are recognised, not answered
    stored = sorted((tmp_path / "data").rglob("*"))
    assert sum(1 for p in stored if p.is_file() and len(p.name) == 64) >= len(files) - statuses["duplicate"]
