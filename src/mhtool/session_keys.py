"""Remembering the derived key of an encrypted database for the rest of a login session.

Opening a SQLCipher file from a passphrase runs PBKDF2 (256,000 rounds, 0.2-0.4 s) on every
command. After one successful open, the derived raw key is kept in the Linux kernel's session
keyring (`keyctl`, through the system call; no extra package; the user's session keyring when
the login has no session keyring of its own): in kernel memory, readable only by processes of
this user, never written to disk, and dropped by the kernel
after `MHTOOL_ONTGRENDELD_MINUTEN` minutes without use (default 15; 0 switches it off) or at
once with `mhtool vergrendel`. Elsewhere (Windows, macOS, a kernel or container without
keyrings) nothing is remembered and every command derives the key as before.

The key is stored under a name derived from the database's absolute path (a hash, not the
path). It is the raw key plus the file's salt, so copies made with it (backups) still open with
the passphrase.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import sys
from pathlib import Path

MINUTES_ENV = "MHTOOL_ONTGRENDELD_MINUTEN"
DEFAULT_MINUTES = 15
MAX_MINUTES = 24 * 60

# System call numbers of add_key and keyctl per architecture (Linux only).
_SYSCALLS = {"x86_64": (248, 250), "aarch64": (217, 219), "armv7l": (309, 311), "i686": (286, 288)}
_KEYCTL_UNLINK = 9
_KEYCTL_SEARCH = 10
_KEYCTL_READ = 11
_KEYCTL_SET_TIMEOUT = 15
_KEYCTL_INVALIDATE = 21
_KEYCTL_GET_KEYRING_ID = 0
_KEY_SPEC_SESSION_KEYRING = -3
_KEY_SPEC_USER_SESSION_KEYRING = -5
_KEYCTL_JOIN_SESSION_KEYRING = 1


def idle_minutes() -> int:
    """How long a remembered key lives without use; 0 = never remember. A bad value means off
    (remembering less than asked is the safe side)."""
    raw = os.environ.get(MINUTES_ENV, "").strip()
    if not raw:
        return DEFAULT_MINUTES
    if not raw.isdigit():
        return 0
    return min(int(raw), MAX_MINUTES)


def _calls() -> tuple[object, int, int] | None:
    if not sys.platform.startswith("linux"):
        return None
    numbers = _SYSCALLS.get(platform.machine())
    if numbers is None:
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    return syscall, numbers[0], numbers[1]


def available() -> bool:
    """Whether keys are remembered at all (Linux kernel keyring, and not switched off)."""
    return idle_minutes() > 0 and _calls() is not None


def _name(path: Path) -> bytes:
    digest = hashlib.sha256(str(path.expanduser().resolve()).encode("utf-8")).hexdigest()
    return f"mhtool:{digest[:32]}".encode("ascii")


def _keyctl(*args: int | bytes | ctypes.Array[ctypes.c_char]) -> int:
    calls = _calls()
    if calls is None:
        return -1
    syscall, _, keyctl = calls
    converted = [
        ctypes.c_long(a)
        if isinstance(a, int)
        else (ctypes.c_char_p(a) if isinstance(a, bytes) else a)
        for a in args
    ]
    return int(syscall(ctypes.c_long(keyctl), *converted))  # type: ignore[operator]


def _keyring() -> int:
    """The login session's keyring; without one (a login without pam_keyinit, e.g. some SSH or
    container setups, where every process would get a new empty one) the user's session keyring,
    which all processes of this user share."""
    # Without a session keyring the kernel answers with the user's one here, but adding a key
    # "to the session keyring" would create a new one that dies with this process.
    session = _keyctl(_KEYCTL_GET_KEYRING_ID, _KEY_SPEC_SESSION_KEYRING, 0)
    user_session = _keyctl(_KEYCTL_GET_KEYRING_ID, _KEY_SPEC_USER_SESSION_KEYRING, 0)
    if session > 0 and session != user_session:
        return _KEY_SPEC_SESSION_KEYRING
    return _KEY_SPEC_USER_SESSION_KEYRING


def _find(path: Path) -> int:
    return _keyctl(_KEYCTL_SEARCH, _keyring(), b"user", _name(path), 0)


def recall(path: Path) -> str | None:
    """The remembered key of `path` (and its idle time starts again), or None."""
    if not available():
        return None
    serial = _find(path)
    if serial <= 0:
        return None
    buffer = ctypes.create_string_buffer(256)
    length = _keyctl(_KEYCTL_READ, serial, buffer, 256)
    if length <= 0 or length > 256:
        return None
    _keyctl(_KEYCTL_SET_TIMEOUT, serial, idle_minutes() * 60)
    value = buffer.raw[:length].decode("ascii", errors="replace")
    ctypes.memset(buffer, 0, 256)
    return value


def remember(path: Path, key: str) -> None:
    """Keep `key` for `path` in the session keyring with the idle timeout; best effort."""
    calls = _calls()
    if calls is None or idle_minutes() <= 0:
        return
    syscall, add_key, _ = calls
    payload = key.encode("ascii")
    serial = int(
        syscall(  # type: ignore[operator]
            ctypes.c_long(add_key),
            ctypes.c_char_p(b"user"),
            ctypes.c_char_p(_name(path)),
            ctypes.c_char_p(payload),
            ctypes.c_size_t(len(payload)),
            ctypes.c_long(_keyring()),
        )
    )
    if serial > 0:
        _keyctl(_KEYCTL_SET_TIMEOUT, serial, idle_minutes() * 60)


def forget(path: Path) -> bool:
    """Drop the remembered key of `path` at once. True when there was one."""
    if _calls() is None:
        return False
    serial = _find(path)
    if serial <= 0:
        return False
    if _keyctl(_KEYCTL_INVALIDATE, serial) < 0:
        _keyctl(_KEYCTL_UNLINK, serial, _keyring())
    return True


def start_private_session() -> bool:
    """Give this process (and its children) a new, empty session keyring: for tests, so they
    never read or leave keys in the real user's session."""
    return _keyctl(_KEYCTL_JOIN_SESSION_KEYRING, 0) > 0
