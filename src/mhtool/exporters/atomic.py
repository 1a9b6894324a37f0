"""Write an export all at once, replacing only an earlier export of the same format.

The writing is `mhtool.safe_file.write_new_file`: a private temporary file (0600, registered so a
crash leftover is removed on the next start), fsync, then a link (new file) or an atomic rename
(`--overschrijf`), so the target is either the old file or the complete new one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from mhtool.errors import ValidationError, check_name_length
from mhtool.safe_file import SIDECARS, write_new_file


def write_atomic(
    path: Path,
    write: Callable[[BinaryIO], None],
    *,
    overwrite: bool = False,
    protected: Sequence[Path] = (),
    replaceable: Callable[[Path], bool] = lambda existing: True,
    before_publish: Callable[[], object] | None = None,
) -> Path:
    """`protected` are files an export may never replace, not even with `overwrite`: the
    database in use and its WAL/SHM. Any SQLite file and anything that is not a regular file
    (a device such as /dev/null, a pipe) is refused too; other existing files only with
    `overwrite`, as `mhtool backup` does."""
    target = path.expanduser()
    check_name_length(target)
    if target.name.endswith(SIDECARS):
        raise ValidationError(
            f"{target.name} is de naam van een hulpbestand van een database (-wal, -shm, "
            "-journal); kies een andere naam."
        )
    if target.is_dir():
        raise ValidationError(f"{target} is een map; geef een bestandsnaam op.")
    if target.exists() or target.is_symlink():
        _check_replaceable(target, overwrite, protected, replaceable)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError(
            f"De map {folder} bestaat niet; maak hem eerst aan of kies een ander pad."
        )
    return write_new_file(target, write, replace=target.exists(), before_publish=before_publish)


def _check_replaceable(
    target: Path,
    overwrite: bool,
    protected: Sequence[Path],
    replaceable: Callable[[Path], bool],
) -> None:
    real = target.resolve()
    if any(real == p.expanduser().resolve() for p in protected):
        raise ValidationError(
            f"{target} is het databasebestand van mhtool zelf; een export mag dat nooit "
            "vervangen. Kies een ander pad."
        )
    if not real.is_file():
        raise ValidationError(f"{target} is geen gewoon bestand; kies een ander pad.")
    head = b""
    with contextlib.suppress(OSError), open(real, "rb") as handle:
        head = handle.read(4096)
    if head.startswith(b"SQLite format 3\x00"):
        raise ValidationError(
            f"{target} is een database; mhtool vervangt die nooit door een export. Kies een "
            "ander pad."
        )
    if head and not replaceable(real):
        # An encrypted database is indistinguishable from random bytes: anything that does
        # not look like an earlier export of this format is left alone.
        raise ValidationError(
            f"{target} lijkt geen eerder rapport in dit formaat (mogelijk een versleutelde "
            "database of een ander bestand); mhtool vervangt het niet. Kies een ander pad."
        )
    if not overwrite:
        raise ValidationError(
            f"{target} bestaat al; kies een ander pad of vervang het met --overschrijf."
        )
