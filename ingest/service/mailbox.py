"""Watching a real mailbox over IMAP: fetch only what is new, file it, then flag or move it.

163/126/yeah.net refuse SELECT ("Unsafe Login") unless the client says who
it is with IMAP ID (RFC 2971) after login, so we always do. Many Chinese
servers reject `SEARCH CHARSET UTF-8`: we search by UID only. The order of
effects is fixed: the raw mail is stored and filed with its pending reply
(the pipeline), then the IMAP flag or move, then the mark in the database;
a crash anywhere in between re-fetches the mail, which the pipeline then
recognises as a duplicate: nothing is lost or answered twice. A message the
database could not file is not flagged or moved: it is fetched again on a
later pass (storage.fetch_retries) and the coordinators hear of it after
NOTE_AFTER failures in a row.
"""

from __future__ import annotations

import logging
import os
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from imapclient import IMAPClient

from ingest.core.pipeline import Pipeline
from ingest.core.steps import Outcome
from ingest.core.progress import ProgressFactory, no_progress
from ingest.config.service_settings import MailboxSettings
from rules.vocabulary import Status
from storage import fetch_retries, mailboxes
from storage.files import sha256_hex

log = logging.getLogger(__name__)
FETCH_BATCH = 25
BIG_FETCH = 8 << 20  # bytes: a message larger than this is fetched alone, in slices
FETCH_SLICE = 4 << 20
CLIENT_ID = {"name": "intake", "version": "0.1", "vendor": "intake", "support-email": "zhzl@example.org.cn"}
HANDLED_FLAG = b"$Intake"
NOTE_AFTER = 5  # failed filings of one message before the coordinators are told


class MailboxError(RuntimeError):
    """A mailbox cannot be used right now; the message is Chinese, for the digest."""


@dataclass
class Fetched:
    uid: int
    raw: bytes
    internaldate: datetime | None


def connect(box: MailboxSettings, timeout: float = 60.0) -> IMAPClient:
    """Log in, say who we are (IMAP ID), select the folder."""
    password = os.environ.get(box.password_env)
    if password is None:
        raise MailboxError(f"邮箱“{box.name}”的密码（授权码）没有设置：请设置环境变量 {box.password_env}")
    try:
        client = IMAPClient(box.host, port=box.port, ssl=box.security == "ssl", timeout=timeout,
                            ssl_context=ssl.create_default_context())
        client.normalise_times = False  # INTERNALDATE with its zone: it decides lateness
        if box.security == "starttls":
            client.starttls(ssl.create_default_context())
        client.login(box.user, password)
        if b"ID" in client.capabilities():
            client.id_(CLIENT_ID)
        client.select_folder(box.folder)
    except MailboxError:
        raise
    except Exception as exc:  # imapclient raises several unrelated types
        raise MailboxError(f"无法连接邮箱“{box.name}”（{box.host}:{box.port}）：{exc}") from exc
    return client


def new_uids(client: IMAPClient, box: MailboxSettings, last_uid: int, first_sync: bool) -> list[int]:
    """UIDs above `last_uid`, oldest first (searched by UID: many Chinese servers refuse CHARSET UTF-8)."""
    criteria = ["UID", f"{last_uid + 1}:*"]
    if first_sync and box.since:
        criteria += ["SINCE", box.since]
    return sorted(uid for uid in client.search(criteria) if uid > last_uid)  # "n:*" always returns the last UID


def fetch(client: IMAPClient, uids: list[int]) -> Iterator[Fetched]:
    """The messages in UID order, in batches, without setting \\Seen.

    A big message (a video attached) is fetched alone, in slices: the IMAP
    libraries hold about three copies of a literal while reading it, which
    for a 70 MB message is more than everything else the service holds.
    """
    for start in range(0, len(uids), FETCH_BATCH):
        batch = uids[start:start + FETCH_BATCH]
        sizes = {uid: data.get(b"RFC822.SIZE", 0) for uid, data in client.fetch(batch, ["RFC822.SIZE"]).items()}
        small = [uid for uid in batch if sizes.get(uid, 0) <= BIG_FETCH]
        fetched = client.fetch(small, ["BODY.PEEK[]", "INTERNALDATE"]) if small else {}
        for uid in sorted(batch):
            if uid in fetched:
                data = fetched.pop(uid)
                yield Fetched(uid, data.get(b"BODY[]", b""), data.get(b"INTERNALDATE"))
            elif uid in sizes:
                yield _fetch_in_slices(client, uid, sizes[uid])


