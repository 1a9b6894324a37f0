"""Readable signal ids such as MH-2026-0001, and the sloppy ways people type them."""

from __future__ import annotations

import re

from mhtool.errors import ValidationError

_REF = re.compile(r"^(?:MH[-\s]?)?(\d{4})[-\s/]?(\d{1,6})$", re.IGNORECASE)


def format_ref(year: int, seq: int) -> str:
    return f"MH-{year}-{seq:04d}"


def parse_ref(text: str) -> str:
    """'mh-2026-1', 'MH 2026 0001' and '2026-1' all mean MH-2026-0001."""
    match = _REF.match(text.strip())
    if not match:
        raise ValidationError(
            f"'{text.strip()}' is geen signaalnummer; gebruik de vorm MH-2026-0001."
        )
    return format_ref(int(match.group(1)), int(match.group(2)))
