"""Ingest speed: 200 Word-only submissions through the whole pipeline, against a floor.

The floor is what no intake can avoid: the stdlib parsing each message and
python-docx loading each attached form, measured on the same messages in the
same run. The pipeline adds storage, classification, rules, the database
and the reply; the ratio says what that costs.

Run: .venv/bin/python bench/throughput.py [--messages 200]
"""

from __future__ import annotations

import argparse
import email
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docx  # noqa: E402

from ingest.config.settings import load_settings  # noqa: E402
from ingest.core.pipeline import Pipeline  # noqa: E402
from ingest.samples.forms import build_case_form, build_course_form, build_project_form  # noqa: E402
from ingest.samples.mails import MailSpec, build_mail  # noqa: E402

DISTRICTS = ["西湖区", "上城区", "拱墅区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区", "富阳区", "临安区"]


def make_messages(count: int) -> list[bytes]:
    builders = [build_case_form, build_project_form, build_course_form]
    messages = []
    for i in range(count):
        unit = f"杭州市{DISTRICTS[i % len(DISTRICTS)]}社区学院第{i}分校"
        forms = [(f"{unit}+{label}.docx", build(unit=unit))
                 for label, build in zip(("案例", "培训项目", "课程资源"), builders)][: 1 + i % 3]
        messages.append(build_mail(MailSpec(subject=f"{unit}+智慧助老材料+{len(forms)}个", attachments=forms,
                                            message_id=f"<bench-{i}@163.com>",
                                            body="附件为申报表。课程视频：https://pan.baidu.com/s/1Xk9fRt2LmQpZ7vWcYb3NaH 提取码：a1b2")))
    return messages


def floor(messages: list[bytes]) -> float:
    start = time.perf_counter()
    for raw in messages:
        for part in email.message_from_bytes(raw).walk():
            if part.get_filename():
                docx.Document(io.BytesIO(part.get_payload(decode=True)))
    return time.perf_counter() - start


def pipeline(messages: list[bytes]) -> tuple[float, dict[str, int]]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(None, db=f"sqlite:///{tmp}/bench.sqlite", outbox=Path(tmp) / "outbox")
        settings.data_dir = Path(tmp) / "data"
        runner = Pipeline(settings)
        statuses: dict[str, int] = {}
        start = time.perf_counter()
        for i, raw in enumerate(messages):
            status = runner.process(raw, f"bench-{i}.eml").status
            statuses[status] = statuses.get(status, 0) + 1
        return time.perf_counter() - start, statuses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    messages = make_messages(args.messages)
    floor_s = floor(messages)
    pipe_s, statuses = pipeline(messages)
    n = len(messages)
    print(f"messages: {n}, statuses: {statuses}")
    print(f"floor (stdlib email + python-docx): {floor_s:.2f} s, {n / floor_s:.1f} msgs/s")
    print(f"intake pipeline:                   {pipe_s:.2f} s, {n / pipe_s:.1f} msgs/s")
    print(f"msgs_per_s={n / pipe_s:.1f} floor_msgs_per_s={n / floor_s:.1f} ratio_vs_floor={pipe_s / floor_s:.2f}")


if __name__ == "__main__":
    main()
