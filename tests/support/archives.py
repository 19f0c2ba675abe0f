"""Archives as Chinese offices make them, built at test time.

.7z and AES-encrypted .zip are written by Debian's real 7-Zip (`7zz` from the
7zip package, or `7z` from p7zip-full), the same engine 360压缩 and Bandizip
follow; the classic ZipCrypto zip that Windows tools and WinRAR's "ZIP
legacy encryption" write is produced here byte for byte (zipfile cannot
encrypt), with the password in GBK as a Chinese Windows encodes it.
RAR cannot be written by free software; tests use the small public RAR files
under tests/data/archives/.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path


def seven_zip_binary() -> str:
    """The 7-Zip command on this machine (Debian 12 ships `7zz` in 7zip, `7z` in p7zip-full)."""
    for name in ("7zz", "7z"):
        if found := shutil.which(name):
            return found
    raise RuntimeError("7-Zip is not installed: run ./scripts/setup.sh (Debian package 7zip)")


def seven_zip(files: list[tuple[str, bytes]], fmt: str = "7z", password: str | None = None,
              encrypt_names: bool = False) -> bytes:
    """An archive written by 7-Zip: `fmt` "7z" or "zip" (AES-256 when a password is given)."""
    with tempfile.TemporaryDirectory(prefix="intake-7z-") as tmp:
        source = Path(tmp, "src")
        for name, data in files:
            path = source / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        target = Path(tmp, f"out.{fmt}")
        command = [seven_zip_binary(), "a", f"-t{fmt}", "-bd", "-y", str(target), "."]
        if password is not None:
            command.append(f"-p{password}")
            if fmt == "zip":
                command.append("-mem=AES256")
            elif encrypt_names:
                command.append("-mhe=on")
        env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")  # non-ASCII names and passwords
        subprocess.run(command, cwd=source, env=env, check=True, capture_output=True, timeout=120)
        return target.read_bytes()


def zipcrypto_zip(files: list[tuple[str, bytes]], password: str, codec: str = "gbk") -> bytes:
    """A zip with traditional PKWARE encryption and GBK member names, as WinRAR/Windows tools write it."""
    buffer = io.BytesIO()
    central = []
    for name, data in files:
        raw_name = name.encode(codec)
        crc = zlib.crc32(data)
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
        keys = _ZipKeys(password.encode(codec))
        header = bytes(range(11)) + bytes([crc >> 24 & 0xFF])  # last byte checks the password
        sealed = keys.encrypt(header) + keys.encrypt(packed)
        offset = buffer.tell()
        fields = (20, 0x1, 8, 0x4800, 0x5494, crc, len(sealed), len(data), len(raw_name), 0)
        buffer.write(struct.pack("<4s5HIIIHH", b"PK\x03\x04", *fields) + raw_name + sealed)
        central.append(struct.pack("<4s6HIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0x20, offset) + raw_name)
    start = buffer.tell()
    directory = b"".join(central)
    buffer.write(directory)
    buffer.write(struct.pack("<4s4HIIH", b"PK\x05\x06", 0, 0, len(files), len(files), len(directory), start, 0))
    return buffer.getvalue()


class _ZipKeys:
    """The three-key stream cipher of the PKWARE APPNOTE (section 6.1)."""

    def __init__(self, password: bytes):
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for byte in password:
            self._update(byte)

    def _update(self, byte: int) -> None:
        k0, k1, k2 = self.keys
        k0 = _crc(k0, byte)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = _crc(k2, k1 >> 24)
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            temp = (self.keys[2] | 2) & 0xFFFF
            out.append(byte ^ ((temp * (temp ^ 1)) >> 8 & 0xFF))
            self._update(byte)
        return bytes(out)


def _crc(value: int, byte: int) -> int:
    return (zlib.crc32(bytes([byte]), value ^ 0xFFFFFFFF) ^ 0xFFFFFFFF) & 0xFFFFFFFF
