"""Writing report documents to files: Markdown, CSV, XLSX and self-contained HTML.

Exporters depend only on `mhtool.domain.reports` (no typer, rich or database). Each format module
has `write(document, binary_file)`; `export()` renders into a temporary file next to the target
and renames it into place, so a reader never sees half a report.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mhtool.errors import MhtoolError, ValidationError

if TYPE_CHECKING:
    from mhtool.domain.reports import Document

# Format code -> module; modules are imported on use so xlsxwriter and tabulate load lazily.
FORMATS: dict[str, str] = {
    "md": "mhtool.exporters.markdown",
    "csv": "mhtool.exporters.csv_export",
    "xlsx": "mhtool.exporters.xlsx",
    "html": "mhtool.exporters.html",
}
TEXT_FORMATS = ("md", "csv", "html")


def check_format(fmt: str) -> str:
    code = fmt.strip().lower().lstrip(".")
    if code not in FORMATS:
        raise ValidationError(
            f"Formaat '{fmt.strip()}' is onbekend; kies uit: {', '.join(FORMATS)}."
        )
    return code


def format_from_path(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValidationError(
            f"Aan de bestandsnaam {path.name} is het formaat niet te zien; eindig op "
            + ", ".join(f".{f}" for f in FORMATS)
            + "."
        )
    return suffix


def render(document: Document, fmt: str) -> bytes:
    """The whole export in memory (for stdout, or for tests)."""
    import io

    buffer = io.BytesIO()
    importlib.import_module(FORMATS[check_format(fmt)]).write(document, buffer)
    return buffer.getvalue()


def render_text(document: Document, fmt: str) -> str:
    """A text format as a string, for printing to the terminal or a pipe."""
    code = check_format(fmt)
    if code not in TEXT_FORMATS:
        raise ValidationError(
            f"Formaat {code} is binair en kan niet naar het scherm; geef --uitvoer een "
            "bestandsnaam."
        )
    text: str = importlib.import_module(FORMATS[code]).text(document)
    return text


def choose_format(given: str | None, path: Path | None, default: str = "md") -> str:
    """The format from the option, else from the file name, else the default; an option and a
    file name that disagree (`--csv --uitvoer x.db`, `--formaat csv --uitvoer r.md`) are
    refused rather than writing one format under another's name; a name without extension
    takes the option's format."""
    if path is not None and path.expanduser().is_dir():
        raise ValidationError(f"{path} is een map; geef een bestandsnaam op.")
    if given is None:
        return format_from_path(path) if path is not None else check_format(default)
    code = check_format(given)
    if path is not None and path.suffix and path.suffix.lower().lstrip(".") != code:
        raise ValidationError(
            f"De bestandsnaam {path.name} past niet bij formaat {code}; laat de naam op .{code} "
            "eindigen."
        )
    return code


def _looks_like_xlsx(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")  # a zip file, as every .xlsx is


def _looks_like_text(head: bytes) -> bool:
    """UTF-8 without NUL bytes (a cut multi-byte character at the end is fine)."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3
    return True


def export(
    document: Document,
    fmt: str,
    path: Path,
    *,
    overwrite: bool = False,
    protected: Sequence[Path] = (),
) -> Path:
    """Write `document` to `path` atomically, readable only by its owner (mode 0600); an
    existing file only with `overwrite`, and never one of `protected` (the database)."""
    from mhtool.exporters.atomic import write_atomic

    code = check_format(fmt)
    module = importlib.import_module(FORMATS[code])
    try:
        return write_atomic(
            path,
            lambda handle: module.write(document, handle),
            overwrite=overwrite,
            protected=protected,
            replaceable=_looks_like_xlsx if code == "xlsx" else _looks_like_text,
        )
    except MhtoolError:
        raise
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise MhtoolError(
            f"Het bestand {path} kon niet worden geschreven ({reason}); er is niets "
            "weggeschreven en een bestaand bestand is ongewijzigd."
        ) from None
