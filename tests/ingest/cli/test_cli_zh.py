"""click's words come from intake's gettext catalogue: committed current, and used by a real `intake` process."""

from __future__ import annotations

import os
import subprocess
import sys

from ingest.cli import zh as cli_zh


def test_the_committed_catalogue_is_built_from_the_tables():
    assert cli_zh.CATALOGUE.read_bytes() == cli_zh.catalogue(), "run: python -m ingest.cli.zh"


def test_a_usage_error_is_chinese_in_a_process_whose_locale_is_c():
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")} | {"LANG": "C.UTF-8"}
    done = subprocess.run([sys.executable, "-m", "ingest.cli", "digest", "--bogus"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 2
    assert "错误：没有 '--bogus' 这个选项" in done.stderr and "Usage" not in done.stderr, done.stderr


def test_click_itself_is_left_as_click_ships_it():
    import click.core

    assert click.core._.__module__ == "gettext"  # the stdlib's gettext, not a function of ours
