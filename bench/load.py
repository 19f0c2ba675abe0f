"""Load: 1,000 submissions through the live path (Dovecot → intake run → SMTP sink), against a floor.

The mix a season brings: Word-only mail (one to three forms), Word with the
stamped scan, zips of a district's forms, defective mail — plus one message
carrying a 50 MB video and one carrying a zip bomb (1 GiB of zeros in a
1 MB zip). `intake run --once` runs as its own process, so its peak RSS is
its own (the worker processes it starts for scans, Tesseract and
LibreOffice are not counted). The floor, measured in the same run, is `intake ingest` of the
same messages from a folder (no IMAP, nothing sent): the ratio is what
fetching, flagging and sending cost on top of judging.

Run: .venv/bin/python bench/load.py [--messages 1000]
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller  # noqa: E402
from imapclient import IMAPClient  # noqa: E402

from ingest.samples.forms import build_case_form, build_course_form, build_project_form  # noqa: E402
from tests.support.imap_server import PASSWORD, dovecot, free_port  # noqa: E402
from ingest.samples.mails import MailSpec, build_mail, gbk_zip  # noqa: E402
from ingest.samples.paper import scanned, to_pdf  # noqa: E402
from ingest.samples.scans import render_form_pages  # noqa: E402
from rules import clock  # noqa: E402

INTAKE = [sys.executable, "-c", "from ingest.cli.main import main; main()"]
CITIES = ["沈阳市", "大连市", "鞍山市", "抚顺市", "本溪市", "丹东市", "锦州市", "营口市", "阜新市", "辽阳市"]
SCAN_VARIANTS = 10  # distinct stamped scans, shared round-robin (OCR of each is cached by content)


class Sink:
    """Counts replies and remembers when the last one arrived."""

    def __init__(self):
        self.count = 0
        self.last_at = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            self.last_at = time.perf_counter()
        return "250 OK"


def zip_bomb() -> bytes:
    """1 GiB of zeros in about 1 MB: declared sizes tell the truth, the ratio gives it away."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("申报材料.docx", "w", force_zip64=True) as member:
            chunk = bytes(1 << 20)
            for _ in range(1024):
                member.write(chunk)
    return buffer.getvalue()


def messages(count: int) -> list[bytes]:
    builders = [("案例", build_case_form, "case"), ("培训项目", build_project_form, "project"),
                ("课程资源", build_course_form, "course")]
    scans = [to_pdf([scanned(page) for page in render_form_pages("case", f"智慧助老案例{n}", "辽宁省社区学院")])
             for n in range(SCAN_VARIANTS)]
    out = []
    for i in range(count):
        unit = f"{CITIES[i % len(CITIES)]}第{i}社区学校"
        forms = [(f"{unit}+{label}.docx", build(unit=unit, name=f"{unit}{label}{i}"))
                 for label, build, _ in builders][: 1 + i % 3]
        kind = i % 20
        subject = f"{unit}+智慧助老材料+{len(forms)}个"
        if kind < 8:  # Word only
            attachments = forms
        elif kind < 13:  # Word with the stamped scan
            attachments = forms[:1] + [(f"{unit}+案例盖章扫描件.pdf", scans[i % SCAN_VARIANTS])]
        elif kind < 18:  # the district's forms in a zip
            attachments = [(f"{unit}.zip", gbk_zip(forms))]
        else:  # defective: no count in the subject, no attachments
            subject, attachments = f"{unit}智慧助老材料", []
        out.append(build_mail(MailSpec(subject=subject, sender=(unit, f"school{i}@163.com"),
                                       message_id=f"<load-{i}@163.com>", date=clock.now(), attachments=attachments,
                                       body="附件为申报材料。课程视频：https://pan.baidu.com/s/1Xk9fRt2LmQpZ7vWcYb3NaH 提取码：a1b2")))
    big = os.urandom(50 * 1024 * 1024)
    out.append(build_mail(MailSpec(subject="辽阳市社区学院+智慧助老材料+1个", sender=("辽阳", "big@163.com"),
                                   message_id="<load-big@163.com>", date=clock.now(),
                                   attachments=[("辽阳市社区学院+案例.docx", build_case_form()), ("课程视频.mp4", big)])))
    out.append(build_mail(MailSpec(subject="铁岭市社区学院+智慧助老材料+1个", sender=("铁岭", "bomb@163.com"),
                                   message_id="<load-bomb@163.com>", date=clock.now(),
                                   attachments=[("铁岭市社区学院.zip", zip_bomb())])))
    return out