def _fetch_in_slices(client: IMAPClient, uid: int, size: int) -> Fetched:
    """One big message, FETCH_SLICE bytes at a time (BODY.PEEK[]<offset.length>).

    The slices go to a temporary file and come back as one bytes object, so
    the message is in memory once, not once as slices and once joined.
    """
    internaldate = None
    with tempfile.TemporaryFile(prefix="intake-fetch-") as spool:
        while True:
            offset = spool.tell()
            answer = client.fetch([uid], [f"BODY.PEEK[]<{offset}.{FETCH_SLICE}>", "INTERNALDATE"]).get(uid, {})
            internaldate = internaldate or answer.get(b"INTERNALDATE")
            piece = next((v for k, v in answer.items() if k.startswith(b"BODY[]")), None) or b""
            spool.write(piece)
            if len(piece) < FETCH_SLICE or offset + len(piece) >= size:
                break
        spool.seek(0)
        return Fetched(uid, spool.read(), internaldate)


def mark_done(client: IMAPClient, box: MailboxSettings, uid: int) -> None:
    """After filing: move to `processed_folder`, or leave in place flagged \\Seen and $Intake."""
    if box.processed_folder:
        if client.has_capability("MOVE"):
            client.move([uid], box.processed_folder)
        else:
            client.copy([uid], box.processed_folder)
            client.add_flags([uid], [b"\\Deleted"])
            client.uid_expunge([uid]) if client.has_capability("UIDPLUS") else client.expunge()
        return
    client.add_flags([uid], [b"\\Seen", HANDLED_FLAG])


class Connections:
    """One logged-in connection per mailbox, kept from pass to pass.

    Fewer logins (126/163 limit them, and each SELECT of a big mailbox costs
    the server); a connection that fails a NOOP is dropped and made anew.
    """

    def __init__(self):
        self.clients: dict[str, IMAPClient] = {}

    def get(self, box: MailboxSettings) -> IMAPClient:
        client = self.clients.get(box.name)
        if client is not None:
            try:
                client.noop()  # also brings the server's news about the selected folder
                return client
            except Exception:  # a dropped connection: make a new one
                self.drop(box.name)
        client = self.clients[box.name] = connect(box)
        return client

    def drop(self, name: str) -> None:
        client = self.clients.pop(name, None)
        if client is not None:
            try:
                client.logout()
            except Exception:  # closing a broken connection
                pass

    def close(self) -> None:
        for name in list(self.clients):
            self.drop(name)


def poll(pipeline: Pipeline, box: MailboxSettings, connections: Connections | None = None,
         progress: ProgressFactory = no_progress) -> list[Outcome]:
    """One pass over one mailbox, unless another worker is reading it right now.

    `progress` draws a bar for a long pass (the first sync of a full mailbox).
    """
    own = connections is None
    connections = connections or Connections()
    try:
        with mailboxes.exclusive(pipeline.db, box.name) as mine:
            return _poll(pipeline, box, connections, progress) if mine else []
    finally:
        if own:
            connections.close()


