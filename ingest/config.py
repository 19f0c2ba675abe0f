"""Loading the campaign profile and service settings from one TOML file.

The built-in `default.toml` is read first and the user's file is laid over it
key by key, so a profile for another notice only states what differs.
Secrets come from the environment, never from the file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from ingest import service_config
from ingest.linkcheck import LinkCheckSettings
from notifier.reply import ReplyIdentity
from rules import clock
from rules.campaign import Batch, Campaign
from rules.units import roster_from_config

_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:(\d{1,2})\s*[:：时]\s*(\d{2})\s*分?)?\s*$")


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
    mailboxes: list[service_config.MailboxSettings] = field(default_factory=list)
    smtp: service_config.SmtpSettings | None = None
    schedule: service_config.ScheduleSettings = field(default_factory=service_config.ScheduleSettings)
    web: service_config.WebSettings = field(default_factory=service_config.WebSettings)
    dry_run: bool = False  # write replies as .eml files into outbox_dir instead of sending them

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
    try:
        campaign.roster = roster_from_config(list(data.get("roster", {}).get("units", [])))
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"名册（[roster]）配置有误：{exc}") from exc
    templates = reply.get("templates_dir")
    try:
        service = dict(mailboxes=service_config.mailboxes(list(data.get("mailboxes", []))),
                       smtp=service_config.smtp(data.get("smtp", {})),
                       schedule=service_config.schedule(data.get("schedule", {})),
                       web=service_config.web(data.get("web", {})))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"服务配置有误：{exc}") from exc
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
        dry_run=outbox is not None,
        **service,
    )


def _campaign(section: dict, links: dict) -> Campaign:
    timezone = str(section.get("timezone") or clock.DEFAULT_ZONE)
    try:
        tz = clock.zone(timezone)
    except ValueError as exc:
        raise ConfigError(f"时区配置有误：{exc}（请写 IANA 时区名，如 Asia/Shanghai）") from exc
    try:
        batches = [Batch(b["name"], deadline(b["deadline"], tz)) for b in section.get("batches", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"批次配置有误：{exc}（每个批次需要 name 和 deadline，如 \"2022-05-05\" 或 \"2022-05-05T17:00\"）") from exc
    campaign = Campaign(
        timezone=timezone,
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


def deadline(value: object, tz: ZoneInfo) -> datetime:
    """A deadline as the notice writes it, as an aware moment.

    A day alone ("2022-05-05", a TOML date, "2022年5月5日") runs to 23:59:59
    that day; a time without a zone ("2022-05-05T17:00") is in the campaign's
    zone; a time with an offset stays as written.
    """
    if isinstance(value, datetime):
        return clock.localize(value, tz)
    if isinstance(value, date):
        return clock.end_of_day(value, tz)
    text = str(value).strip()
    if found := _CN_DATE.match(text):
        year, month, day, hour, minute = found.groups()
        if hour is None:
            return clock.end_of_day(date(int(year), int(month), int(day)), tz)
        return datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=tz)
    try:
        return deadline(date.fromisoformat(text), tz)
    except ValueError:
        pass
    try:
        return clock.localize(datetime.fromisoformat(text), tz)
    except ValueError:
        raise ValueError(f"无法识别截止时间 {value!r}") from None
