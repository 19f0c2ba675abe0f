"""The service `intake run` is: poll every mailbox, file and answer, send what is due, the daily digest.

`once()` is one full pass (for cron and tests); `run()` repeats it every
`poll_seconds` until told to stop (SIGTERM/SIGINT), finishing the message
in hand first, and serves the web console beside it when `[web] enabled`. Every effect is keyed in the database, so a second `intake
run` on the same database, or a restart, never files or answers twice.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ingest.config.settings import Settings
from ingest.jobs.digest import build_digest
from ingest.service.idle import IdleWatcher
from ingest.service.mailbox import Connections, poll
from ingest.core.pipeline import Pipeline
from ingest.core.steps import Outcome
from ingest.core.progress import ProgressFactory, no_progress
from ingest.jobs.recheck import recheck_links_if_due
from ingest.jobs.reminders import due_reminders
from ingest.jobs.schedule import daily_due
from notifier.outbox import outgoing
from storage.outgoing import exists, queue

log = logging.getLogger(__name__)


@dataclass
class Pass:
    """What one pass did."""

    outcomes: list[Outcome] = field(default_factory=list)
    digest_queued: bool = False
    reminders: int = 0


class Service:
    def __init__(self, settings: Settings, progress: ProgressFactory = no_progress):
        self.settings = settings
        self.progress = progress
        self.pipeline = Pipeline(settings)
        self.connections = Connections()

    def once(self) -> Pass:
        """Fetch everything new from every mailbox, process it, queue the digest if due, send what is due."""
        done = Pass()
        for box in self.settings.mailboxes:
            done.outcomes += poll(self.pipeline, box, self.connections, self.progress)
        recheck_links_if_due(self.settings, self.pipeline.db)  # before the digest, so it reports today's answers
        done.digest_queued = self.queue_digest_if_due()
        done.reminders = sum(queue(self.pipeline.db, item) for item in due_reminders(self.settings, self.pipeline.db))
        self.pipeline.deliver()
        return done

    def queue_digest_if_due(self, now: datetime | None = None) -> bool:
        """From `digest_at` (campaign time) on, yesterday's digest, once per day (its key is the day)."""
        if not self.settings.coordinators:
            return False
        today = daily_due(self.settings, now)
        if today is None:
            return False
        day = today - timedelta(days=1)
        key = f"digest:{day.isoformat()}"
        if exists(self.pipeline.db, key):
            return False
        message = build_digest(self.pipeline.db, self.settings, day)
        return queue(self.pipeline.db, outgoing(message, key, "digest"))

    def run(self, stop: threading.Event) -> None:
        """Pass after pass until `stop` is set: at once when IDLE reports new mail, else every poll_seconds.

        A failing pass is logged and retried, never fatal.
        """
        console = self._start_console()
        wake = threading.Event()
        threading.Thread(target=lambda: (stop.wait(), wake.set()), daemon=True).start()
        for box in self.settings.mailboxes:
            IdleWatcher(box, wake, stop).start()
        while not stop.is_set():
            try:
                self.once()
            except Exception:  # the loop must outlive any one bad pass
                log.exception("a pass of the service failed; retrying after the poll interval")
            wake.wait(self.settings.schedule.poll_seconds)
            wake.clear()
        self.connections.close()
        if console is not None:
            console.stop()

    def _start_console(self):
        """The web console beside the loop when `[web] enabled = true`; a console that cannot start is logged, not fatal."""
        web = self.settings.web
        if not web.enabled:
            return None
        from web.server import ConsoleServer, describe

        try:
            server = ConsoleServer(self.settings, web.host, web.port).start()
        except RuntimeError:
            log.exception("the web console could not start on %s:%s", web.host, web.port)
            return None
        log.warning("网页控制台：%s", describe(web.host, web.port))
        return server
