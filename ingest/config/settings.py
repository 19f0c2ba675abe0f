"""Loading the campaign profile and service settings from one TOML file.

The built-in `default.toml` is read first and the user's file is laid over it
key by key, so a profile for another notice only states what differs.
Secrets come from the environment, never from the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path

from ingest.config import profile_files
from ingest.config import service_settings as service_config
from ingest.jobs.linkcheck.base import LinkCheckSettings
from notifier.reply import ReplyIdentity
from parsers.archive_base import ArchiveLimits
from parsers.limits import WORKER_MEMORY_FLOOR_MB, ReadingLimits
from rules.campaign import Campaign
from rules.units import roster_from_config


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
    archives: ArchiveLimits = field(default_factory=ArchiveLimits)
    limits: ReadingLimits = field(default_factory=ReadingLimits)
    web: service_config.WebSettings = field(default_factory=service_config.WebSettings)
    dry_run: bool = False  # write replies as .eml files into outbox_dir instead of sending them
    more_campaigns: list[Campaign] = field(default_factory=list)  # the other active profiles, after `campaign`

    def profiles(self) -> list[Campaign]:
        """Every active campaign profile, the first (`campaign`) first."""
        return [self.campaign, *self.more_campaigns]

    def profile(self, name: str | None) -> Campaign | None:
        """An active profile by name, else a built-in one (for `intake assign`); None when unknown."""
        found = next((c for c in self.profiles() if c.name == name), None)
        if found is None and name in profile_files.builtin_names():
            found = profile_files.load_profiles([name], None, {})[0]
            found.check_links_online = self.campaign.check_links_online
            found.roster = self.campaign.roster if self.campaign.roster.units else found.roster
        return found

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


class ConfigError(ValueError):
    """The configuration file cannot be used; the message says why, in Chinese."""


def load_settings(path: Path | None = None, *, db: str | None = None, outbox: Path | None = None,
                  profiles: list[str] | None = None) -> Settings:
    """The settings of a configuration file laid over the built-in one.

    `profiles` (from `--profile`) replaces the file's `profiles` list for one run.
    """
    defaults = tomllib.loads(resources.files("ingest.config").joinpath("default.toml").read_text("utf-8"))
    user: dict = {}
    if path is not None:
        try:
            user = tomllib.loads(Path(path).read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"无法读取配置文件 {path}：{exc}") from exc
    data = profile_files.deep_merge(defaults, user)
    settings = _settings(data, db=db, outbox=outbox)
    base = Path(path).parent if path is not None else Path.cwd()
    try:
        campaigns = _campaigns(defaults, user, base, profiles)
    except profile_files.ProfileError as exc:
        raise ConfigError(str(exc)) from exc
    for campaign in campaigns:
        campaign.check_links_online = settings.links.enabled
        if settings.campaign.roster.units:  # the configuration's roster serves every profile
            campaign.roster = settings.campaign.roster
    settings.campaign, settings.more_campaigns = campaigns[0], campaigns[1:]
    return settings


def _campaigns(defaults: dict, user: dict, base: Path, chosen: list[str] | None) -> list[Campaign]:
    """The active profiles; the `[campaign]` table overrides the first.

    Without a chosen list the built-in default's `[campaign]` table applies
    too, so a configuration written before profiles existed judges as it did.
    """
    configured = user.get("profiles", [])
    names = list(chosen or ([configured] if isinstance(configured, str) else configured))
    overrides = dict(user.get("campaign", {}))
    if not names and "profiles" in user and not chosen:
        raise profile_files.ProfileError("profiles 不能为空：请至少写一个征集配置，如 profiles = [\"liaoning-2022\"]。")
    if not names:
        names = list(profile_files.DEFAULT_PROFILES)
        overrides = profile_files.deep_merge(defaults.get("campaign", {}), overrides)
    if "name" in overrides:  # [campaign] name was always the collection's title, not a profile name
        overrides.setdefault("title", overrides.pop("name"))
    return profile_files.load_profiles(names, base, overrides)


def _settings(data: dict, *, db: str | None, outbox: Path | None) -> Settings:
    storage = data.get("storage", {})
    data_dir = Path(storage.get("data_dir") or "intake-data")
    database_url = db or storage.get("database_url") or f"sqlite:///{data_dir / 'intake.sqlite'}"
    reply = data.get("reply", {})
    links = data.get("links", {})
    campaign = Campaign()  # replaced by the profiles in load_settings; holds the configuration's roster meanwhile
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
        archives=_archive_limits(data.get("archives", {})),
        limits=_reading_limits(data.get("limits", {})),
        dry_run=outbox is not None,
        **service,
    )


def _archive_limits(section: dict) -> ArchiveLimits:
    """[archives]: how deep and how much the archives of one message may be unpacked."""
    return _whole_numbers(section, ArchiveLimits, "压缩包配置（[archives]）")


def _reading_limits(section: dict) -> ReadingLimits:
    """[limits]: what one message may cost to read (sizes, pages, pixels, seconds)."""
    unknown = sorted(set(section) - set(ReadingLimits.keys()))
    if unknown:
        raise ConfigError(f"读取限制配置（[limits]）中有无法识别的项：{'、'.join(unknown)}")
    limits = _whole_numbers(section, ReadingLimits, "读取限制配置（[limits]）")
    if limits.worker_memory_mb < WORKER_MEMORY_FLOOR_MB:  # below it a worker cannot even start: every PDF refused
        raise ConfigError(f"读取限制配置（[limits]）有误：worker_memory_mb 不能低于 {WORKER_MEMORY_FLOOR_MB}，"
                          "否则读取 PDF、OFD 的工作进程无法启动，所有此类文件都会被误判为无法审阅。")
    return limits


def _whole_numbers(section: dict, kind, table: str):
    """A table of positive whole numbers as the dataclass `kind`; a key left out keeps its default."""
    try:
        values = {f.name: int(section[f.name]) for f in fields(kind) if f.name in section}
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{table}有误：{exc}（各项应为正整数）") from exc
    if any(v < 1 for v in values.values()):
        raise ConfigError(f"{table}有误：各项应为正整数。")
    return kind(**values)
