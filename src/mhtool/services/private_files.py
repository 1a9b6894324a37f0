"""Writing a file that holds personal data and must never replace another (an inzage export).

The writing itself is `mhtool.safe_file.write_new_file`: a private temporary file beside the
target (0600, registered so a crash leftover is removed on the next start), fsync, then a hard
link that fails if the name exists meanwhile.
"""

from __future__ import annotations

from pathlib import Path

from mhtool.errors import ValidationError
from mhtool.safe_file import write_new_file


def _exists(path: Path) -> ValidationError:
    return ValidationError(
        f"{path} bestaat al; kies een ander pad of verwijder het oude bestand eerst."
    )


def write_private_file(path: Path, content: str) -> Path:
    path = path.expanduser()
    if path.is_dir():
        raise ValidationError(f"{path} is een map; geef een bestandsnaam op.")
    if path.exists() or path.is_symlink():
        raise _exists(path)
    if not path.parent.is_dir():
        raise ValidationError(f"De map {path.parent} bestaat niet; maak hem eerst aan.")
    data = content.encode("utf-8")
    return write_new_file(path, lambda handle: handle.write(data), exists=_exists(path))
