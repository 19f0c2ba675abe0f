"""When the service's daily work is due: one gate for the digest, the reminders and the link re-check.

Each pass of `intake run` asks `daily_due`; from `digest_at` (in the
campaign's zone) on, it names the campaign day, and each daily job then
does its work once, keyed by that day in the database. That key, not a
timer, is the exactly-once guard: a second `intake run`, a restart or a
service started at noon does the day's work once, and a service that was
down at `digest_at` does it on its first pass afterwards.

Why no APScheduler: its cron jobs fire in the one process that holds the
timer, so a missed run needs a persistent job store and misfire rules to be
made up, and two processes need a lock — all of which the database key
already gives the hand-written loop, which IDLE wakes for new mail anyway.
"""

from __future__ import annotations

from datetime import date, datetime

from ingest.config.settings import Settings
from rules import clock


def daily_due(settings: Settings, now: datetime | None = None) -> date | None:
    """The campaign day whose daily work is due at `now`: today from `digest_at` on, else None."""
    local = clock.local(now or clock.now(), settings.campaign.zone)
    return local.date() if local.time() >= settings.schedule.digest_at else None
