"""Writing a file that holds personal data and must never replace another (an inzage export).

The writing uses `mhtool.safe_file`: a private temporary file beside the target (0600,
registered so a crash leftover is removed on the next start), fsync, then a hard link that fails
if the name exists meanwhile; the link is made only after the audited transaction committed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from mhtool.errors import ValidationError, file_error
from mhtool.safe_file import private_temp, publish


def _exists(path: Path) -> ValidationError:
    return ValidationError(
        f"{path} bestaat al; kies een ander pad of verwijder het oude bestand eerst."
    )


def _checked(path: Path) -> Path:
    path = path.expanduser()
    if path.is_dir():
        raise ValidationError(f"{path} is een map; geef een bestandsnaam op.")
    if path.exists() or path.is_symlink():
        raise _exists(path)
    if not path.parent.is_dir():
        raise ValidationError(f"De map {path.parent} bestaat niet; maak hem eerst aan.")
    return path


@contextlib.contextmanager
def staged_private_file(path: Path) -> Iterator[Callable[[str], None]]:
    """Yield `stage(content)`, which checks the path and writes a private temporary file; the
    file is put in place only when the block ends without an error. Wrapped around an audited
    transaction (with `stage` called inside it, so a refused path is logged as a refusal), the
    report appears only after its audit entry is committed: a crash in between leaves a
    registered temporary file (removed on the next start), never a report without its entry."""
    target = path.expanduser()
    outcome = "er is geen bestand gemaakt"
    staged: list[Path] = []
    with contextlib.ExitStack() as cleanup:

        def stage(content: str) -> None:
            checked = _checked(target)
            try:
                temp = cleanup.enter_context(private_temp(checked))
                with open(temp, "wb") as handle:
                    handle.write(content.encode("utf-8"))
                    handle.flush()
                    os.fsync(handle.fileno())
            except OSError as error:
                raise file_error(error, target, outcome) from None
            staged.append(temp)

        yield stage
        if staged:
            try:
                publish(staged[-1], target, replace=False, exists=_exists(target))
            except OSError as error:
                raise file_error(error, target, outcome) from None
