"""What differs between POSIX and Windows, decided in one place.

mhtool runs on the municipal Windows laptops as well as on Linux and macOS. File modes (0600,
the umask) exist only on POSIX: on Windows a file's access follows the ACL of the folder it is
in (the user's own profile for the default location), `os.chmod` can only toggle read-only,
and `st_mode` always reads 0666. Directories cannot be opened to fsync them there either. Code
that relies on either asks `POSIX` first instead of failing or warning on every start.
"""

from __future__ import annotations

import os

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
