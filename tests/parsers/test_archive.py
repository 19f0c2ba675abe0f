"""Archives of every kind offices send open into their files, within limits, with the mail's password."""

from __future__ import annotations

import bz2
import gzip
import io
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.support.archives import seven_zip, zipcrypto_zip
from ingest.samples.mails import MailSpec, build_mail, gbk_zip
from parsers.archive import unpack
from parsers.archive_base import MAX_MESSAGE_TRIES, ArchiveLimits
from parsers.archive_formats import RAR_ENCRYPTED
from parsers.email import parse_message
from parsers.facts import UnreadableFile
from parsers.passwords import MAX_CANDIDATES

DATA = Path(__file__).resolve().parents[1] / "data" / "archives"
SUBJECT = "杭州市西湖区社区学院+智慧助老材料+1个"
FORM = ("西湖区社区学院+案例.docx", "案例申报表正文".encode() * 50)
SCAN = ("扫描件/西湖区社区学院+案例盖章扫描件.pdf", b"%PDF-1.4 scan")


def _mail(name: str, data: bytes, body: str = "附件为我单位材料，请查收。", subject: str = SUBJECT,
          **spec) -> bytes:
    return build_mail(MailSpec(subject=subject, body=body, attachments=[(name, data)], **spec))


def _files(raw: bytes, limits: ArchiveLimits | None = None) -> list[tuple[str, bytes, str | None]]:
    return [(a.filename, a.data, a.problem) for a in parse_message(raw, limits).attachments]


def _tar_gz(files) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_rar4_members_with_unicode_names_in_folders_are_read():
    members = {m.path: m.data for m in unpack((DATA / "rar4_unicode.rar").read_bytes(), ".rar")}
    assert members["表だよ/漢字長いファイル名long-filename-in-漢字.txt"] == b"kanji"
    assert members["abcdefghijklmnopqrsテスト.txt"] == b"aaaaaaaaaaaaaaa\n"
    assert "表だよ/新しいフォルダ" not in members  # folders are not files


def test_rar5_members_are_read_and_a_symlink_is_not_a_file():
    members = {m.name: m.data for m in unpack((DATA / "rar5_unicode.rar").read_bytes(), ".rar")}
    assert members == {"👋🌎.txt": b"Hello, world!", "Ⓗⓐⓡⓓ Ⓛⓘⓝⓚ.txt": b""}


def test_zip_stored_inside_a_rar5_is_opened_as_a_nested_archive():
    raw = _mail("材料.rar", (DATA / "rar5_zip_in_rar.rar").read_bytes())
    files = _files(raw)
    assert [(n, d) for n, d, _ in files] == [("THIS_IS_INSIDE_THE_ZIP.txt", b"inner content"),
                                             ("real_after.txt", b"i am a real rar entry")]
    assert [a.origin for a in parse_message(raw).attachments] == ["zip:inner.zip", "rar:材料.rar"]


@pytest.mark.parametrize("name", ["rar4_encrypted.rar", "rar5_encrypted.rar"])
def test_encrypted_rar_is_unreadable_with_a_clear_reason(name):
    [(filename, _, problem)] = _files(_mail("材料.rar", (DATA / name).read_bytes(), body="解压密码：1234"))
    assert filename == "材料.rar" and problem == RAR_ENCRYPTED


def test_rar_sent_with_a_zip_name_is_read_as_rar():
    files = _files(_mail("材料.zip", (DATA / "rar4_unicode.rar").read_bytes()))
    assert ("漢字長いファイル名long-filename-in-漢字.txt", b"kanji", None) in files


def test_7z_written_by_7zip_with_chinese_names_is_unpacked():
    archive = seven_zip([FORM, SCAN])
    assert sorted(_files(_mail("西湖区材料.7z", archive))) == [("西湖区社区学院+案例.docx", FORM[1], None),
                                                             ("西湖区社区学院+案例盖章扫描件.pdf", SCAN[1], None)]


@pytest.mark.parametrize("body", ["解压密码：Xh2022", "压缩包密码 Xh2022", "密码为Xh2022谢谢！", "密码是：【Xh2022】",
                                  "解压密码:Ｘｈ２０２２"])
@pytest.mark.parametrize("fmt,names", [("7z", False), ("7z", True), ("zip", False)])
def test_encrypted_archive_opens_with_the_password_written_in_the_body(body, fmt, names):
    archive = seven_zip([FORM], fmt, password="Xh2022", encrypt_names=names)
    assert _files(_mail(f"材料.{fmt}", archive, body=body)) == [(FORM[0], FORM[1], None)]


def test_zipcrypto_zip_with_a_chinese_password_in_the_subject_opens():
    archive = zipcrypto_zip([FORM], "西湖2022")
    raw = _mail("材料.zip", archive, body="请查收。", subject=SUBJECT + "（解压密码：西湖2022）")
    assert _files(raw) == [(FORM[0], FORM[1], None)]


