"""Writing report documents to files: Markdown, CSV, XLSX and self-contained HTML.

Exporters depend only on `mhtool.domain.reports` (no typer, rich or database). Each format module
has `write(document, binary_file)`; `export()` renders into a temporary file next to the target
and renames it into place, so a reader never sees half a report.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
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


# The first bytes of an HTML export are mhtool's own (its content-security policy); an xlsx
# export carries a zip comment. Markdown and CSV have no room for a mark, so for them (and as a
# second way for every format) an export counts as earlier when its content hash is one this
# account's mhtool wrote (mhtool.safe_file.remember_written). `--overschrijf` replaces only such
# a file, so the user's own notes, workbook or page are never lost to a typo in --uitvoer.
_HTML_START = (
    b'<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">\n'
    b'<meta http-equiv="Content-Security-Policy" content="default-src \'none\''
)


def is_earlier_export(path: Path, code: str) -> bool:
    """Whether `path` holds what mhtool itself wrote in format `code`."""
    from mhtool.safe_file import was_written

    if code == "xlsx":
        import zipfile

        from mhtool.exporters.xlsx import EXPORT_MARK

        try:
            with zipfile.ZipFile(path) as archive:
                if archive.comment == EXPORT_MARK:
                    return True
        except (OSError, zipfile.BadZipFile):
            return False
    elif code == "html":
        try:
            with open(path, "rb") as handle:
                if handle.read(len(_HTML_START)) == _HTML_START:
                    return True
        except OSError:
            return False
    return was_written(path)


def export(
    document: Document,
    fmt: str,
    path: Path,
    *,
    overwrite: bool = False,
    protected: Sequence[Path] = (),
    before_publish: Callable[[], object] | None = None,
) -> Path:
    """Write `document` to `path` atomically, readable only by its owner (mode 0600); an
    existing file only with `overwrite`, and never one of `protected` (the database).
    `before_publish` runs once the content is written, before it is put into place."""
    from mhtool.exporters.atomic import write_atomic

    code = check_format(fmt)
    module = importlib.import_module(FORMATS[code])
    from mhtool.safe_file import remember_written

    try:
        written = write_atomic(
            path,
            lambda handle: module.write(document, handle),
            overwrite=overwrite,
            protected=protected,
            replaceable=lambda existing: is_earlier_export(existing, code),
            before_publish=before_publish,
        )
        remember_written(written)
        return written
    except MhtoolError:
        raise
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise MhtoolError(
            f"Het bestand {path} kon niet worden geschreven ({reason}); er is niets "
            "weggeschreven en een bestaand bestand is ongewijzigd."
        ) from None
