"""Campaign profiles: each collection notice as a TOML file, loaded into a `Campaign`.

Built-in profiles live in `ingest/profiles/<name>.toml`; a configuration
names them (`profiles = ["shandong-2021"]`) or gives paths, relative to the
configuration file, of profiles a coordinator wrote. A `[campaign]` table of
the configuration overrides keys of the first profile, as it always did.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from rules import clock
from rules.campaign import Batch, Campaign
from rules.profile import PhotoSpec, ReportSpec, Routing, StatsColumn, StatsSpec, VideoSpec
from rules.units import roster_from_config

DEFAULT_PROFILES = ["liaoning-2022"]
_CN_NUMBERS = "一二三四"


class ProfileError(ValueError):
    """A profile cannot be used; the message says why, in Chinese."""


@dataclass
class ProfileSource:
    name: str  # as the configuration wrote it
    data: dict


def builtin_names() -> list[str]:
    folder = resources.files("ingest.config").joinpath("profiles")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def read_profile(name: str, base: Path | None = None) -> ProfileSource:
    """A built-in profile by name, or a profile file by path (relative to `base`, the config's folder)."""
    if name in builtin_names():
        text = resources.files("ingest.config").joinpath("profiles", f"{name}.toml").read_text("utf-8")
        return ProfileSource(name, _parse(text, name))
    path = Path(name)
    if not path.is_absolute() and base is not None:
        path = base / path
    if not path.exists():
        raise ProfileError(f"找不到征集配置“{name}”：既不是内置配置（{'、'.join(builtin_names())}），"
                           f"也没有文件 {path}。")
    try:
        return ProfileSource(name, _parse(path.read_text("utf-8"), name))
    except OSError as exc:
        raise ProfileError(f"无法读取征集配置文件 {path}：{exc}") from exc


def _parse(text: str, name: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"征集配置“{name}”不是有效的 TOML：{exc}") from exc


def load_profiles(names: list[str], base: Path | None, overrides: dict) -> list[Campaign]:
    """The active campaigns, in order; `overrides` (a `[campaign]` table) applies to the first."""
    if not names:
        raise ProfileError("profiles 不能为空：请至少写一个征集配置，如 profiles = [\"liaoning-2022\"]。")
    campaigns = []
    for index, name in enumerate(names):
        source = read_profile(str(name), base)
        data = deep_merge(source.data, overrides) if index == 0 else source.data
        campaigns.append(campaign_from(data, fallback_name=Path(str(name)).stem))
    seen = [c.name for c in campaigns]
    if len(set(seen)) != len(seen):
        raise ProfileError(f"征集配置的名称重复：{'、'.join(seen)}（每个配置的 name 须不同）。")
    return campaigns


def describe_builtins() -> list[dict]:
    """Each built-in profile in words: name, title, notice, deadlines, requirements (for `intake profiles`)."""

    out = []
    for name in builtin_names():
        campaign = load_profiles([name], None, {})[0]
        out.append({"name": campaign.name, "title": campaign.title, "notice": campaign.notice,
                    "deadlines": _deadline_words(campaign), "requirements": campaign.requirements,
                    "checks": list(campaign.checks or [])})
    return out


def _deadline_words(campaign: Campaign) -> list[str]:
    batches = campaign.batches
    if len(batches) > 6:  # recurring: first, last and how many
        return [f"{batches[0].name} {clock.cn_datetime(batches[0].deadline, campaign.zone)}",
                f"……共 {len(batches)} 期……",
                f"{batches[-1].name} {clock.cn_datetime(batches[-1].deadline, campaign.zone)}"]
    return [f"{b.name} {clock.cn_datetime(b.deadline, campaign.zone)}" for b in batches]


def deep_merge(base: dict, over: dict) -> dict:
    """`over` laid over `base` key by key, tables merged, everything else replaced: how every TOML layer is read."""
    merged = dict(base)
    for key, value in over.items():
        merged[key] = (deep_merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict)
                       else value)
    return merged


