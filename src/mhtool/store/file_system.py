"""Is the database on a network file system (SMB/CIFS, NFS, ...)?

SQLite's WAL mode needs shared memory between the processes using a file, which a network
file system does not give, and its file locks are unreliable there: two computers writing to
one file on a share can corrupt it. mhtool then uses a rollback journal instead of WAL and says
so; shared use by several computers needs a server (a planned server mode), not a shared file.

Detection: on Linux the longest mount point in /proc/mounts that contains the file; on Windows
a UNC path or GetDriveType == DRIVE_REMOTE. Elsewhere (macOS) nothing is detected.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

NETWORK_TYPES = frozenset(
    {
        "cifs", "smb3", "smbfs", "nfs", "nfs4", "ncpfs", "afs", "9p", "coda", "davfs",
        "fuse.sshfs", "sshfs", "fuse.davfs2", "fuse.rclone", "fuse.s3fs", "glusterfs",
        "fuse.glusterfs", "ceph", "fuse.ceph", "lustre", "gpfs", "ocfs2", "gfs2",
    }
)  # fmt: skip
DRIVE_REMOTE = 4


def _mounts_text() -> str:
    try:
        with open("/proc/mounts", encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def _unescape(field: str) -> str:
    """/proc/mounts writes a space in a mount point as \\040 (and tab, newline, backslash)."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def network_file_system(path: Path) -> str | None:
    """The kind of network file system `path` (existing or not) is on, or None."""
    if sys.platform == "win32":
        return _windows(path)
    if not sys.platform.startswith("linux"):
        return None
    folder = Path(os.path.realpath(path.parent if not path.is_dir() else path))
    best, kind = -1, ""
    for line in _mounts_text().splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = Path(_unescape(parts[1]))
        if (folder == point or point in folder.parents) and len(str(point)) > best:
            best, kind = len(str(point)), parts[2]
    return kind if kind in NETWORK_TYPES else None


def _windows(path: Path) -> str | None:
    full = os.path.abspath(path)
    if full.startswith("\\\\"):
        return "netwerkpad"
    import ctypes

    root = os.path.splitdrive(full)[0] + "\\"
    windll = getattr(ctypes, "windll", None)
    if windll is None:
        return None
    return "netwerkschijf" if windll.kernel32.GetDriveTypeW(root) == DRIVE_REMOTE else None
