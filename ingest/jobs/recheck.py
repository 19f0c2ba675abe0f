"""The daily re-check of accepted share links (when `[links] check_online` is on).

A link can die after acceptance (the unit deletes the share, or it was a
7-day share after all). Once a day, just before the digest is due, every
link of the standing accepted collection is opened again, bypassing the
check cache; the digest then lists the ones that died. Nothing is sent to
the unit from here: the coordinator decides.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from ingest.config.settings import Settings
from ingest.jobs.linkcheck import check_links
from ingest.jobs.schedule import daily_due
from rules import clock
from storage import chores, links
from storage.database import Database


def recheck_links_if_due(settings: Settings, db: Database, now: datetime | None = None) -> int | None:
    """Re-check today's links once, from `digest_at` on; the number of answers stored, None when not due."""
    if not settings.links.enabled:
        return None
    moment = now or clock.now()
    today = daily_due(settings, moment)
    if today is None or chores.is_done(db, key := f"linkcheck:{today.isoformat()}"):
        return None
    standing = links.standing_links(db)
    check_links([link for _, link in standing], dataclasses.replace(settings.links, cache_path=None))
    saved = links.save_checks(db, standing, moment)
    chores.mark_done(db, key, f"{saved}/{len(standing)}")
    return saved
