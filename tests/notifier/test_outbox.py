"""The outbox folder and the SMTP sender, against a real local SMTP server."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from notifier.outbox import SmtpSender, write_outbox
from notifier.reply import ReplyIdentity, compose_reply
from parsers.facts import ApplicationForm, MailMessage, Material, SubjectInfo, Submission

CST = dt.timezone(dt.timedelta(hours=8))
UNIT = "嘉兴市南湖区社区学院"
TITLE = "“智享晚年”老年人数字素养提升培训"
PASSWORD = "xqzmlkwhbtdcbgej"  # the SMTP sink's password (tests/conftest.py)


def receipt():
    message = MailMessage(
        message_id="<20240521084512.3F2A@nhsqxy.example.cn>", subject=f"{UNIT}+智慧助老材料+1",
        sender="nhsqxy@163.com", sender_name="沈丽", date=dt.datetime(2024, 5, 21, 8, 45, tzinfo=CST))
    form = ApplicationForm(kind="project", title=TITLE, unit=UNIT)
    sub = Submission(message=message,
                     subject=SubjectInfo(raw=message.subject, unit=UNIT, keyword_found=True, declared_count=1),
                     materials=[Material("project", "附件3 典型教育培训项目申报表.docx", "f6", 40_960, form=form)],
                     batch="第一批")
    return compose_reply(sub, "accepted", [], ReplyIdentity(), now=dt.datetime(2024, 5, 21, 9, 0, tzinfo=CST))


def test_outbox_file_is_named_by_time_and_message_id_and_reads_back(tmp_path):
    msg = receipt()
    path = write_outbox(msg, tmp_path / "outbox")
    assert path.parent == tmp_path / "outbox"
    stamp, _, rest = path.name.partition("-")
    assert len(stamp) == len("20240521T010000000000Z") and stamp.endswith("Z")
    assert rest.endswith("example.org.cn.eml") and "<" not in rest and "@" not in rest
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["Message-ID"] == msg["Message-ID"]
    assert TITLE in parsed.get_body(("plain",)).get_content()


def test_outbox_leaves_no_temporary_files(tmp_path):
    first, second = write_outbox(receipt(), tmp_path), write_outbox(receipt(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.name, second.name])


def test_outbox_names_a_message_without_message_id(tmp_path):
    msg = receipt()
    del msg["Message-ID"]
    path = write_outbox(msg, tmp_path)
    assert path.suffix == ".eml" and len(path.stem.split("-", 1)[1]) == 32


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made on the spot."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def received(sink):
    assert len(sink.envelopes) == 1
    envelope = sink.envelopes[0]
    return envelope, message_from_bytes(envelope.content, policy=policy.default)


def test_smtp_sender_delivers_the_reply_to_the_submitter(smtp_server):
    sink, port = smtp_server()
    refused = SmtpSender(host="127.0.0.1", port=port, timeout=10).send(receipt())
    assert refused == {}
    envelope, parsed = received(sink)
    assert envelope.mail_from == "zhzl@example.org.cn"
    assert envelope.rcpt_tos == ["nhsqxy@163.com"]
    assert parsed["Subject"] == f"Re: {UNIT}+智慧助老材料+1"
    assert parsed["Auto-Submitted"] == "auto-replied"
    assert parsed["In-Reply-To"] == "<20240521084512.3F2A@nhsqxy.example.cn>"
    assert TITLE in parsed.get_body(("plain",)).get_content()
    assert TITLE in parsed.get_body(("html",)).get_content()


def test_smtp_sender_can_use_the_null_reverse_path(smtp_server):
    sink, port = smtp_server()
    SmtpSender(host="127.0.0.1", port=port, envelope_from="", timeout=10).send(receipt())
    envelope, _ = received(sink)
    assert envelope.mail_from in ("", "<>")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_sender_logs_in_with_the_password_from_the_environment(smtp_server, monkeypatch):
    sink, port = smtp_server(auth=True, auth_require_tls=False, auth_required=True)
    monkeypatch.setenv("INTAKE_SMTP_PASSWORD", PASSWORD)
    sender = SmtpSender(host="127.0.0.1", port=port, username="zhzl@example.org.cn", timeout=10)
    sender.send(receipt())
    assert sink.logins == ["zhzl@example.org.cn"]
    received(sink)


def test_smtp_sender_refuses_to_log_in_without_a_password(smtp_server, monkeypatch):
    sink, port = smtp_server(auth_require_tls=False)
    monkeypatch.delenv("INTAKE_SMTP_PASSWORD", raising=False)
    sender = SmtpSender(host="127.0.0.1", port=port, username="zhzl@example.org.cn", timeout=10)
    with pytest.raises(RuntimeError, match="INTAKE_SMTP_PASSWORD"):
        sender.send(receipt())
    assert sink.envelopes == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_smtp_sender_encrypts_the_connection(smtp_server, certificate, monkeypatch, mode):
    cert_path, key_path = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_path, key_path)
    # aiosmtpd only knows about STARTTLS when deciding whether AUTH is safe to offer.
    tls_kwargs = ({"tls_context": server_tls, "require_starttls": True} if mode == "starttls"
                  else {"ssl_context": server_tls, "auth_require_tls": False})
    sink, port = smtp_server(auth=True, auth_required=True, **tls_kwargs)
    monkeypatch.setenv("INTAKE_SMTP_PASSWORD", PASSWORD)
    client_tls = ssl.create_default_context(cafile=str(cert_path))
    sender = SmtpSender(host="127.0.0.1", port=port, username="zhzl@example.org.cn",
                        starttls=mode == "starttls", ssl=mode == "ssl", context=client_tls, timeout=10)
    sender.send(receipt())
    envelope, parsed = received(sink)
    assert sink.logins == ["zhzl@example.org.cn"]
    assert sink.encrypted == [True]
    assert parsed["To"].addresses[0].addr_spec == "nhsqxy@163.com"