def test_password_in_an_html_only_body_after_the_attachment_is_used():
    archive = seven_zip([FORM], "7z", password="abc888")
    raw = build_mail(MailSpec(subject=SUBJECT, html="<p>各位老师好：</p><p>压缩包密码：<b>abc888</b></p>",
                              attachments=[("材料.7z", archive)]))
    raw = _body_after_attachments(raw)
    assert _files(raw) == [(FORM[0], FORM[1], None)]


def _body_after_attachments(raw: bytes) -> bytes:
    """The same mail with its body part moved behind the attachments in the MIME tree."""
    import email
    import email.policy

    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    parts = message.get_payload()
    message.set_payload(parts[1:] + parts[:1])
    out = message.as_bytes()
    assert out.index(b"abc888" if b"abc888" in out else b"text/html") > out.index(b"7z")
    return out


def test_encrypted_archive_without_a_password_asks_for_one():
    [(name, _, problem)] = _files(_mail("材料.7z", seven_zip([FORM], "7z", password="abc888")))
    assert name == "材料.7z" and "没有找到解压密码" in problem and "不加密" in problem


def test_wrong_password_says_the_given_password_did_not_open_it():
    [(name, _, problem)] = _files(_mail("材料.zip", seven_zip([FORM], "zip", password="abc888"), body="解压密码：123456"))
    assert name == "材料.zip" and "给出的解压密码" in problem and "123456" in problem


def test_archives_nest_up_to_the_configured_depth():
    inner = gbk_zip([FORM])
    middle = seven_zip([("内层.zip", inner)])
    outer = gbk_zip([("第二层.7z", middle)])
    assert _files(_mail("材料.zip", outer), ArchiveLimits(max_depth=3)) == [(FORM[0], FORM[1], None)]
    [(name, _, problem)] = _files(_mail("材料.zip", outer), ArchiveLimits(max_depth=2))
    assert name == "内层.zip" and "嵌套超过 2 层" in problem and "在《第二层.7z》中" in problem


def test_total_size_limit_counts_every_nesting_level_and_names_the_attached_file():
    blob = bytes(range(256)) * 4096  # 1 MiB that does not compress away
    inner = gbk_zip([("a.bin", blob), ("b.bin", blob[::-1])])
    outer = gbk_zip([("内层.zip", inner), ("c.bin", blob)])
    raw = build_mail(MailSpec(subject=SUBJECT, attachments=[("材料.zip", outer), (FORM[0], FORM[1])]))
    files = _files(raw, ArchiveLimits(max_total_mb=2))
    assert files[0][0] == "材料.zip" and files[0][2].startswith("压缩包解压后超过 2 MB")
    assert files[1:] == [(FORM[0], FORM[1], None)]  # the rest of the message is still there
    assert len(_files(raw, ArchiveLimits(max_total_mb=4))) == 4


def test_zip_bomb_is_stopped_by_the_ratio_limit():
    bomb = gbk_zip([("zeros.txt", bytes(40 * 1024 * 1024))])
    assert len(bomb) < 100_000
    [(name, _, problem)] = _files(_mail("材料.zip", bomb))
    assert name == "材料.zip" and "倍" in problem


def _lying_zip(declared: int, actual: bytes) -> bytes:
    """A zip whose member headers claim `declared` bytes while the data holds `actual` (a bomb that hides)."""
    archive = gbk_zip([("申报材料.docx", actual)])
    size = len(actual).to_bytes(4, "little")
    return archive.replace(size, declared.to_bytes(4, "little"))  # in the local header and the central directory


@pytest.mark.parametrize("packer", [gbk_zip, lambda files: seven_zip(files)], ids=["zip", "7z"])
def test_a_bomb_that_declares_its_size_is_refused_before_anything_is_unpacked(packer):
    import tracemalloc

    bomb = packer([("申报材料.docx", bytes(600 * 1024 * 1024))])
    assert len(bomb) < 2_000_000
    tracemalloc.start()
    try:
        [(name, _, problem)] = _files(_mail("材料.zip" if packer is gbk_zip else "材料.7z", bomb))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert name.startswith("材料.") and ("超过 500 MB" in problem or "倍" in problem)
    assert peak < 60 * 1024 * 1024, f"{peak / 2**20:.0f} MB were held to refuse it"


def test_a_bomb_that_understates_its_size_is_still_stopped_while_unpacking():
    bomb = _lying_zip(1000, bytes(40 * 1024 * 1024))
    [(name, _, problem)] = _files(_mail("材料.zip", bomb))
    assert name == "材料.zip" and problem is not None


def test_member_count_limit():
    archive = gbk_zip([(f"照片{i}.jpg", b"\xff\xd8\xff" + bytes([i])) for i in range(12)])
    [(name, _, problem)] = _files(_mail("照片.zip", archive), ArchiveLimits(max_members=10))
    assert name == "照片.zip" and "超过 10 个" in problem


def test_tar_gz_tgz_bz2_and_single_gzip_files_are_unpacked():
    assert _files(_mail("材料.tar.gz", _tar_gz([FORM]))) == [(FORM[0], FORM[1], None)]
    assert _files(_mail("材料.tgz", _tar_gz([FORM]))) == [(FORM[0], FORM[1], None)]
    assert _files(_mail("西湖区社区学院+案例.docx.gz", gzip.compress(FORM[1]))) == [(FORM[0], FORM[1], None)]
    assert _files(_mail("西湖区社区学院+案例.docx.bz2", bz2.compress(FORM[1]))) == [(FORM[0], FORM[1], None)]


