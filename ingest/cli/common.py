"""What every `intake` command shares: Chinese click, the settings options, the command style."""

from __future__ import annotations

from pathlib import Path

import click

from ingest.cli import zh as cli_zh
from ingest.config.settings import ConfigError, Settings, load_settings

cli_zh.install()
CONTEXT = {"help_option_names": ["-h", "--help"]}
COMMAND = {"options_metavar": "[选项]"}
def settings_options(func):
    """`--config F` and `--db URL`, as every command takes them."""
    func = click.option("--db", metavar="地址", help="数据库地址（SQLAlchemy URL），默认为数据目录中的 SQLite 文件。")(func)
    return click.option("--config", metavar="文件", type=click.Path(exists=True, path_type=Path),
                        help="配置文件（TOML），默认使用内置配置。")(func)


def load(config: Path | None, db: str | None, outbox: Path | None = None,
         profiles: list[str] | None = None) -> Settings:
    try:
        return load_settings(config, db=db, outbox=outbox, profiles=profiles)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
