"""CSV for spreadsheets, in the form Dutch Excel opens directly: semicolon separated, UTF-8 with
a byte-order mark (files only), every field quoted, every text cell neutralised against formula
injection (see cell_safety). A single table is written plain (header + rows) so a spreadsheet or
script reads it as one table; a document with several tables (the weekly report) starts with
its title and facts and gets a title row before each section."""

from __future__ import annotations

import csv
import io
from typing import Any, BinaryIO

from mhtool.domain.reports import Cell, Document, Table
from mhtool.exporters.cell_safety import neutralise, safe_cell

DELIMITER = ";"


def _row(cells: tuple[Cell, ...] | list[Cell]) -> list[int | str]:
    return [safe_cell(c) for c in cells]


def _section(writer: Any, table: Table, titled: bool) -> None:
    if titled:
        writer.writerow([neutralise(table.title)])
    writer.writerow(_row(table.columns))
    if not table.rows and titled:
        writer.writerow([neutralise(table.empty_text)])
    for row in table.rows:
        writer.writerow(_row(row))


def text(document: Document) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    tables = document.all_tables()
    if len(tables) == 1:
        _section(writer, tables[0], titled=False)
        return buffer.getvalue()
    writer.writerow([neutralise(document.title)])
    for key, value in document.facts:
        writer.writerow([neutralise(key), safe_cell(value)])
    for table in tables:
        writer.writerow([])
        _section(writer, table, titled=True)
    for note in document.footnotes:
        writer.writerow([])
        writer.writerow([neutralise(note)])
    return buffer.getvalue()


def write(document: Document, out: BinaryIO) -> None:
    out.write(text(document).encode("utf-8-sig"))
