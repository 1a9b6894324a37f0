"""Writing an export that holds personal data: readable by its owner only, and never half.

The file is written under a temporary name in the target directory (created with mode 0600 by
mkstemp), flushed to disk, then renamed into place, so a crash leaves either no file or the
complete one, and at no moment is a copy readable by others.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from mhtool.errors import MhtoolError, ValidationError
from mhtool.portability import sync_directory


def _exists(path: Path) -> ValidationError:
    return ValidationError(
        f"{path} bestaat al; kies een ander pad of verwijder het oude bestand eerst."
    )


def write_private_file(path: Path, content: str) -> Path:
    path = path.expanduser()
    if path.is_dir():
        raise ValidationError(f"{path} is een map; geef een bestandsnaam op.")
    if path.exists():
        raise _exists(path)
    if not path.parent.is_dir():
        raise ValidationError(f"De map {path.parent} bestaat niet; maak hem eerst aan.")
    tmp_name = ""
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o600)
        _publish(tmp_name, path)
        sync_directory(path.parent)
    except FileExistsError:
        raise _exists(path) from None
    except OSError as error:
        raise MhtoolError(
            f"Kan {path} niet schrijven ({error.strerror or 'onbekende fout'}); er is geen "
            "bestand gemaakt."
        ) from None
    finally:
        if tmp_name:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    return path


def _publish(tmp_name: str, path: Path) -> None:
    """A hard link never replaces an existing file (FileExistsError if one appeared meanwhile);
    file systems without hard links get an atomic rename instead."""
    try:
        os.link(tmp_name, path)
    except FileExistsError:
        raise
    except OSError:
        os.replace(tmp_name, path)
