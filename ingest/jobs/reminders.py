"""Reminders before each batch deadline to roster units that have sent nothing yet.

On the day `remind_days_before` days ahead of a deadline (in the campaign's
zone), each silent roster unit gets one reminder at its own addresses (not
whole domains); its key (batch, days, unit) makes it one, however often the
service passes or restarts. A missed day is not made up later. Every
active profile reminds of its own batches, to the units of its own roster
that have sent it nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from ingest.config.settings import Settings
from ingest.jobs.schedule import daily_due
from notifier.notices import compose_reminder
from notifier.outbox import outgoing
from rules import clock
from rules.campaign import Campaign
from storage.collection import Collection, load_collection
from storage.database import Database
from storage.models import Outgoing
from storage.outgoing import exists


def due_reminders(settings: Settings, db: Database, now: datetime | None = None) -> list[Outgoing]:
    """Today's reminders of every active profile, those not yet queued."""
    moment = now or clock.now()
    today = daily_due(settings, moment)
    if today is None:
        return []
    collection = load_collection(db)
    return [item for campaign in settings.profiles()
            for item in _profile_reminders(settings, campaign, collection, today, moment, db)]


def _profile_reminders(settings: Settings, campaign: Campaign, collection: Collection, today: date,
                       moment: datetime, db: Database) -> list[Outgoing]:
    """One profile's reminders: its batches `remind_days_before` ahead, its roster units that sent it nothing."""
    tz = campaign.zone
    todo = [(batch, days) for batch in campaign.batches for days in settings.schedule.remind_days_before
            if (clock.local_day(batch.deadline, tz) - today).days == days]
    if not todo:
        return []
    own = Collection([s for s in collection.submissions if s.submission.profile == campaign.name])
    silent = [u for u in own.units(campaign.roster) if u.in_roster and not u.materials]
    entries = {entry.name: entry for entry in campaign.roster.units}
    out = []
    for batch, days in todo:
        for unit in silent:
            addresses = [a for a in entries[unit.name].addresses if not a.startswith("@")]
            key = _key(settings, campaign, f"{batch.name}:{days}:{unit.name}")
            if addresses and not exists(db, key):
                message = compose_reminder(unit.name, addresses, batch.name, batch.deadline, days, settings.identity,
                                           tz, settings.templates_dir, moment)
                out.append(outgoing(message, key, "reminder"))
    return out


def _key(settings: Settings, campaign: Campaign, what: str) -> str:
    """One reminder's key; the first profile keeps the key it always had, so an upgrade never reminds twice."""
    return f"remind:{what}" if campaign is settings.campaign else f"remind:{campaign.name}:{what}"
