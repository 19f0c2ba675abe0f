"""IMAP IDLE: a connection per mailbox that wakes the service as soon as new mail arrives.

Polling every `poll_seconds` stays as the safety net; IDLE only shortens
the wait. The IDLE command is renewed every minute (servers drop idle
connections after 30), and a lost connection is retried with backoff.
"""

from __future__ import annotations

import logging
import threading

from ingest.service.mailbox import connect
from ingest.config.service_settings import MailboxSettings

log = logging.getLogger(__name__)
RENEW_SECONDS = 60
MAX_BACKOFF = 300


class IdleWatcher(threading.Thread):
    def __init__(self, box: MailboxSettings, wake: threading.Event, stop: threading.Event):
        super().__init__(name=f"idle-{box.name}", daemon=True)
        self.box, self.wake, self.stop = box, wake, stop

    def run(self) -> None:
        backoff = 1.0
        while not self.stop.is_set():
            try:
                self._watch()
                return  # the server has no IDLE: polling alone
            except Exception as exc:  # any failure (server restart, network): reconnect later
                log.info("IDLE on %s interrupted: %s", self.box.name, exc)
            self.stop.wait(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    def _watch(self) -> None:
        client = connect(self.box)
        try:
            if not client.has_capability("IDLE"):
                return
            while not self.stop.is_set():
                client.idle()
                responses = client.idle_check(timeout=RENEW_SECONDS)
                responses += client.idle_done()[1]  # what arrived while IDLE was being ended
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    self.wake.set()
        finally:
            try:
                client.logout()
            except Exception:  # closing a broken connection
                pass
