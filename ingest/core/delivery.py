"""Sending what the outgoing table holds: through SMTP, or into an outbox folder (dry run).

Each due row is claimed, handed to the transport, and marked sent only after
the server took it; a failure is retried with backoff and shows in the
digest, never raises out of the loop. A recipient who already got
`max_per_recipient_per_hour` mails this hour waits (loop and backscatter guard).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from notifier.outbox import SmtpSender, write_outbox
from rules import clock
from storage import outgoing
from storage.database import Database

log = logging.getLogger(__name__)
HOUR = timedelta(hours=1)


@dataclass
class Sent:
    key: str
    status: str  # sent / written / retry
    path: Path | None = None
    error: str | None = None


@dataclass
class Delivery:
    db: Database
    sender_address: str
    smtp: SmtpSender | None = None  # None: dry run into `outbox_dir`
    outbox_dir: Path | None = None
    max_per_recipient_per_hour: int = 5

    def run(self, limit: int = 50) -> list[Sent]:
        """Send (or write) every due row, once each; return what happened to each."""
        return [result for row in outgoing.due(self.db, limit) if (result := self._one(row.id)) is not None]

    def _one(self, row_id: int) -> Sent | None:
        mail = outgoing.claim(self.db, row_id)
        if mail is None:
            return None  # another worker has it, or it went out meanwhile
        if mail.kind in ("receipt", "defects", "late", "reminder") and self.smtp and self._over_limit(mail.to):
            outgoing.finish(mail, status="retry", error="同一收件人一小时内邮件过多，稍后再发", retry_in=HOUR)
            return Sent(mail.key, "retry", error="rate limit")
        try:  # whatever the transport raises, the claim is let go: a held row would wait out the lease
            status, path, refused = self._hand_over(mail)
        except Exception as exc:  # smtplib, sockets, TLS, the outbox folder: each raises its own types
            wait = min(timedelta(minutes=2 ** min(mail.attempts, 6)), HOUR)
            log.warning("sending %s failed: %s", mail.key, exc)
            outgoing.finish(mail, status="retry", error=f"发送失败：{exc}", retry_in=wait)
            return Sent(mail.key, "retry", error=str(exc))
        outgoing.finish(mail, status=status, error=f"被拒收：{refused}" if refused else None,
                        outbox_path=str(path) if path else None)
        return Sent(mail.key, status, path)

    def _hand_over(self, mail: outgoing.Claimed) -> tuple[str, Path | None, dict]:
        """To the SMTP server (the recipients it refused), or into the outbox folder in a dry run."""
        if self.smtp is None:
            return "written", write_outbox(mail.raw, self.outbox_dir, mail.message_id), {}
        return "sent", None, self.smtp.send_raw(mail.raw, mail.to, self.sender_address)

    def _over_limit(self, to: list[str]) -> bool:
        since = clock.now() - HOUR
        return any(outgoing.sent_to_since(self.db, address, since) >= self.max_per_recipient_per_hour for address in to)


def smtp_sender(settings) -> SmtpSender | None:
    """The configured SMTP server as a sender; None without `[smtp]`."""
    smtp = settings.smtp
    if smtp is None:
        return None
    return SmtpSender(host=smtp.host, port=smtp.port, username=smtp.user or None, password_env=smtp.password_env,
                      ssl=smtp.security == "ssl", starttls=smtp.security == "starttls")


def delivery_for(settings, db: Database) -> Delivery:
    """SMTP when `[smtp]` is configured and no dry run was asked for; else .eml files in the outbox folder."""
    if settings.smtp is None or settings.dry_run:
        return Delivery(db, settings.identity.address, outbox_dir=settings.outbox_dir)
    return Delivery(db, settings.identity.address, smtp=smtp_sender(settings),
                    max_per_recipient_per_hour=settings.smtp.max_per_recipient_per_hour)