def _poll(pipeline: Pipeline, box: MailboxSettings, connections: Connections,
          progress: ProgressFactory) -> list[Outcome]:
    """Everything new, filed and marked; failures recorded, never raised."""
    db = pipeline.db
    outcomes: list[Outcome] = []
    try:
        client = connections.get(box)
    except MailboxError as exc:
        log.warning("%s", exc)
        mailboxes.failed(db, box.name, str(exc))
        return outcomes
    try:
        if box.processed_folder and not client.folder_exists(box.processed_folder):
            client.create_folder(box.processed_folder)
        uidvalidity = int(client.folder_status(box.folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])
        last, first_sync = mailboxes.start_epoch(db, box.name, uidvalidity)
        uids, again = _to_fetch(client, db, box, uidvalidity, new_uids(client, box, last, first_sync))
        bar = progress if len(uids) > FETCH_BATCH else no_progress  # a bar only for a long first sync
        with bar(f"收取邮箱“{box.name}”", len(uids)) as advance:
            for message in fetch(client, uids):
                outcomes += _handle(pipeline, box, client, uidvalidity, message, message.uid in again)
                advance()
        unfiled = [o for o in outcomes if not o.filed]
        if unfiled:
            mailboxes.failed(db, box.name, f"邮箱“{box.name}”中有 {len(unfiled)} 封来信暂时未能登记"
                                           f"（{unfiled[0].note}），系统会自动重试")
        else:
            mailboxes.handled_pass(db, box.name)
    except Exception as exc:  # a server hiccup: what was filed stays filed; the rest is fetched next time
        log.warning("mailbox %s: %s", box.name, exc)
        mailboxes.failed(db, box.name, f"读取邮箱“{box.name}”时出错：{exc}")
        connections.drop(box.name)
    return outcomes


def _to_fetch(client: IMAPClient, db, box: MailboxSettings, uidvalidity: int,
              new: list[int]) -> tuple[list[int], set[int]]:
    """The UIDs to fetch this pass: the new ones and the unfiled ones due again; and which of them are retries.

    An unfiled message still waiting out its backoff is left alone, though
    it is above the mark; one no longer in the folder is forgotten.
    """
    due, later = fetch_retries.waiting(db, box.name, uidvalidity)
    if due:
        present = due & set(client.search(["UID", ",".join(str(uid) for uid in sorted(due))]))
        if due - present:
            log.warning("mailbox %s: unfiled UIDs %s left the folder", box.name, sorted(due - present))
            fetch_retries.forget(db, box.name, uidvalidity, due - present)
        due = present
    return sorted((set(new) - later) | due), due


def _handle(pipeline: Pipeline, box: MailboxSettings, client: IMAPClient, uidvalidity: int,
            message: Fetched, again: bool = False) -> list[Outcome]:
    """File one fetched message (unless handled before), then flag or move it on the server.

    A message the database did not take is left as it is on the server and
    fetched again later; `again`: this is such a retry.
    """
    db = pipeline.db
    outcomes = []
    if not mailboxes.was_handled(db, box.name, uidvalidity, message.uid):
        outcome = pipeline.process(message.raw, f"imap:{box.name}/{box.folder}#{message.uid}",
                                   received=message.internaldate, retried=True)
        outcomes.append(outcome)
        if not outcome.filed:
            _unfiled(pipeline, box, uidvalidity, message, outcome)
            return outcomes
        status = outcome.status
    else:
        status = Status.DUPLICATE
    mark_done(client, box, message.uid)
    mailboxes.handled(db, box.name, uidvalidity, message.uid, sha256_hex(message.raw), status)
    if again:
        fetch_retries.forget(db, box.name, uidvalidity, {message.uid})
    return outcomes


def _unfiled(pipeline: Pipeline, box: MailboxSettings, uidvalidity: int, message: Fetched, outcome: Outcome) -> None:
    """Count the failed filing; at NOTE_AFTER in a row (and after, until it is told) the coordinators hear of it."""
    raw_sha = sha256_hex(message.raw)
    attempts = fetch_retries.failed(pipeline.db, box.name, uidvalidity, message.uid, raw_sha, outcome.note)
    log.warning("mailbox %s: UID %s not filed (%s attempts): %s", box.name, message.uid, attempts, outcome.note)
    if attempts >= NOTE_AFTER:  # the note's key makes it one per mail
        pipeline.tell_unfiled(raw_sha, outcome.note or "", attempts)
