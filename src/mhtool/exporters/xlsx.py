"""XLSX with xlsxwriter: one sheet per table plus an overview sheet.

Cells are written with the typed writers only: `write_string` for text (never `write`, which
turns text starting with `=` into a formula) and `write_number` for counts. Text is also
neutralised like CSV, so the file stays harmless after a save-as-CSV. The workbook is built in
memory and streamed into the (temporary) file at the end.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, BinaryIO

from mhtool.domain.reports import Cell, Document, Table
from mhtool.exporters.cell_safety import safe_cell

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:28] or "Blad"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:26]} {n}"
        n += 1
    used.add(name.lower())
    return name


def _put(sheet: Worksheet, row: int, col: int, value: Cell, style: Any = None) -> None:
    cell = safe_cell(value)
    if isinstance(cell, int):
        sheet.write_number(row, col, cell, style)
    else:
        sheet.write_string(row, col, cell, style)


def _table_sheet(sheet: Worksheet, table: Table, bold: Any) -> None:
    _put(sheet, 0, 0, table.title, bold)
    for col, heading in enumerate(table.columns):
        _put(sheet, 2, col, heading, bold)
    for r, row in enumerate(table.rows, start=3):
        for col, value in enumerate(row):
            _put(sheet, r, col, value)
    last = 3 + len(table.rows)
    if not table.rows:
        _put(sheet, last, 0, table.empty_text)
        last += 1
    if table.footnote:
        _put(sheet, last + 1, 0, table.footnote)
    widths = [len(str(c)) for c in table.columns]
    for row in table.rows:
        for col, value in enumerate(row):
            widths[col] = max(widths[col], len(str(value or "")))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width + 2, 8), 60))


def write(document: Document, out: BinaryIO) -> None:
    from xlsxwriter import Workbook

    workbook = Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    used: set[str] = set()
    overview = workbook.add_worksheet(_sheet_name("Overzicht", used))
    _put(overview, 0, 0, document.title, bold)
    row = 2
    for key, value in document.facts:
        _put(overview, row, 0, key, bold)
        _put(overview, row, 1, value)
        row += 1
    for note in document.footnotes:
        row += 1
        _put(overview, row, 0, note)
    overview.set_column(0, 0, 40)
    overview.set_column(1, 1, 40)
    for table in document.all_tables():
        _table_sheet(workbook.add_worksheet(_sheet_name(table.title, used)), table, bold)
    workbook.close()
