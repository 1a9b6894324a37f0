"""What differs between POSIX and Windows, decided in one place.

mhtool runs on the municipal Windows laptops as well as on Linux and macOS. File modes (0600,
the umask) exist only on POSIX: on Windows a file's access follows the ACL of the folder it is
in (the user's own profile for the default location), `os.chmod` can only toggle read-only,
and `st_mode` always reads 0666. Directories cannot be opened to fsync them there either. Code
that relies on either asks `POSIX` first instead of failing or warning on every start.
"""

from __future__ import annotations

import os
import posixpath
import sys
from pathlib import Path

POSIX = os.name == "posix"


def restrict_new_files() -> None:
    """Everything this process creates (database, WAL/SHM, backups, exports) is for the owner
    only. On Windows the folder's ACL decides; there is no umask to set."""
    if POSIX:
        os.umask(0o077)


def sync_directory(path: os.PathLike[str] | str) -> None:
    """Make a rename in `path` durable. Windows cannot open a directory (and makes renames
    durable itself); some POSIX file systems refuse too, which is no reason to fail."""
    if not POSIX:
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def user_data_folder(app: str = "mhtool") -> Path:
    """platformdirs' `user_data_path(app, appauthor=False)`, without importing platformdirs in
    the common Linux case (its import and class set-up cost every command a few milliseconds,
    for the crash sweep's registry folder alone).

    The shortcut covers exactly what platformdirs does on Linux for an absolute
    `$XDG_DATA_HOME`, or else an absolute `$HOME` (`~/.local/share/<app>`); anything else (macOS,
    Windows, Android, a relative or missing variable) is left to platformdirs itself.
    `tests/test_portability.py` compares the two."""
    if sys.platform == "linux" and not _android_like():
        xdg = os.environ.get("XDG_DATA_HOME", "")
        if posixpath.isabs(xdg):
            return Path(os.path.join(xdg, app))  # noqa: PTH118 - the same join as platformdirs
        if not xdg and posixpath.isabs(os.environ.get("HOME", "")):
            return Path(os.path.join(os.path.expanduser("~/.local/share"), app))  # noqa: PTH111, PTH118
    from platformdirs import user_data_path

    return user_data_path(app, appauthor=False)


def _android_like() -> bool:
    """What platformdirs checks first to choose its Android paths."""
    return hasattr(sys, "getandroidapilevel") or (
        os.environ.get("ANDROID_DATA") == "/data" and os.environ.get("ANDROID_ROOT") == "/system"
    )
