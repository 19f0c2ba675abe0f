"""PDF forms signed the way e-seal platforms sign them: a /Sig field with a real CMS signature.

The certificate is a self-signed unit certificate made on the spot with
``cryptography`` (never a committed key); pyHanko writes the signature field,
its widget over 申报单位意见 with the seal picture as its appearance, and the
signature itself.
"""

from __future__ import annotations

import datetime as dt
import io

from ingest.samples.scans import text_pdf


def _unit_certificate(unit: str):
    """A throwaway key and self-signed certificate naming the unit, as asn1crypto objects for pyHanko."""
    from asn1crypto import keys, x509
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = cx509.Name([cx509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                       cx509.NameAttribute(NameOID.ORGANIZATION_NAME, unit),
                       cx509.NameAttribute(NameOID.COMMON_NAME, f"{unit}电子印章")])
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    cert = (cx509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(cx509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=3650)).sign(key, hashes.SHA256()))
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return keys.PrivateKeyInfo.load(der_key), x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def signed_pdf(kind: str, name: str, unit: str, *, signed: bool = True, visible: bool = True) -> bytes:
    """The text-layer form with a signature field over 申报单位意见; ``signed`` False leaves it empty."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(text_pdf(kind, name, unit)))
    box = (400, 402, 520, 522) if visible else (0, 0, 0, 0)  # centred on the 申报单位意见 row
    fields.append_signature_field(writer, fields.SigFieldSpec("申报单位电子印章", on_page=0, box=box))
    if not signed:
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    key, cert = _unit_certificate(unit)
    signer = signers.SimpleSigner(signing_cert=cert, signing_key=key, cert_registry=None)
    meta = signers.PdfSignatureMetadata(field_name="申报单位电子印章", reason="申报单位盖章", location=unit)
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()
