"""Names read by OCR judged as the product judges them, not to the character.

A Tesseract release, a font or a scanner can move one character (海曙 read
as 海归); what matters is that the name still pairs with its Word twin, at
the same likeness the pairing uses (rules/pairing.py).
"""

from __future__ import annotations

from rules.pairing import MATCH, similarity


def reads_as(read: str | None, expected: str) -> bool:
    """True when an OCR'd name is close enough to pair with `expected`."""
    score = similarity(read, expected)
    return score is not None and score >= MATCH


def read_form(kind: str | None, name: str | None, unit: str | None,
              expected: tuple[str, str, str | None]) -> bool:
    """The kind exactly, the name and (when given) the unit as pairing reads them."""
    want_kind, want_name, want_unit = expected
    return kind == want_kind and reads_as(name, want_name) and (want_unit is None or reads_as(unit, want_unit))
