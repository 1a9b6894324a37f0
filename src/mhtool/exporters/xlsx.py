"""XLSX written directly as SpreadsheetML (a zip of XML files), with the standard library only.

Why not a library: a cell here is only ever an inline string or a number, so the writer has no
way to produce a formula at all (there is no `<f>` element in this module), which is a stronger
guarantee than remembering to call the right method of a library; and it writes a weekly report
of 80,000 cells in about a tenth of the time xlsxwriter took (benchmarks/README-statistics.md),
with no temporary files. Text cells carry the text number format (`@`) so Excel keeps what
someone types into them later as text too, and text is also neutralised like CSV, so the file
stays harmless after a save-as-CSV. One sheet per table plus an overview sheet.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from typing import BinaryIO
from xml.sax.saxutils import quoteattr

from mhtool.domain.reports import Cell, Document, Table
from mhtool.exporters.cell_safety import safe_cell

MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")
# Characters XML 1.0 does not allow, which would make the whole file unreadable.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

STYLE_PLAIN, STYLE_BOLD, STYLE_TEXT, STYLE_DATE = 0, 1, 2, 3
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd\\-mm\\-yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = [column_letters(i) for i in range(128)]


def _text(value: str) -> str:
    if not (value.isascii() and value.isprintable()):
        value = _XML_ILLEGAL.sub("\ufffd", value)
    # A raw CR would be read back as LF (XML line-end handling), so it is written as a reference.
    return (
        value[:MAX_CELL_TEXT]
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;")
    )


# Day 0 of Excel's (1900) date system as it counts from 1 March 1900 on.
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _cell(ref: str, value: Cell, bold: bool) -> str:
    if isinstance(value, dt.date):  # a date serial with the dd-mm-jjjj format: sorts as a date
        return f'<c r="{ref}" s="{STYLE_DATE}"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    cell = safe_cell(value)
    if isinstance(cell, int):
        style = f' s="{STYLE_BOLD}"' if bold else ""
        return f'<c r="{ref}"{style}><v>{cell}</v></c>'
    if cell == "":
        return ""
    text_style = STYLE_BOLD if bold else STYLE_TEXT
    return (
        f'<c r="{ref}" t="inlineStr" s="{text_style}">'
        f'<is><t xml:space="preserve">{_text(cell)}</t></is></c>'
    )


class _Sheet:
    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: list[str] = []
        self.widths: dict[int, int] = {}

    def add(self, row: int, cells: tuple[Cell, ...] | list[Cell], bold: bool = False) -> None:
        number = row + 1
        parts = []
        widths = self.widths
        for col, value in enumerate(cells):
            letters = _LETTERS[col] if col < len(_LETTERS) else column_letters(col)
            parts.append(_cell(f"{letters}{number}", value, bold))
            width = len(str(value)) if value is not None else 0
            if width > widths.get(col, 0):
                widths[col] = width
        self.rows.append(f'<row r="{number}">{"".join(parts)}</row>')

    def xml(self) -> str:
        cols = "".join(
            f'<col min="{c + 1}" max="{c + 1}" width="{min(max(w + 2, 8), 60)}" customWidth="1"/>'
            for c, w in sorted(self.widths.items())
        )
        return (
            f'{_HEAD}<worksheet xmlns="{_MAIN}">'
            + (f"<cols>{cols}</cols>" if cols else "")
            + f"<sheetData>{''.join(self.rows)}</sheetData></worksheet>"
        )


SHEET_NAME_MAX = 31  # Excel's limit


def _cut_at_word(text: str, limit: int) -> str:
    """At most `limit` characters, ending at a whole word (a single longer word is cut)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if text[limit] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    words = cut.rstrip(" ,;:-(").split(" ")
    while len(words) > 1 and words[-1].lower() in _DANGLING:  # 'per week per' -> 'per week'
        words.pop()
    return " ".join(words)


_DANGLING = frozenset({"per", "en", "of", "van", "de", "het", "in", "met", "tot", "voor", "op"})


def _sheet_name(title: str, used: set[str]) -> str:
    """Excel allows 31 characters and no []:*?/\\; long titles are cut at a word, and a
    number that tells two equal names apart replaces words, never half a word."""
    base = " ".join(_SHEET_FORBIDDEN.sub(" ", title).split()).strip(" .") or "Blad"
    name, n = _cut_at_word(base, SHEET_NAME_MAX), 2
    while name.lower() in used:
        suffix = f" {n}"
        name = _cut_at_word(base, SHEET_NAME_MAX - len(suffix)) + suffix
        n += 1
    used.add(name.lower())
    return name


def _table_sheet(table: Table, used: set[str]) -> _Sheet:
    sheet = _Sheet(_sheet_name(table.title, used))
    sheet.add(0, [table.title], bold=True)
    sheet.add(2, table.columns, bold=True)
    row = 3
    for line in table.rows:
        sheet.add(row, line)
        row += 1
    if not table.rows:
        sheet.add(row, [table.empty_text])
        row += 1
    if table.footnote:
        sheet.add(row + 1, [table.footnote])
    return sheet


def _overview(document: Document, used: set[str]) -> _Sheet:
    sheet = _Sheet(_sheet_name("Overzicht", used))
    sheet.add(0, [document.title], bold=True)
    row = 2
    for key, value in document.facts:
        sheet.add(row, [key, value])
        row += 1
    for note in document.footnotes:
        row += 1
        sheet.add(row, [note])
    return sheet


EXPORT_MARK = b"mhtool export"


def write(document: Document, out: BinaryIO) -> None:
    used: set[str] = set()
    sheets = [_overview(document, used)] + [_table_sheet(t, used) for t in document.all_tables()]
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    content_types = (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )
    package_rels = (
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        + "".join(
            f'<sheet name={quoteattr(s.name)} sheetId="{i}" r:id="rId{i}"/>'
            for i, s in enumerate(sheets, start=1)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        + "</Relationships>"
    )
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        # Lets `--overschrijf` tell an earlier mhtool export from someone's own workbook.
        archive.comment = EXPORT_MARK
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", package_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr("xl/styles.xml", _STYLES)
        for i, sheet in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", sheet.xml())
