"""Reminders before each batch deadline to roster units that have sent nothing yet.

On the day `remind_days_before` days ahead of a deadline (in the campaign's
zone), each silent roster unit gets one reminder at its own addresses (not
whole domains); its key (batch, days, unit) makes it one, however often the
service passes or restarts. A missed day is not made up later.
"""

from __future__ import annotations

from datetime import datetime

from ingest.config import Settings
from notifier.outbox import outgoing
from storage.models import Outgoing
from notifier.notices import compose_reminder
from rules import clock
from storage.collection import load_collection
from storage.database import Database
from storage.outgoing import exists


def due_reminders(settings: Settings, db: Database, now: datetime | None = None) -> list[Outgoing]:
    campaign = settings.campaign
    tz = campaign.zone
    moment = now or clock.now()
    today = clock.local_day(moment, tz)
    if clock.local(moment, tz).time() < settings.schedule.digest_at:
        return []
    todo = [(batch, days) for batch in campaign.batches for days in settings.schedule.remind_days_before
            if (clock.local_day(batch.deadline, tz) - today).days == days]
    if not todo:
        return []
    silent = [u for u in load_collection(db).units(campaign.roster) if u.in_roster and not u.materials]
    entries = {entry.name: entry for entry in campaign.roster.units}
    out = []
    for batch, days in todo:
        for unit in silent:
            addresses = [a for a in entries[unit.name].addresses if not a.startswith("@")]
            key = f"remind:{batch.name}:{days}:{unit.name}"
            if addresses and not exists(db, key):
                message = compose_reminder(unit.name, addresses, batch.name, batch.deadline, days, settings.identity,
                                           tz, settings.templates_dir, moment)
                out.append(outgoing(message, key, "reminder"))
    return out
