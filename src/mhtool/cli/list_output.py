"""Writing long lists fast: a fixed-width table, JSON and CSV streamed row by row, and a pager
when a terminal would otherwise scroll past the start.

rich lays out a table cell by cell (≈ 1.4 ms per row, and it holds every row in memory), which
made `signaal lijst` take minutes at a million signals. Lists are plain columns here, sized on
the first rows; later rows that are wider just push their line out a little.
"""

from __future__ import annotations

import contextlib
import csv
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any, TextIO

from mhtool.cli.render import safe, safe_json
from mhtool.exporters.cell_safety import neutralise

SIZING_ROWS = 1000
"""Column widths come from this many rows at most, so streaming stays constant in memory."""

_BOLD_RED = ("\x1b[1;31m", "\x1b[0m")
_BOLD = ("\x1b[1m", "\x1b[0m")


def thousands(n: int) -> str:
    """1002113 -> '1.002.113', as Dutch readers write it."""
    return f"{n:,}".replace(",", ".")


@dataclass(frozen=True)
class Column:
    title: str
    right: bool = False


@dataclass(frozen=True)
class Cell:
    text: str
    alert: bool = False  # shown in bold red on a colour terminal


def colour_wanted(out: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return out.isatty() and "NO_COLOR" not in os.environ


def write_table(
    out: TextIO, columns: Sequence[Column], rows: Iterable[Sequence[Cell]], colour: bool
) -> None:
    """A table like rich's SIMPLE_HEAD without edges: header, a rule, one line per row.

    Every cell is passed through `safe()` (control characters made visible) before measuring.
    """
    cleaned = ([Cell(safe(c.text), c.alert) for c in row] for row in rows)
    head = list(islice(cleaned, SIZING_ROWS))
    widths = [len(c.title) for c in columns]
    for row in head:
        widths = [max(w, len(cell.text)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[Cell], style: tuple[str, str] | None = None) -> str:
        parts = []
        for column, width, cell in zip(columns, widths, cells, strict=True):
            padded = cell.text.rjust(width) if column.right else cell.text.ljust(width)
            marks = _BOLD_RED if cell.alert else style
            parts.append(f"{marks[0]}{padded}{marks[1]}" if colour and marks else padded)
        return " ".join(parts).rstrip() + "\n"

    out.write(line([Cell(c.title) for c in columns], _BOLD))
    out.write("─" * (sum(widths) + len(widths) - 1) + "\n")
    for row in chain(head, cleaned):
        out.write(line(row))


def write_json_array(out: TextIO, items: Iterable[dict[str, Any]]) -> None:
    """Byte for byte what `json.dumps(list, indent=2)` gives, one element at a time."""
    first = True
    for item in items:
        body = "\n".join("  " + part for part in safe_json(item).split("\n"))
        out.write(("[\n" if first else ",\n") + body)
        first = False
    out.write("[]\n" if first else "\n]\n")


def write_csv(out: TextIO, records: Iterable[dict[str, Any]]) -> None:
    """Semicolon-separated, every field quoted and neutralised against formula injection, as
    the CSV exports are (no byte-order mark: this goes to a pipe, not a file). The columns are
    the keys of the records (the JSON keys), taken from the first; no records, no output."""
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    header: list[str] | None = None
    for record in records:
        if header is None:
            header = list(record)
            writer.writerow(header)
        writer.writerow([_csv_cell(record.get(key)) for key in header])


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return neutralise(safe(value))


def pager_command() -> list[str] | None:
    """The user's PAGER, else `less` (POSIX) or `more` (Windows); None when there is none.
    `PAGER=` (empty) switches paging off."""
    chosen = os.environ.get("PAGER")
    if chosen is not None:
        return shlex.split(chosen, posix=os.name != "nt") or None
    for candidate in ("less", "more"):
        found = shutil.which(candidate)
        if found:
            return [found]
    return None


@contextlib.contextmanager
def paged(lines: int, stdout: TextIO | None = None) -> Iterator[TextIO]:
    """Standard output, or a pager's input when a person at a terminal would get more lines
    than fit on the screen. Quitting the pager early ends the output quietly."""
    out = stdout or sys.stdout
    height = shutil.get_terminal_size().lines
    command = pager_command() if out.isatty() and sys.stdin.isatty() else None
    if command is None or lines < height:
        yield out
        return
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # quit at the end of one screen, keep colours and the screen
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, env=env, text=True, encoding="utf-8", errors="replace"
        )
    except OSError:
        yield out  # a PAGER that does not start: print as if there were none
        return
    assert process.stdin is not None
    try:
        with contextlib.suppress(BrokenPipeError):
            yield process.stdin  # type: ignore[misc]  # a text pipe is a TextIO
    finally:
        with contextlib.suppress(BrokenPipeError, OSError):
            process.stdin.close()
        process.wait()


def stop_quietly_on_closed_pipe(write: Callable[[], None]) -> None:
    """`mhtool signaal lijst --alles | head` ends without a traceback when head stops reading."""
    try:
        write()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would complain again while flushing stdout at exit; point it at nothing.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
