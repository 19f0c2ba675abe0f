"""deploy/intake.service: systemd accepts it, and the command it starts is one `intake` accepts.

`systemd-analyze verify --root` reads the unit inside a scratch root, with
no running systemd (as on CI or in a container): it resolves the unit's
dependencies against a copy of Debian's system units and checks that the
ExecStart program exists and is executable there. Anything it prints is a
key it ignored or a value it could not parse, which would silently drop a
setting on the real machine, so its output must be empty.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.cli.main import main
from parsers.limits import ReadingLimits

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "intake.service"
SYSTEM_UNITS = [Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")]
DATA_DIR = "/var/lib/intake"
READING_WORKERS = 2  # one per core on the 2-core machine the unit's MemoryMax is sized for


def unit_settings(text: str) -> dict[str, dict[str, list[str]]]:
    """Section -> key -> every value, in order (systemd allows a key more than once)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


SERVICE = unit_settings(UNIT.read_text("utf-8"))["Service"]


def one(key: str) -> str:
    [value] = SERVICE[key]
    return value


def scratch_root(root: Path, unit_text: str, *, with_program: bool = True) -> Path:
    """A root holding Debian's system units, our unit, its config files and a stub at the ExecStart path."""
    system = next((d for d in SYSTEM_UNITS if (d / "sysinit.target").exists()), None)
    if shutil.which("systemd-analyze") is None or system is None:
        pytest.fail("systemd-analyze or the system units are missing: run scripts/setup.sh (Debian's systemd package)")
    shutil.copytree(system, root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    (root / "etc/systemd/system/intake.service").write_text(unit_text, encoding="utf-8")
    secrets = root / one("EnvironmentFile").lstrip("-/")
    secrets.parent.mkdir(parents=True)
    secrets.write_text("INTAKE_IMAP_PASSWORD=\nINTAKE_SMTP_PASSWORD=\n", encoding="utf-8")
    if with_program:
        program = root / shlex.split(one("ExecStart"))[0].lstrip("/")
        program.parent.mkdir(parents=True)
        program.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
        program.chmod(0o755)
    return root


def verify(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["systemd-analyze", "verify", "--man=no", f"--root={root}", "intake.service"],
                          capture_output=True, text=True, timeout=60)


def test_systemd_analyze_verify_accepts_the_unit_in_a_scratch_root(tmp_path):
    result = verify(scratch_root(tmp_path, UNIT.read_text("utf-8")))
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""


def test_the_check_catches_a_misspelt_key_and_a_bad_value(tmp_path):
    """The empty-output rule is what catches these: systemd ignores them and still succeeds."""
    broken = UNIT.read_text("utf-8").replace("ProtectHome=yes", "ProtectHome=yse\nProtectHomme=yes")
    result = verify(scratch_root(tmp_path, broken))
    assert "ProtectHomme" in result.stderr and "yse" in result.stderr


def test_the_check_catches_a_missing_program(tmp_path):
    result = verify(scratch_root(tmp_path, UNIT.read_text("utf-8"), with_program=False))
    assert result.returncode != 0 and "not executable" in result.stderr


def exec_start_args() -> list[str]:
    program, *args = shlex.split(one("ExecStart"))
    assert program == "/opt/intake/.venv/bin/intake"
    return args


def test_the_started_command_line_is_one_the_cli_accepts(tmp_path):
    args = exec_start_args()
    help_run = CliRunner().invoke(main, [*args, "--help"])  # an unknown option fails before --help is honoured
    assert help_run.exit_code == 0, help_run.output
    assert "运行收件服务" in help_run.output
    config = tmp_path / "intake.toml"
    assert CliRunner().invoke(main, ["init", "--data-dir", DATA_DIR, str(config)]).exit_code == 0
    local = [str(config) if a == "/etc/intake/intake.toml" else a for a in args]
    assert local != args, "ExecStart should read --config /etc/intake/intake.toml, as the README installs it"
    with main.make_context("intake", list(local)) as group:
        command = main.get_command(group, local[0])
        assert command is not None and command.name == "run"
        with command.make_context(local[0], local[1:], parent=group) as ctx:
            assert ctx.params["config"] == config and not ctx.params["once"] and ctx.params["outbox"] is None


def megabytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([KMGT]?)", size).groups()
    return int(number) * {"": 1 / 2**20, "K": 1 / 1024, "M": 1, "G": 1024, "T": 2**20}[unit]


def test_memory_max_leaves_room_for_the_reading_workers_and_the_service():
    assert megabytes(one("MemoryMax")) >= READING_WORKERS * ReadingLimits().worker_memory_mb + 512


def test_the_service_runs_as_its_own_user_writing_only_its_data_directory():
    assert (one("User"), one("Group")) == ("intake", "intake")
    assert one("ReadWritePaths") == DATA_DIR == one("WorkingDirectory")
    assert one("StateDirectory") == Path(DATA_DIR).name
    assert f"HOME={DATA_DIR}" in SERVICE["Environment"]  # LibreOffice and fontconfig write under HOME
    assert one("EnvironmentFile") == "/etc/intake/intake.env"
    for key, value in {"Restart": "on-failure", "ProtectSystem": "strict", "ProtectHome": "yes",
                       "PrivateTmp": "yes", "NoNewPrivileges": "yes", "ProtectKernelTunables": "yes"}.items():
        assert one(key) == value, key
