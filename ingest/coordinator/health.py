"""Is the service alive? What a monitor may know without logging in: each mailbox's last good pass, and no data.

A mailbox is late when its last successful pass is older than
`LATE_AFTER_POLLS` poll intervals (at least `LATE_FLOOR`), or when it has
never succeeded although the service has been asked to watch it; the
database must answer too. Nothing about mail, units or people is said.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from ingest.config.settings import Settings
from rules import clock
from storage import mailboxes
from storage.database import Database

LATE_AFTER_POLLS = 3
LATE_FLOOR = timedelta(minutes=15)


@dataclass
class MailboxHealth:
    name: str
    last_ok_seconds_ago: int | None  # None: never succeeded
    ok: bool


@dataclass
class Health:
    ok: bool
    database: bool
    checked_at: str  # aware UTC, ISO 8601
    mailboxes: list[MailboxHealth] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"status": "ok" if self.ok else "degraded", **asdict(self)}


def health(settings: Settings, db: Database, now: datetime | None = None) -> Health:
    """The service's health as a monitor sees it; never raises for a database that does not answer."""
    now = now or clock.now()
    late_after = max(LATE_FLOOR, timedelta(seconds=LATE_AFTER_POLLS * settings.schedule.poll_seconds))
    try:
        states = {s.mailbox: s for s in mailboxes.all_states(db)}
    except Exception:  # noqa: BLE001 - a database that does not answer is what this reports, not a crash
        return Health(False, False, now.isoformat(), [MailboxHealth(b.name, None, False) for b in settings.mailboxes])
    boxes = []
    for box in settings.mailboxes:
        last_ok = states[box.name].last_ok_at if box.name in states else None
        age = int((now - last_ok).total_seconds()) if last_ok else None
        boxes.append(MailboxHealth(box.name, age, age is not None and age <= late_after.total_seconds()))
    return Health(all(b.ok for b in boxes), True, now.isoformat(), boxes)
