"""Mutated submissions never make ingest raise, always leave the raw mail stored, and are answered at most once."""

from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from sqlmodel import Session, select

from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form, build_course_form
from ingest.samples.mails import MailSpec, build_mail, gbk_zip
from storage.models import OutgoingRecord
from tests.support.settings import folder_settings

UNIT = "杭州市西湖区社区学院"
CASE = build_case_form(name="“银龄触网”智能手机应用进社区", unit=UNIT)
SEEDS = [
    build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", attachments=[(f"{UNIT}+案例.docx", CASE)])),
    build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+2个", filename_style="raw", transfer="quoted-printable",
                        body="课程视频：https://pan.baidu.com/s/1AbCdEfGhIjKlMnOpQrStUv 提取码：a1b2",
                        attachments=[(f"{UNIT}.zip", gbk_zip([(f"{UNIT}+案例.docx", CASE),
                                                              (f"{UNIT}+课程资源.docx", build_course_form(unit=UNIT))]))])),
]
HEADER_LINES = [b"Subject: =?gbk?b?1sfKusH6wc/Qxw==?=\r\n", b"Content-Type: multipart/mixed; boundary=\"\"\r\n",
                b"From: =?utf-8?b?YQpi?= <not an address>\r\n", b"Content-Transfer-Encoding: base64\r\n",
                b"Date: 31 Feb 2022 25:61:00 +9999\r\n", b"Message-ID: <>\r\n", b"\r\n\r\n", b"--\r\n"]


@st.composite
def mutated(draw) -> bytes:
    """A seed submission with some of: flipped bytes, a cut, a stray or broken header line, a repeated chunk."""
    raw = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(raw) - 1))
        raw[at] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(raw)))
        raw[at:at] = draw(st.sampled_from(HEADER_LINES))
    if draw(st.booleans()):
        start = draw(st.integers(0, len(raw) - 1))
        raw[start:start] = raw[start:start + draw(st.integers(1, 4000))]
    if draw(st.booleans()):
        raw = raw[:draw(st.integers(0, len(raw)))]
    return bytes(raw)


def _replies_for(pipeline: Pipeline, raw_sha: str) -> int:
    with Session(pipeline.db.engine) as session:
        return len(session.exec(select(OutgoingRecord).where(OutgoingRecord.key.startswith(f"auto:{raw_sha}"))).all())


def test_mutated_submissions_never_raise_are_stored_and_answered_at_most_once(tmp_path_factory):
    pipeline = Pipeline(folder_settings(tmp_path_factory.mktemp("fuzz")))

    @hypothesis_settings(max_examples=60, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(raw=mutated())
    def check(raw: bytes) -> None:
        sha = hashlib.sha256(raw).hexdigest()
        first = pipeline.process(raw, "fuzz.eml")
        assert first.status in ("accepted", "defective", "ignored", "duplicate", "error")
        assert pipeline.files.path(sha).read_bytes() == raw
        again = pipeline.process(raw, "fuzz-again.eml")
        assert again.status in ("duplicate", "error")
        assert _replies_for(pipeline, sha) <= 1

    check()
