"""The one way mhtool puts a file holding personal data on disk, and cleans up after a crash.

Every export, inzage file, backup and new database is first written to a private temporary file
beside its target (mode 0600 from the start), flushed to disk, and only then linked into place
(never replacing an existing file) or renamed over it (replacing on request). A reader never sees
half a file and at no moment can another account read it.

A SIGKILL or power cut can still leave the temporary file: a full copy of personal data. So each
temporary file has a recognisable name (`.NAME.<random>.mhtool-tmp`) and, while it exists, a
marker in the per-user folder `lopend/` that names it and is locked by the writing process. The
next mhtool start removes every temporary file whose marker is no longer locked (its writer is
gone); `mhtool info` names any it could not remove; `opschonen` and `persoon verwijder` also
sweep the database's own folder for such names.

This module sits outside the layers (like `errors.py`): store, services and exporters use it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from mhtool.errors import MhtoolError, ValidationError, check_name_length, file_error
from mhtool.portability import sync_directory, user_data_folder

TEMP_SUFFIX = ".mhtool-tmp"
MARKER_SUFFIX = ".pad"
SIDECARS = ("-wal", "-shm", "-journal")
# Room left in a 255-byte name for the dot, the random part and the suffix.
_STEM_BYTES = 200
_REGISTRY_ENV = "MHTOOL_LOPEND"  # tests point this at their own folder
_NOTICE_S = 1.0  # a wait shorter than this is not worth a message


def registry_dir() -> Path:
    """Where the markers of temporary files in progress live (per user, not per database,
    because a backup or export may be written into any folder)."""
    override = os.environ.get(_REGISTRY_ENV, "").strip()
    if override:
        return Path(override)
    return user_data_folder() / "lopend"


def temp_path_for(target: Path) -> Path:
    """A recognisable, unique temporary name beside `target` that fits in 255 bytes."""
    import secrets  # only when a file is written: reading commands start without it

    stem = target.name.encode("utf-8", "surrogateescape")[:_STEM_BYTES]
    name = stem.decode("utf-8", "ignore")
    return target.parent / f".{name}.{secrets.token_hex(6)}{TEMP_SUFFIX}"


def _canonical(path: Path) -> str:
    """One spelling per file (no `..`, no symlinked folders), so a marker written for
    `map/../b.db` or through a symlink matches what a sweep of the real folder finds."""
    return os.path.realpath(path)


def is_temp_name(name: str) -> bool:
    return any(name.endswith(TEMP_SUFFIX + s) for s in ("", *SIDECARS))


def refuse_temp_name(path: Path) -> None:
    """A file of the user's own (a database, a backup, an export) may not carry the name of a
    leftover: cleaning up would delete it."""
    if is_temp_name(path.name):
        raise ValidationError(
            f"{path} heeft de naam van een tijdelijk bestand van mhtool (eindigt op "
            f"{TEMP_SUFFIX}); zulke bestanden worden bij het opruimen verwijderd. Geef het een "
            "andere naam."
        )


def with_sidecars(path: Path) -> tuple[Path, ...]:
    return (path, *(path.with_name(path.name + s) for s in SIDECARS))


# --- cross-platform "held by a live process" lock on an open file ---------------------------


def try_lock(fd: int) -> bool:
    """Take an exclusive lock on an open file without waiting; False when another process
    holds it. The lock goes away with the process, however it ends."""
    if sys.platform == "win32":
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def exclusive_lock(
    path: Path, *, timeout_s: float, on_wait: Callable[[], None] | None
) -> Iterator[None]:
    """Hold a lock file beside the database while one process does what must happen once
    (creating or migrating a file). Others wait; `on_wait` is called once if that takes more
    than a second."""
    started = time.monotonic()
    deadline = started + timeout_s
    waited = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if try_lock(fd):
            # The holder before us may have removed the file after we opened it: then our lock
            # is on a name nobody else sees, so start again.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except OSError:
                same = False
            if same:
                break
        os.close(fd)
        if time.monotonic() > deadline:
            from mhtool.errors import DatabaseInUseError

            raise DatabaseInUseError(
                "Een ander proces is het databasebestand nog aan het aanmaken of bijwerken; "
                "probeer het zo opnieuw."
            )
        if not waited and on_wait is not None and time.monotonic() - started >= _NOTICE_S:
            on_wait()  # said once, and only when the wait is noticeable
            waited = True
        time.sleep(0.02)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


# --- temporary files and their markers ---------------------------------------------------------


class _Marker:
    """A locked file in the registry naming one temporary file while it exists."""

    def __init__(self, temp: Path) -> None:
        self.path: Path | None = None
        self.fd: int | None = None
        import secrets

        folder = registry_dir()
        token = secrets.token_hex(8)
        try:
            folder.mkdir(parents=True, mode=0o700, exist_ok=True)
            # Written and locked under another name first, then renamed (the lock moves with
            # the file): a cleaner never sees a marker that is empty or not yet locked.
            draft = folder / f"{token}.nieuw"
            fd = os.open(draft, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError:
            # No registry (read-only home, ...): the recognisable name is the fallback.
            return
        try:
            try_lock(fd)
            os.write(fd, os.fsencode(_canonical(temp)))
            path = folder / f"{token}{MARKER_SUFFIX}"
            os.replace(draft, path)
        except OSError:
            os.close(fd)
            with contextlib.suppress(OSError):
                draft.unlink()
            return
        self.path, self.fd = path, fd

    def release(self) -> None:
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
        if self.fd is not None:
            os.close(self.fd)
        self.path = self.fd = None


def remove_with_sidecars(path: Path) -> bool:
    """Remove a temporary database or file and SQLite's files beside it; True when all gone."""
    gone = True
    for file in with_sidecars(path):
        try:
            file.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            gone = False
    return gone


