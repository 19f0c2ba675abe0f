"""Shared fixtures: a throwaway PostgreSQL server on loopback, settings in a temp folder."""

from __future__ import annotations

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
def pg_database(postgres_url, request):
    """A fresh PostgreSQL database on the session's test server."""
    import sqlalchemy

    name = f"intake_{abs(hash(request.node.nodeid)) % 10**8}"
    admin = sqlalchemy.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(sqlalchemy.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


# The real-mail corpus lives outside the repository (beside the project only on
# the project's CI machine); .ci/run names it in this variable.
REAL_EML_VARIABLE = "INTAKE_REAL_EML"


@pytest.fixture(scope="session")
def real_eml() -> Path:
    """The folder of real malformed and Chinese-encoded messages.

    Unset variable: the test skips with the reason (a user's clone has no
    corpus). Set but naming no folder of .eml files: the test fails, so CI
    can never skip these tests silently.
    """
    value = os.environ.get(REAL_EML_VARIABLE, "")
    if not value:
        pytest.skip(f"real-mail corpus not configured: set {REAL_EML_VARIABLE} (as .ci/run does)")
    folder = Path(value)
    if not folder.is_dir() or not any(folder.glob("*.eml")):
        pytest.fail(f"{REAL_EML_VARIABLE}={value} is not a folder of .eml messages")
    return folder


@pytest.fixture
def settings(tmp_path):
    """Built-in settings with every path in a temp folder and an SQLite database."""
    from ingest.config.settings import load_settings

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

@pytest.fixture(scope="session")
def dovecot():
    """The session's Dovecot IMAP server on 127.0.0.1 (tests/support/imap_server.py), stopped after it."""
    from tests.support.imap_server import dovecot as start

    try:
        with start() as server:
            yield server
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def imap_account(dovecot, request):
    """A fresh mailbox on the test Dovecot: (port, user, password)."""
    from tests.support.imap_server import PASSWORD

    return dovecot.port, dovecot.account(), PASSWORD
