"""A submission inside an archive, winmail.dat or attached mail is judged like its plain twin.

Each clean container yields the same materials and fields as the same files
attached plainly; each broken one gets exactly one ATTACHMENT_UNREADABLE that
names the file, and the rest of the message is still judged.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.cli.main import main
from ingest.core.pipeline import Pipeline
from tests.support.archives import seven_zip, zipcrypto_zip
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail, gbk_zip
from tests.support.outlook import build_tnef
from ingest.samples.paper import to_jpeg
from ingest.samples.scans import render_form_page, text_pdf

UNIT = "杭州市西湖区社区学院"
NAME = "“银龄触网”智能手机应用进社区"
WORD = f"{UNIT}+案例.docx"
SCAN = f"{UNIT}+案例盖章扫描件.pdf"
RAR = Path(__file__).resolve().parents[2] / "data" / "archives"
_COUNTER = iter(range(1, 10_000))


@pytest.fixture(scope="module")
def files() -> list[tuple[str, bytes]]:
    return [(WORD, build_case_form(name=NAME, unit=UNIT)), (SCAN, text_pdf("case", NAME, UNIT, seal=True))]


def _mail(attachments, body="老师您好，附件为我单位智慧助老材料，请查收。") -> bytes:
    return build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", body=body, attachments=attachments,
                               date=datetime(2022, 4, 20, 10, 30, tzinfo=CST),
                               message_id=f"<containers-{next(_COUNTER)}@163.com>"))


def _judged(settings, raw: bytes):
    outcome = Pipeline(settings).process(raw, "inbox/1.eml")
    materials = sorted((m.kind, m.filename, m.fields.get("案例名称"), m.unreadable) for m in outcome.submission.materials)
    return outcome, materials


def _eml(files) -> bytes:
    return build_mail(MailSpec(subject="转发：西湖区材料", body="请查收", attachments=files))


CLEAN = {
    "7z": lambda f: ([("材料.7z", seven_zip(f))], ""),
    "7z encrypted names": lambda f: ([("材料.7z", seven_zip(f, "7z", "Xh2022", encrypt_names=True))],
                                     "解压密码：Xh2022"),
    "AES zip": lambda f: ([("材料.zip", seven_zip(f, "zip", "Xh2022"))], "压缩包密码为 Xh2022，谢谢"),
    "ZipCrypto zip": lambda f: ([("材料.zip", zipcrypto_zip(f, "西湖2022"))], "密码是：西湖2022"),
    "zip in 7z": lambda f: ([("材料.7z", seven_zip([("内层材料.zip", gbk_zip(f))]))], ""),
    "zip named rar": lambda f: ([("材料.rar", gbk_zip(f))], ""),
    "winmail.dat": lambda f: ([("winmail.dat", build_tnef(f, body="附件请查收"))], ""),
    "attached eml": lambda f: ([("原邮件.eml", _eml(f))], ""),
    "pdf without extension": lambda f: ([f[0], (SCAN.removesuffix(".pdf"), f[1][1])], ""),
}


@pytest.mark.parametrize("container", sorted(CLEAN))
def test_clean_submission_in_a_container_is_accepted_like_its_plain_twin(settings, files, container):
    attachments, body = CLEAN[container](files)
    twin, twin_materials = _judged(settings, _mail(files))
    outcome, materials = _judged(settings, _mail(attachments, body=body or "请查收。"))
    assert outcome.status == "accepted", [d.message for d in outcome.defects]
    assert [(k, t) for k, _, t, _ in materials] == [(k, t) for k, _, t, _ in twin_materials]
    assert [m.fields for m in outcome.submission.forms()] == [m.fields for m in twin.submission.forms()]


def test_scan_sent_as_pdf_that_is_really_a_jpeg_is_read_as_a_scan(settings, files):
    photo = to_jpeg(render_form_page("case", NAME, UNIT), 85)
    outcome, materials = _judged(settings, _mail([files[0], (SCAN, photo)]))
    assert outcome.status == "accepted", [d.message for d in outcome.defects]
    assert ("scan", SCAN) in [(k, n) for k, n, _, _ in materials]


BROKEN = {
    "encrypted 7z, no password": (lambda f: ("材料.7z", seven_zip(f, "7z", "Xh2022")), "请查收。", "没有找到解压密码"),
    "AES zip, wrong password": (lambda f: ("材料.zip", seven_zip(f, "zip", "Xh2022")), "解压密码：123456",
                                "给出的解压密码"),
    "encrypted RAR5": (lambda f: ("材料.rar", (RAR / "rar5_encrypted.rar").read_bytes()), "解压密码：1234",
                       "RAR"),
    "truncated 7z": (lambda f: ("材料.7z", seven_zip(f)[:300]), "请查收。", "损坏"),
    "zip bomb": (lambda f: ("材料.zip", gbk_zip([("说明.txt", bytes(64 * 1024 * 1024))])), "请查收。", "倍"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_container_gets_one_clear_unreadable_notice_and_the_rest_is_still_judged(settings, files, case):
    build, body, words = BROKEN[case]
    name, data = build(files)
    outcome, materials = _judged(settings, _mail([*files, (name, data)], body=body))
    [defect] = [d for d in outcome.defects if d.severity == "error"]
    assert (defect.code, defect.where) == ("ATTACHMENT_UNREADABLE", name)
    assert name in defect.message and words in defect.message
    assert ("case", WORD, NAME, None) in materials  # the plain files beside it are read as usual


def test_archive_limits_come_from_the_configuration(tmp_path, files):
    blob = bytes(range(256)) * 8192  # 2 MiB that does not compress away
    raw = _mail([*files, ("照片.zip", gbk_zip([("活动照片.bin", blob)]))])
    (tmp_path / "1.eml").write_bytes(raw)
    config = tmp_path / "征集.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n\n[archives]\nmax_total_mb = 1\n', "utf-8")
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "1.eml"), "--json", "--config", str(config),
                                       "--outbox", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    row = json.loads(result.output.strip().splitlines()[-1])
    assert [(d["code"], d["where"]) for d in row["defects"] if d["severity"] == "error"] == [
        ("ATTACHMENT_UNREADABLE", "照片.zip")]
    assert "压缩包解压后超过 1 MB" in row["defects"][0]["message"] or any(
        "压缩包解压后超过 1 MB" in d["message"] for d in row["defects"])
