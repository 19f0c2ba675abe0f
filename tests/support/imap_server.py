"""A throwaway Dovecot IMAP server on 127.0.0.1, for tests and benchmarks (Debian's dovecot-imapd).

Any user name logs in with PASSWORD and gets a Maildir of its own under
the server's folder, so each test or benchmark has a fresh mailbox.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "imap-auth-code-1"
_ACCOUNTS = itertools.count(1)
DOVECOT_CONF = """
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{base}/mail/%u
first_valid_uid = 1
mail_uid = {user}
mail_gid = {group}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={base}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""



@dataclass
class Dovecot:
    port: int
    base: Path
    conf: Path | None = None
    binary: str = "/usr/sbin/dovecot"

    def start(self) -> None:
        """Start (or start again) the server and wait until it accepts connections."""
        # dovecot daemonises and its children keep inherited pipes open: no capture, or run() never returns
        subprocess.run([self.binary, "-c", str(self.conf)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        self._wait(listening=True)

    def stop(self) -> None:
        """Stop the server (its mailboxes stay on disk), dropping every open session as an outage would.

        `doveadm stop` alone leaves logged-in imap processes serving their clients.
        """
        subprocess.run(["doveadm", "-c", str(self.conf), "kick", "*"], capture_output=True)
        subprocess.run(["doveadm", "-c", str(self.conf), "stop"], capture_output=True)
        self._wait(listening=False)

    def _wait(self, listening: bool) -> None:
        for _ in range(200):
            with socket.socket() as probe:
                if (probe.connect_ex(("127.0.0.1", self.port)) == 0) == listening:
                    return
            time.sleep(0.05)

    def account(self) -> str:
        """A new user (and so a new, empty mailbox)."""
        return f"u{next(_ACCOUNTS)}-{os.getpid()}@126.com"

    def maildir(self, user: str) -> Path:
        return self.base / "mail" / user


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def dovecot() -> Iterator[Dovecot]:
    """Start Dovecot on a free loopback port; stop it and remove its files afterwards."""
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists():
        raise RuntimeError("Dovecot is not installed: run ./scripts/setup.sh (Debian package dovecot-imapd)")
    base = Path(tempfile.mkdtemp(prefix="intake-imap-"))
    for sub in ("run", "state", "mail", "home"):
        (base / sub).mkdir()
    owner = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    for sub in ("mail", "home"):
        os.chown(base / sub, owner.pw_uid, owner.pw_gid)
    os.chmod(base, 0o755)
    port = free_port()
    conf = base / "dovecot.conf"
    conf.write_text(DOVECOT_CONF.format(base=base, user=owner.pw_name, group=owner.pw_gid, port=port,
                                        password=PASSWORD))
    server = Dovecot(port, base, conf, binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