def campaign_from(data: dict, fallback_name: str = "custom") -> Campaign:
    """A Campaign from a profile's keys, its deadlines read as `clock.deadline` reads them."""
    where = data.get("name", fallback_name)
    try:
        tz = clock.zone(str(data.get("timezone") or clock.DEFAULT_ZONE))
    except ValueError as exc:
        raise ProfileError(f"征集配置“{where}”的时区配置有误：{exc}（请写 IANA 时区名，如 Asia/Shanghai）") from exc
    try:
        batches = [Batch(b["name"], clock.deadline(b["deadline"], tz)) for b in data.get("batches", [])]
        batches += recurring_batches(data.get("recurring"), tz)
    except (KeyError, TypeError, ValueError) as exc:
        raise ProfileError(f"征集配置“{where}”的批次配置有误：{exc}（每个批次需要 name 和 deadline，"
                           "如 \"2022-05-05\"；季度截止写 [recurring]）") from exc
    try:
        campaign = Campaign(
            name=str(where), title=str(data.get("title", "")), notice=str(data.get("notice", "")),
            keyword=str(data.get("keyword", "智慧助老")), subject=str(data.get("subject", "count")),
            subject_example=str(data.get("subject_example", "")),
            checks=list(data["checks"]) if "checks" in data else None,
            timezone=str(data.get("timezone") or clock.DEFAULT_ZONE),
            batches=sorted(batches, key=lambda b: b.deadline),
            require_scan=bool(data.get("require_scan", True)),
            link_expiry=str(data.get("link_expiry", "warning")),
            postal_address=str(data.get("postal_address", "")),
            requirements=[str(r) for r in data.get("requirements", [])],
            routing=Routing(**data.get("routing", {})),
            stats=_stats(data["stats"]) if "stats" in data else None,
            reports=[_report(r) for r in data.get("reports", [])],
            video=VideoSpec(**data["video"]) if "video" in data else None,
        )
        if "text_limits" in data:
            campaign.text_limits = {k: int(v) for k, v in data["text_limits"].items()}
        if "accepted_link_providers" in data:
            campaign.accepted_link_providers = list(data["accepted_link_providers"])
        if "roster" in data:
            campaign.roster = roster_from_config(list(data["roster"].get("units", [])))
    except (KeyError, TypeError, ValueError) as exc:
        raise ProfileError(f"征集配置“{where}”有误：{exc}") from exc
    _check_names(campaign)
    return campaign


def _stats(data: dict) -> StatsSpec:
    columns = [StatsColumn(c) if isinstance(c, str) else StatsColumn(c["name"], list(c.get("labels", [])))
               for c in data["columns"]]
    return StatsSpec(title=data.get("title", "统计表"), columns=columns, label_column=data.get("label_column"),
                     label_spellings=list(data.get("label_labels", [])), total_row=bool(data.get("total_row", False)),
                     required=bool(data.get("required", True)), seal=data.get("seal"),
                     not_above=[tuple(pair) for pair in data.get("not_above", [])],
                     name_words=list(data.get("name_words", ["统计表"])))


def _report(data: dict) -> ReportSpec:
    photos = data.get("photos")
    return ReportSpec(name=data["name"], name_words=list(data.get("name_words", [data["name"]])),
                      max_chars=data.get("max_chars"), required=bool(data.get("required", True)),
                      max_count=data.get("max_count"),
                      photos=PhotoSpec(**photos) if photos is not None else None)


def _check_names(campaign: Campaign) -> None:
    from rules import RULE_NAMES

    unknown = [c for c in campaign.checks or [] if c not in RULE_NAMES]
    if unknown:
        raise ProfileError(f"征集配置“{campaign.name}”的 checks 中有未知的检查项：{'、'.join(unknown)}"
                           f"（可用的有：{'、'.join(RULE_NAMES)}）")
    if campaign.subject not in ("count", "unit", ""):
        raise ProfileError(f"征集配置“{campaign.name}”的 subject 应为 \"count\"、\"unit\" 或 \"\"。")
    if campaign.link_expiry not in ("error", "warning"):
        raise ProfileError(f"征集配置“{campaign.name}”的 link_expiry 应为 \"error\" 或 \"warning\"。")


def recurring_batches(spec: dict | None, tz: ZoneInfo) -> list[Batch]:
    """Deadlines that come back: `{ day = 28, months = [3, 6, 9, 12], from = "2021-03", until = "2022-12" }`.

    Each deadline runs to 23:59:59 that day; its batch is named by `name`
    with {year}, {month}, {quarter} (1–4) and {quarter_cn} (一–四) filled in.
    """
    if not spec:
        return []
    day = int(spec["day"])
    months = [int(m) for m in spec.get("months", range(1, 13))]
    start, end = _month(spec["from"]), _month(spec["until"])
    pattern = str(spec.get("name", "{year}年第{quarter}季度"))
    batches = []
    year, month = start
    while (year, month) <= end:
        if month in months:
            quarter = (month - 1) // 3 + 1
            name = pattern.format(year=year, month=month, quarter=quarter, quarter_cn=_CN_NUMBERS[quarter - 1])
            batches.append(Batch(name, clock.end_of_day(date(year, month, day), tz)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return batches


def _month(value) -> tuple[int, int]:
    found = re.fullmatch(r"\s*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*月?\s*", str(value))
    if not found:
        raise ValueError(f"无法识别月份 {value!r}（请写 \"2021-03\"）")
    return int(found.group(1)), int(found.group(2))