def test_zip_junk_from_macos_and_windows_is_skipped():
    archive = gbk_zip([FORM, ("__MACOSX/._西湖区社区学院+案例.docx", b"x"), ("Thumbs.db", b"x")])
    assert _files(_mail("材料.zip", archive)) == [(FORM[0], FORM[1], None)]


@pytest.mark.parametrize("data", [b"7z\xbc\xaf\x27\x1c\x00\x04 truncated", b"Rar!\x1a\x07\x01\x00 truncated",
                                  b"PK\x03\x04 truncated"])
def test_broken_archive_is_kept_with_a_problem_never_raised(data):
    [(name, _, problem)] = _files(_mail("材料.zip", data))
    assert name == "材料.zip" and "损坏" in problem


def test_unpack_raises_unreadable_for_a_truncated_real_7z():
    archive = seven_zip([FORM])
    with pytest.raises(UnreadableFile):
        unpack(archive[: len(archive) // 2], ".7z")


def test_docx_is_not_taken_for_an_archive():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    assert _files(_mail(FORM[0], buffer.getvalue())) == [(FORM[0], buffer.getvalue(), None)]


def test_wrong_password_that_passes_zipcrypto_check_byte_does_not_hide_the_right_one():
    archive = zipcrypto_zip([FORM], "right2022")
    lucky = next(p for p in (f"w{i}" for i in range(5000)) if _passes_check_byte(archive, p))
    raw = _mail("材料.zip", archive, body=f"解压密码：{lucky}\n如打不开请用压缩包密码：right2022")
    assert _files(raw) == [(FORM[0], FORM[1], None)]


def _passes_check_byte(archive: bytes, password: str) -> bool:
    with zipfile.ZipFile(io.BytesIO(archive)) as package:
        try:
            with package.open(package.infolist()[0], pwd=password.encode()) as member:
                member.read(1)
        except RuntimeError:  # "Bad password": the check byte told it apart
            return False
        except zlib.error:  # the check byte let it in; the data then is garbage
            return True
    return True


def test_every_single_gzip_file_of_a_message_is_unpacked_and_a_cut_one_is_reported():
    second = ("西湖区社区学院+案例盖章扫描件.pdf", b"%PDF-1.4 scan")
    raw = build_mail(MailSpec(subject=SUBJECT, attachments=[(FORM[0] + ".gz", gzip.compress(FORM[1])),
                                                            (second[0] + ".gz", gzip.compress(second[1])),
                                                            ("说明.txt.gz", gzip.compress(b"x" * 5000)[:20])]))
    files = _files(raw)
    assert files[:2] == [(FORM[0], FORM[1], None), (second[0], second[1], None)]
    assert files[2][0] == "说明.txt.gz" and "损坏" in files[2][2]


def _hostile_body(real: str) -> str:
    """About 150 KB of 密码 tokens (some 15,000 candidates unranked), the real password once after 解压密码."""
    lines = [f"第{i}项 密码{i * 7919 % 100_000:05d}x{i % 97}；" for i in range(5_000)]
    lines.insert(2_500, f"本邮件压缩包的解压密码：{real}")
    return "\n".join(lines)


@pytest.fixture
def tries(monkeypatch):
    """Passwords tried on real .7z archives, counted on the way to the real reader (which still runs)."""
    from parsers import archive_formats

    counted, real = [], archive_formats._read_7z

    def counting(data, password, budget):
        if password is not None:
            counted.append(password)
            assert len(counted) <= MAX_CANDIDATES * 4, "password tries unbounded"  # fails fast without the cap
        return real(data, password, budget)

    monkeypatch.setattr(archive_formats, "_read_7z", counting)
    return counted


def test_a_150_kb_body_of_password_tokens_still_opens_the_archive_within_the_cap(tries):
    body = _hostile_body("Kq7-2022")
    assert len(body.encode()) > 140_000
    archive = seven_zip([FORM], "7z", password="Kq7-2022")
    assert _files(_mail("西湖区材料.7z", archive, body=body)) == [(FORM[0], FORM[1], None)]
    assert 1 <= len(tries) <= MAX_CANDIDATES and tries[-1] == "Kq7-2022"


def test_wrong_passwords_are_tried_a_few_times_per_message_not_per_archive(tries):
    body = "\n".join(f"材料{i}.7z 的密码：wrong{i}" for i in range(MAX_CANDIDATES))
    archives = [(f"材料{i}.7z", seven_zip([(f"表{i}.docx", FORM[1])], "7z", password="Xh2022")) for i in range(6)]
    raw = build_mail(MailSpec(subject=SUBJECT, body=body, attachments=archives))
    problems = [problem for _, _, problem in _files(raw)]
    assert len(tries) <= MAX_MESSAGE_TRIES
    assert all("给出的解压密码" in p for p in problems[:4]) and "设有密码的压缩包过多" in problems[-1]
