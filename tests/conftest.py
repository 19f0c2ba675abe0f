"""Shared fixtures: a throwaway PostgreSQL server on loopback, settings in a temp folder."""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# The machine zones every time-sensitive test runs under: a CI box in UTC, a
# server in Beijing, and one far west of both (where "today" lags by a day).
MACHINE_ZONES = ("UTC", "Asia/Shanghai", "America/Los_Angeles")


def _pg_bin() -> Path | None:
    root = Path("/usr/lib/postgresql")
    versions = sorted(root.glob("*/bin/initdb")) if root.exists() else []
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A real PostgreSQL server started for this test session on 127.0.0.1, stopped after it."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.fail("PostgreSQL is not installed: run ./scripts/setup.sh (Debian package postgresql)")
    base = Path(tempfile.mkdtemp(prefix="intake-pg-"))  # directly in /tmp: the postgres user must reach it
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        user = pwd.getpwnam("postgres")
        for path in (base, sock):
            os.chown(path, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(as_user + [str(bindir / "initdb"), "-D", str(data), "-U", "intake", "--auth=trust",
                              "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
    log = base / "pg.log"
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off"
    subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg2://intake@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def settings(tmp_path):
    """Built-in settings with every path in a temp folder and an SQLite database."""
    from ingest.config import load_settings

    s = load_settings(None, db=f"sqlite:///{tmp_path / 'intake.sqlite'}", outbox=tmp_path / "outbox")
    s.data_dir = tmp_path / "data"
    return s


@pytest.fixture(params=MACHINE_ZONES)
def machine_tz(request):
    """Run the test with the process's local zone (TZ) set to each of MACHINE_ZONES."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.fixture
def freeze():
    """`with freeze(moment):` stops the clock at `moment`, leaving the machine's zone alone.

    time-machine given a ZoneInfo-aware datetime also switches TZ to that
    zone, which would hide exactly the bugs `machine_tz` is there to find;
    a POSIX timestamp moves the clock only.
    """
    import time_machine

    def travel(moment):
        return time_machine.travel(moment.timestamp(), tick=False)

    return travel


# ---------------------------------------------------------------- SMTP sink (aiosmtpd on 127.0.0.1)

SMTP_PASSWORD = "xqzmlkwhbtdcbgej"  # a QQ-style SMTP authorisation code


class Sink:
    """An aiosmtpd handler keeping every envelope it receives."""

    def __init__(self):
        self.envelopes = []
        self.logins = []
        self.encrypted = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.encrypted.append(server.transport.get_extra_info("ssl_object") is not None)
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.password == SMTP_PASSWORD.encode():
            self.logins.append(auth_data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@pytest.fixture
def smtp_server():
    """Start local SMTP sinks on 127.0.0.1; the fixture stops them after the test."""
    servers = []

    def start(auth: bool = False, **kwargs):
        sink = Sink()
        if auth:
            kwargs["authenticator"] = sink.authenticate
        controller = Controller(sink, hostname="127.0.0.1", port=kwargs.pop("port", None) or _free_port(), **kwargs)
        controller.start()
        servers.append(controller)
        return sink, controller.port

    yield start
    for controller in servers:
        controller.stop()




@pytest.fixture
def unused_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (yet)."""
    return _free_port()


# ---------------------------------------------------------------- IMAP (Debian's Dovecot on 127.0.0.1)

IMAP_PASSWORD = "imap-auth-code-1"
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


@pytest.fixture(scope="session")
def dovecot():
    """A Dovecot IMAP server on 127.0.0.1 for this test session (stopped after it): its port.

    Any user name logs in with IMAP_PASSWORD and gets a mailbox of its own.
    """
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists():
        pytest.fail("Dovecot is not installed: run ./scripts/setup.sh (Debian package dovecot-imapd)")
    base = Path(tempfile.mkdtemp(prefix="intake-imap-"))
    for sub in ("run", "state", "mail", "home"):
        (base / sub).mkdir()
    owner = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    for sub in ("mail", "home"):
        os.chown(base / sub, owner.pw_uid, owner.pw_gid)
    os.chmod(base, 0o755)
    port = _free_port()
    conf = base / "dovecot.conf"
    conf.write_text(DOVECOT_CONF.format(base=base, user=owner.pw_name, group=owner.pw_gid, port=port,
                                        password=IMAP_PASSWORD))
    # dovecot daemonises and its children keep inherited pipes open: no capture, or run() never returns
    subprocess.run([binary, "-c", str(conf)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    try:
        yield port
    finally:
        subprocess.run(["doveadm", "-c", str(conf), "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def imap_account(dovecot, request):
    """A fresh mailbox on the test Dovecot: (port, user, password)."""
    return dovecot, f"u{next(_ACCOUNTS)}-{os.getpid()}@126.com", IMAP_PASSWORD
