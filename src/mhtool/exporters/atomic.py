"""Replace a file all at once: write a private temporary file beside it, then rename.

`os.replace` within one directory is atomic on POSIX and Windows, so the target is either the
old file or the complete new one. The temporary file is created with mode 0600 (mkstemp), so a
report is never readable by others, not even while it is being written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from mhtool.errors import MhtoolError


def write_atomic(path: Path, write: Callable[[BinaryIO], None]) -> Path:
    target = path.expanduser()
    if target.is_dir():
        raise MhtoolError(f"{target} is een map; geef een bestandsnaam op.")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise MhtoolError(
            f"De map {folder} bestaat niet; maak hem eerst aan of kies een ander pad."
        )
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)
    return target


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every platform allows opening a directory."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
