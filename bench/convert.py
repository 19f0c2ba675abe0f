"""Benchmark of the warm LibreOffice converter against one soffice start per file.

Builds Word 97 .doc forms (the three kinds, different names and units) with
LibreOffice, then converts the very same files to .docx twice in this run:

- floor: ``soffice --headless --convert-to docx`` once per file, the common
  way (and what intake did before), with a profile that already exists so the
  floor pays only for the start, not for creating the profile;
- ours: ``parsers.doc_convert.convert`` through the warm server of
  parsers/office_server.py; its one-time start is reported on its own.

Every converted file must read back as its form. Ends with one line of
key=value pairs. Run: ``python -m bench.convert [forms]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from ingest.samples.forms import build_case_form, build_course_form, build_project_form
from tests.support.office import office_save
from parsers import doc_convert, office_server
from parsers.word import read_word

BUILDERS = {"case": build_case_form, "project": build_project_form, "course": build_course_form}
UNITS = ["杭州市西湖区社区学院", "宁波市鄞州区社区学院", "温州市鹿城区五马街道社区教育学校", "嘉兴市平湖市老年开放大学"]


def build(count: int) -> dict[str, bytes]:
    kinds = list(BUILDERS)
    docx = {f"form{i:02d}-{kinds[i % 3]}.docx": BUILDERS[kinds[i % 3]](unit=UNITS[i % len(UNITS)])
            for i in range(count)}
    return office_save(docx, "doc")


def cold(docs: dict[str, bytes], tmp: Path) -> float:
    """Seconds per file, one soffice per file, profile made beforehand."""
    first = tmp / "warmup.doc"
    first.write_bytes(next(iter(docs.values())))
    doc_convert.convert_cold(first, tmp / "warmup", "warmup.doc")  # creates tmp/profile, untimed
    start = time.perf_counter()
    for name, data in docs.items():
        source = tmp / name
        source.write_bytes(data)
        doc_convert.convert_cold(source, tmp / "out", name)
        assert (tmp / "out" / (source.stem + ".docx")).exists(), name
    return (time.perf_counter() - start) / len(docs)


def warm(docs: dict[str, bytes]) -> tuple[float, float]:
    """(server start seconds, seconds per file once warm); every result must read as its form."""
    server = office_server.server()
    start = time.perf_counter()
    doc_convert.convert(next(iter(docs.values())), "start.doc", ".doc")
    started = time.perf_counter() - start
    start = time.perf_counter()
    results = {name: doc_convert.convert(data, name, ".doc") for name, data in docs.items()}
    per_file = (time.perf_counter() - start) / len(docs)
    assert server.starts == 1, "the server restarted during the run"
    for name, data in results.items():
        form = read_word(data, name.replace(".doc", ".docx")).form
        assert form is not None and form.kind == name.split("-")[1].split(".")[0], name
    return started, per_file


def main(count: int = 12) -> None:
    docs = build(count)
    with tempfile.TemporaryDirectory(prefix="intake-bench-convert-") as tmp:
        floor = cold(docs, Path(tmp))
    started, ours = warm(docs)
    print(f"{count} 份 .doc 申报表：冷启动 soffice 每份 {floor:.2f} 秒，常驻转换服务每份 {ours:.2f} 秒"
          f"（服务启动一次 {started:.2f} 秒）")
    print(f"s_per_doc={ours:.3f} cold_s_per_doc={floor:.3f} ratio_vs_floor={ours / floor:.3f} "
          f"warm_start_s={started:.2f} docs={count}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 12)
