"""Markdown (GitHub style) with tabulate. Text is escaped so a cell can neither break the table
(`|`, line breaks) nor become a link, image, heading or inline HTML when the file is rendered."""

from __future__ import annotations

import re
from typing import BinaryIO

from mhtool.domain.reports import Cell, Document, Table

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")


def escape(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    one_line = " ".join(str(value).split())
    return _SPECIAL.sub(r"\\\1", one_line)


def _table(table: Table) -> str:
    from tabulate import tabulate

    lines = [f"## {escape(table.title)}", ""]
    if table.rows:
        body = [[escape(c) for c in row] for row in table.rows]
        lines.append(
            tabulate(body, headers=[escape(c) for c in table.columns], tablefmt="github",
                     disable_numparse=True)
        )
    else:
        lines.append(f"_{escape(table.empty_text)}_")
    if table.footnote:
        lines += ["", escape(table.footnote)]
    return "\n".join(lines)


def text(document: Document) -> str:
    parts = [f"# {escape(document.title)}", ""]
    parts += [f"- **{escape(k)}:** {escape(v)}" for k, v in document.facts]
    for table in document.all_tables():
        parts += ["", _table(table)]
    if document.footnotes:
        parts.append("")
        parts += [f"> {escape(n)}" for n in document.footnotes]
    return "\n".join(parts) + "\n"


def write(document: Document, out: BinaryIO) -> None:
    out.write(text(document).encode("utf-8"))
