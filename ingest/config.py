"""Loading the campaign profile and service settings from one TOML file.

The built-in `default.toml` is read first and the user's file is laid over it
key by key, so a profile for another notice only states what differs.
Secrets come from the environment, never from the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from ingest.linkcheck import LinkCheckSettings
from notifier.reply import ReplyIdentity
from rules.campaign import Batch, Campaign


@dataclass
class Settings:
    campaign: Campaign
    identity: ReplyIdentity
    coordinators: list[str]
    links: LinkCheckSettings
    data_dir: Path
    database_url: str
    outbox_dir: Path
    templates_dir: Path | None = None

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


class ConfigError(ValueError):
    """The configuration file cannot be used; the message says why, in Chinese."""


def load_settings(path: Path | None = None, *, db: str | None = None, outbox: Path | None = None) -> Settings:
    data = tomllib.loads(resources.files("ingest").joinpath("default.toml").read_text("utf-8"))
    if path is not None:
        try:
            user = tomllib.loads(Path(path).read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"无法读取配置文件 {path}：{exc}") from exc
        data = _merge(data, user)
    return _settings(data, db=db, outbox=outbox)


def _merge(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


def _settings(data: dict, *, db: str | None, outbox: Path | None) -> Settings:
    storage = data.get("storage", {})
    data_dir = Path(storage.get("data_dir") or "intake-data")
    database_url = db or storage.get("database_url") or f"sqlite:///{data_dir / 'intake.sqlite'}"
    reply = data.get("reply", {})
    links = data.get("links", {})
    campaign = _campaign(data.get("campaign", {}), links)
    templates = reply.get("templates_dir")
    return Settings(
        campaign=campaign,
        identity=ReplyIdentity(**{k: reply[k] for k in ("address", "name", "organisation", "signature") if k in reply}),
        coordinators=list(reply.get("coordinators", [])),
        links=LinkCheckSettings(
            enabled=bool(links.get("check_online", False)),
            timeout=float(links.get("timeout", 8.0)),
            concurrency=int(links.get("concurrency", 2)),
            min_interval=float(links.get("min_interval", 1.0)),
            cache_path=data_dir / "cache" / "links.json",
        ),
        data_dir=data_dir,
        database_url=database_url,
        outbox_dir=Path(outbox) if outbox else data_dir / "outbox",
        templates_dir=Path(templates) if templates else None,
    )


def _campaign(section: dict, links: dict) -> Campaign:
    try:
        batches = [Batch(b["name"], _deadline(b["deadline"])) for b in section.get("batches", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"批次配置有误：{exc}（每个批次需要 name 和带时区的 deadline）") from exc
    campaign = Campaign(
        keyword=section.get("keyword", "智慧助老"),
        batches=sorted(batches, key=lambda b: b.deadline),
        require_scan=bool(section.get("require_scan", True)),
        check_links_online=bool(links.get("check_online", False)),
    )
    if "text_limits" in section:
        campaign.text_limits = {k: int(v) for k, v in section["text_limits"].items()}
    if "accepted_link_providers" in section:
        campaign.accepted_link_providers = list(section["accepted_link_providers"])
    return campaign


def _deadline(value: object) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"截止时间 {value} 缺少时区（如 +08:00）")
    return moment
