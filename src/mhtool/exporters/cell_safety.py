"""Neutralising spreadsheet formula injection (OWASP "CSV Injection").

A cell that starts with `=`, `+`, `-`, `@`, a tab, a carriage return or a line feed can be run as
a formula by Excel or LibreOffice when a CSV is opened (`=HYPERLINK(...)`, `=cmd|...`, DDE). Such
text gets a leading apostrophe, which spreadsheets show as plain text. Leading spaces are looked
through, because some spreadsheet programs trim them before deciding. Numbers computed by mhtool
(counts) are not text and are left alone.
"""

from __future__ import annotations

import datetime as dt

from mhtool.domain.reports import Cell

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_FIRST = frozenset(TRIGGERS)


def neutralise(value: str) -> str:
    first = value[:1]
    if first in _FIRST or (first == " " and value.lstrip(" ")[:1] in _FIRST):
        return "'" + value
    return value


def safe_cell(value: Cell) -> int | str:
    """A cell as a spreadsheet may receive it: ints stay numbers, text is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return value
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    return neutralise(str(value))
