"""Deliver composed messages: to an outbox folder, or through SMTP.

The outbox is for dry runs and for coordinators who want to read every
reply before it goes out: each message is one .eml file any mail client can
open. Files are written to a hidden temporary name and renamed, so a
process watching the folder never picks up half a message.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl as tls
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

from rules import clock
from parsers.atomic import atomic_write
from storage.models import Outgoing

SAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
MAX_ID_CHARS = 80


def _safe_id(message_id: str) -> str:
    raw = message_id.strip().strip("<>")
    safe = SAFE_CHARS.sub("_", raw).strip("._")[:MAX_ID_CHARS]
    return safe or uuid.uuid4().hex


def outgoing(msg: EmailMessage, key: str, kind: str) -> Outgoing:
    to = [address for _name, address in getaddresses([str(msg.get("To", ""))]) if address]
    raw = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))  # RFC 5322 line ends: smtplib sends bytes as they are
    return Outgoing(key=key, kind=kind, to=to, message_id=str(msg["Message-ID"]), raw=raw)


def write_outbox(msg: EmailMessage | bytes, outbox_dir: Path, message_id: str | None = None) -> Path:
    """Write a message as `<UTC timestamp>-<message id>.eml`, atomically; return the path."""
    raw = msg if isinstance(msg, bytes) else msg.as_bytes()
    message_id = message_id if message_id is not None else str(msg.get("Message-ID", ""))
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%fZ")
    target = Path(outbox_dir) / f"{stamp}-{_safe_id(message_id)}.eml"
    atomic_write(target, raw)
    return target


def _from_address(msg: EmailMessage) -> str:
    pairs = getaddresses([str(msg.get("From", ""))])
    return pairs[0][1] if pairs else ""


def _hang_up(client: smtplib.SMTP) -> None:
    """QUIT and close, whatever the server answers to QUIT.

    Once `sendmail` returned, the server has taken the mail (250 after
    DATA): a 421 to QUIT or a dropped connection must not count as a failure,
    or the mail would be sent again (smtplib's own `with` raises on them).
    """
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


@dataclass
class SmtpSender:
    """Send messages through an SMTP server with smtplib.

    The password is never stored in configuration: it is read from the
    environment variable named by `password_env` when a message is sent.
    `envelope_from=None` uses the From address, which authenticated
    submission servers (Tencent Exmail, NetEase) insist on; set it to "" for
    the null reverse-path RFC 3834 recommends where the relay allows it.
    """

    host: str
    port: int = 25
    username: str | None = None
    password_env: str = "INTAKE_SMTP_PASSWORD"
    starttls: bool = False
    ssl: bool = False
    timeout: float = 30.0
    envelope_from: str | None = None
    context: tls.SSLContext | None = field(default=None, repr=False)

    def _password(self) -> str:
        password = os.environ.get(self.password_env)
        if password is None:
            raise RuntimeError(f"SMTP password not set: export {self.password_env}")
        return password

    def _connect(self) -> smtplib.SMTP:
        context = self.context or tls.create_default_context()
        if self.ssl:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.starttls:
            client.starttls(context=context)
        return client

    @contextmanager
    def _session(self) -> Iterator[smtplib.SMTP]:
        """A connection, logged in when a username is configured, closed by `_hang_up`."""
        client = self._connect()
        try:
            if self.username:
                client.login(self.username, self._password())
            yield client
        finally:
            _hang_up(client)

    def check_login(self) -> None:
        """Connect and log in as a send would, and say goodbye without sending anything (for `intake check`)."""
        with self._session() as client:
            client.noop()

    def send_raw(self, raw: bytes, to: list[str], sender: str) -> dict[str, tuple[int, bytes]]:
        """Send stored bytes as they are (composed once); return the recipients the server refused."""
        with self._session() as client:
            return client.sendmail(self.envelope_from if self.envelope_from is not None else sender, to, raw)

    def send(self, msg: EmailMessage) -> dict[str, tuple[int, bytes]]:
        """Send one message; return the recipients the server refused (all refused raises)."""
        sender = self.envelope_from if self.envelope_from is not None else _from_address(msg)
        with self._session() as client:
            return client.send_message(msg, from_addr=sender)
