"""Long runs show a progress bar on a terminal, and never when a script reads the output."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from ingest.samples.mails import MailSpec, build_mail
from ingest.cli.sources import count_messages

INTAKE = [sys.executable, "-c", "from ingest.cli.main import main; main()"]


def _inbox(tmp_path: Path, n: int = 3) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(n):
        raw = build_mail(MailSpec(subject=f"西湖区社区学院+智慧助老材料+{i}个", sender=("西湖区社区学院", f"unit{i}@163.com"),
                                  message_id=f"<progress-{i}@163.com>"))
        (inbox / f"{i}.eml").write_bytes(raw)
    return inbox


def _run_with_terminal_stderr(args: list[str], cwd: Path) -> tuple[str, str]:
    """Run intake with stderr on a pseudo-terminal (as at a coordinator's shell); return (stdout, stderr)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    process = subprocess.Popen(INTAKE + args, cwd=cwd, stdout=subprocess.PIPE, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    stdout = process.stdout.read().decode()
    process.wait(timeout=60)
    os.close(leader)
    return stdout, b"".join(chunks).decode(errors="replace")


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "intake.toml"
    config.write_text(f'[storage]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n', encoding="utf-8")
    return config


def test_ingest_on_a_terminal_draws_a_bar_with_the_message_count(tmp_path):
    inbox = _inbox(tmp_path)
    _, stderr = _run_with_terminal_stderr(["ingest", str(inbox), "--config", str(_config(tmp_path))], tmp_path)
    assert "处理邮件" in stderr
    assert "3/3" in stderr


def test_ingest_json_on_a_terminal_prints_only_the_rows(tmp_path):
    inbox = _inbox(tmp_path)
    stdout, stderr = _run_with_terminal_stderr(
        ["ingest", str(inbox), "--json", "--config", str(_config(tmp_path))], tmp_path)
    assert "处理邮件" not in stderr
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert len(rows) == 3


def test_ingest_without_a_terminal_draws_nothing(tmp_path):
    inbox = _inbox(tmp_path)
    done = subprocess.run(INTAKE + ["ingest", str(inbox), "--config", str(_config(tmp_path))], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "处理邮件" not in done.stderr


def test_count_messages_counts_folders_mboxes_and_maildirs_without_reading_them(tmp_path):
    inbox = _inbox(tmp_path, 4)
    assert count_messages(inbox) == 4
    mbox = tmp_path / "归档.mbox"
    mbox.write_bytes(b"".join(b"From unit@163.com Thu Apr 21 10:00:00 2022\n" + (inbox / f"{i}.eml").read_bytes()
                              + b"\n" for i in range(4)))
    assert count_messages(mbox) == 4
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.eml").write_bytes((inbox / "0.eml").read_bytes())
    assert count_messages(maildir) == 1
    assert count_messages(inbox / "0.eml") == 1


def test_reprocess_all_on_a_terminal_draws_a_bar(tmp_path):
    inbox, config = _inbox(tmp_path), str(_config(tmp_path))
    subprocess.run(INTAKE + ["ingest", str(inbox), "--config", config], cwd=tmp_path, capture_output=True,
                   check=True, timeout=120)
    stdout, stderr = _run_with_terminal_stderr(["reprocess", "--all", "--config", config], tmp_path)
    assert "已重新审核 3 封来信" in stdout
    assert "重新审核" in stderr and "3/3" in stderr