@contextlib.contextmanager
def private_temp(target: Path) -> Iterator[Path]:
    """A new empty 0600 file beside `target`, registered while it exists; removed (with any
    -wal/-shm/-journal) when the block ends, whether it was published or not. The caller
    translates an OSError (it knows what did not happen)."""
    check_name_length(target)
    refuse_temp_name(target)
    temp = temp_path_for(target)
    marker = _Marker(temp)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        try:
            yield temp
        finally:
            remove_with_sidecars(temp)
    finally:
        marker.release()


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename durable (not possible, nor needed, on Windows)."""
    sync_directory(folder)


def check_copy_target(target: Path, noun: str) -> None:
    """Where a copy of a database may go (`noun`: 'back-up' or 'kopie'): a file name in an
    existing folder, never a name SQLite uses beside a database (writing `d.db-wal` would make
    SQLite treat the copy as d.db's log). Whether an existing file may be replaced is the
    caller's rule."""
    if target.is_dir():
        raise ValidationError(f"{target} is een map; geef een bestandsnaam voor de {noun} op.")
    if not target.parent.is_dir():
        raise ValidationError(f"De map {target.parent} bestaat niet; maak die eerst aan.")
    if target.name.endswith(SIDECARS):
        raise ValidationError(
            f"{target.name} is de naam van een hulpbestand van een database (-wal, -shm, "
            f"-journal); kies een andere naam voor de {noun}."
        )


def exists_error(target: Path) -> ValidationError:
    return ValidationError(f"{target} bestaat al; kies een andere naam of gebruik --overschrijf.")


def publish(
    temp: Path, target: Path, *, replace: bool, exists: ValidationError | None = None
) -> None:
    """Move a complete temporary file into place: fsync, 0600, then link (never replaces) or,
    with `replace`, an atomic rename; then fsync the folder."""
    fsync_file(temp)
    os.chmod(temp, 0o600)
    if replace:
        os.replace(temp, target)
    else:
        try:
            # link() fails when the target exists, so a file created meanwhile is never replaced.
            os.link(temp, target)
        except FileExistsError:
            raise exists or exists_error(target) from None
        except OSError:
            # File systems without hard links (FAT on a USB stick): check, then rename.
            if target.exists():
                raise exists or exists_error(target) from None
            os.replace(temp, target)
    fsync_folder(target.parent if str(target.parent) else Path("."))


def write_new_file(
    target: Path,
    write: Callable[[BinaryIO], object],
    *,
    replace: bool = False,
    exists: ValidationError | None = None,
    before_publish: Callable[[], object] | None = None,
) -> Path:
    """Write a file through `write(handle)`; a crash or error leaves no file and no copy.
    `before_publish` (an audit entry) runs when the content is on disk and before it is put
    into place: when it raises, nothing is published and a file being replaced stays."""
    outcome = (
        "er is geen bestand gemaakt" if not replace else "het bestaande bestand is ongewijzigd"
    )
    try:
        with private_temp(target) as temp:
            with open(temp, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            if before_publish is not None:
                before_publish()
            publish(temp, target, replace=replace, exists=exists)
    except MhtoolError:
        raise
    except OSError as error:
        raise file_error(error, target, outcome) from None
    return target


# --- cleaning up after a crash -------------------------------------------------------------------


def _live_temps() -> tuple[set[Path], list[Path]]:
    """Temporary files whose writer still runs, and markers of writers that are gone."""
    live: set[Path] = set()
    dead: list[Path] = []
    unreadable: list[Path] = []
    folder = registry_dir()
    try:
        entries = list(folder.iterdir())
    except OSError:
        return live, dead
    markers = [m for m in entries if m.name.endswith(MARKER_SUFFIX)]
    for draft in (m for m in entries if m.name.endswith(".nieuw")):
        _remove_if_unlocked(draft)  # a writer killed before its marker was complete
    for marker in markers:
        try:
            fd = os.open(marker, os.O_RDWR)
        except OSError:
            continue
        try:
            if try_lock(fd):
                dead.append(marker)
                continue
            # Alive. (On Windows its locked first byte cannot even be read: then the name is
            # unknown, and a folder sweep leaves every temp file it might be alone.)
            try:
                live.add(Path(_canonical(Path(os.fsdecode(os.read(fd, 65536))))))
            except OSError:
                unreadable.append(marker)
        finally:
            os.close(fd)
    if unreadable:
        live.add(_ANY)
    return live, dead


# Stands for "some live writer's temp file could not be named": sweeps then remove nothing.
_ANY = Path("\0")


def _remove_if_unlocked(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return
    try:
        if try_lock(fd):
            with contextlib.suppress(OSError):
                path.unlink()
    finally:
        os.close(fd)


def clean_leftovers(folders: Iterable[Path] = (), keep: Iterable[Path] = ()) -> list[Path]:
    """Remove every temporary file a killed mhtool left behind: those named by an unlocked
    marker, and any recognisable one in `folders` that no running mhtool is writing (never
    one of `keep`: the database in use). Returns the ones that could not be removed (for
    `mhtool info` to name)."""
    live, dead = _live_temps()
    live |= {Path(_canonical(p)) for p in keep}
    stuck: list[Path] = []
    for marker in dead:
        try:
            text = os.fsdecode(marker.read_bytes())
        except OSError:
            continue
        named = Path(text)
        if not text or not is_temp_name(named.name):
            continue  # not a marker of ours: never remove what it names
        if not named.parent.is_dir():
            continue  # its medium is away (a USB stick, a share): keep the marker for later
        if remove_with_sidecars(named):
            with contextlib.suppress(OSError):
                marker.unlink()
        else:
            stuck.append(named)
    for folder in folders:
        try:
            names = [p for p in folder.iterdir() if is_temp_name(p.name)]
        except OSError:
            continue
        for path in names:
            base = path
            for s in SIDECARS:
                if path.name.endswith(TEMP_SUFFIX + s):
                    base = path.with_name(path.name[: -len(s)])
            if _ANY in live or Path(_canonical(base)) in live:
                continue
            if not remove_with_sidecars(base) and base not in stuck:
                stuck.append(base)
    return stuck


# --- recognising an earlier export ------------------------------------------------------------

_WRITTEN = "geschreven"  # SHA-256 of each export written, one per line, newest last
_WRITTEN_KEEP = 1000


def _digest(path: Path) -> str | None:
    import hashlib

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def remember_written(path: Path) -> None:
    """Note the content hash of an export just written (best effort), so `--overschrijf` can
    later tell it, unchanged, from a file of the user's own with the same name. Only a hash:
    nothing of the content can be read back from it."""
    digest = _digest(path)
    if digest is None:
        return
    book = registry_dir() / _WRITTEN
    with contextlib.suppress(OSError):
        book.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        known = book.read_text(encoding="ascii").split() if book.exists() else []
        known = [*known[-(_WRITTEN_KEEP - 1) :], digest]
        write_new_file(book, lambda h: h.write(("\n".join(known) + "\n").encode()), replace=True)


def was_written(path: Path) -> bool:
    """Whether `path` holds, byte for byte, an export this account's mhtool wrote."""
    digest = _digest(path)
    try:
        known = (registry_dir() / _WRITTEN).read_text(encoding="ascii").split()
    except OSError:
        return False
    return digest is not None and digest in known
