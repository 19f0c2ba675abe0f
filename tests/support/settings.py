"""Settings for a test that runs the real pipeline in a folder of its own: SQLite, outbox and data dir inside it."""

from __future__ import annotations

from pathlib import Path

from ingest.config.settings import Settings, load_settings


def folder_settings(root: Path, profiles: list[str] | None = None, name: str = "intake") -> Settings:
    """The built-in configuration (or the named profiles) with everything it writes kept under `root`."""
    settings = load_settings(None, db=f"sqlite:///{root / f'{name}.sqlite'}", outbox=root / "outbox",
                             profiles=profiles)
    settings.data_dir = root / "data"
    return settings