def config(base: Path, imap_port: int | None = None, user: str = "", smtp_port: int = 0) -> Path:
    """The run's configuration; without `imap_port`, only storage and the campaign (for the floor)."""
    base.mkdir(parents=True, exist_ok=True)
    path = base / "load.toml"
    storage = f"""
[campaign]
batches = [{{ name = "第一批", deadline = "2099-12-31" }}]

[reply]
coordinators = []

[storage]
data_dir = "{(base / 'data').as_posix()}"
database_url = "sqlite:///{(base / 'intake.sqlite').as_posix()}"
"""
    if imap_port is None:
        path.write_text(storage, encoding="utf-8")
        return path
    path.write_text(storage + f"""
[[mailboxes]]
name = "压力测试邮箱"
host = "127.0.0.1"
port = {imap_port}
security = "none"
user = "{user}"
password_env = "INTAKE_IMAP_PASSWORD"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
max_per_recipient_per_hour = 1000000
""", encoding="utf-8")
    return path


def timed(args: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one intake process.

    The peak is the process's own high-water mark (VmHWM), sampled until it
    exits. Not `wait4`'s ru_maxrss: a child forked from this benchmark, which
    holds every generated message in memory, is charged with our size
    before it execs, and that hid the intake's own figure.
    """
    started = time.perf_counter()
    process = subprocess.Popen(INTAKE + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _high_water_kb(process.pid))
        time.sleep(0.05)
    if process.returncode != 0:
        raise SystemExit(f"intake {' '.join(args[:1])} failed")
    return time.perf_counter() - started, peak / 1024


def _high_water_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # it has just exited
        return 0
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    mails = messages(args.messages)
    os.environ["INTAKE_IMAP_PASSWORD"] = PASSWORD
    sink, smtp_port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        with dovecot() as server, tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp)
            folder = base / "inbox"
            folder.mkdir()
            for n, raw in enumerate(mails):
                (folder / f"{n:05d}.eml").write_bytes(raw)
            floor_s, floor_rss = timed(["ingest", str(folder), "--config", str(config(base / "floor")),
                                        "--outbox", str(base / "floor-outbox")])
            user = server.account()
            client = IMAPClient("127.0.0.1", port=server.port, ssl=False)
            client.login(user, PASSWORD)
            for raw in mails:
                client.append("INBOX", raw)
            client.logout()
            started = time.perf_counter()
            live_s, live_rss = timed(["run", "--once", "--config", str(config(base / "live", server.port, user,
                                                                              smtp_port))])
            last_reply = sink.last_at - started
    finally:
        controller.stop()
    n = len(mails)
    print(f"messages: {n} (incl. one with a 50 MB video and one zip bomb); replies at the sink: {sink.count}")
    print(f"floor (intake ingest of a folder): {floor_s:.1f} s, peak RSS {floor_rss:.0f} MB")
    print(f"live (Dovecot → intake run --once → SMTP): {live_s:.1f} s, {n / live_s * 60:.0f} msgs/min, "
          f"peak RSS {live_rss:.0f} MB, last reply after {last_reply:.1f} s")
    print(f"msgs_per_min={n / live_s * 60:.0f} peak_rss_mb={live_rss:.0f} last_reply_s={last_reply:.1f} "
          f"replies={sink.count} ratio_vs_floor={live_s / floor_s:.2f}")


if __name__ == "__main__":
    main()
