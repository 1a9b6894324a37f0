"""The one error type that crosses layers, and the exit codes a user's script can rely on.

Services and the store raise `MhtoolError` with a Dutch sentence meant for the user; the CLI
prints it once, at the top, and exits with its code. Messages must never contain personal data
beyond what the user just typed, because they may end up in a terminal scrollback or a log.
"""

from __future__ import annotations

import errno
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # generic failure
    USAGE = 2  # bad flags or values (same code click uses for usage errors)
    NOT_FOUND = 3  # unknown id, nothing matched
    DATABASE = 4  # not an mhtool database, damaged, newer schema
    IN_USE = 5  # locked by another process
    READ_ONLY = 6  # the action is not allowed in the current state (closed signal)
    NOT_COMPACTED = 7  # deleted and committed, but the file still needs `mhtool opschonen`
    FILE = 8  # a file or folder could not be read or written: no access, read-only, disk full
    INTERNAL = 70  # a bug: reported without details
    ABORTED = 130  # Ctrl-C


class MhtoolError(Exception):
    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class ValidationError(MhtoolError):
    exit_code = ExitCode.USAGE


class NotFoundError(MhtoolError):
    exit_code = ExitCode.NOT_FOUND


class DatabaseError(MhtoolError):
    exit_code = ExitCode.DATABASE


class DatabaseInUseError(MhtoolError):
    exit_code = ExitCode.IN_USE


class NotAllowedError(MhtoolError):
    exit_code = ExitCode.READ_ONLY


class AbortedError(MhtoolError):
    """The user said no to a confirmation: the command's own sentence, exit code 130."""

    exit_code = ExitCode.ABORTED


class NotCompactedError(MhtoolError):
    """The deletion is committed; only rewriting the file (VACUUM, WAL checkpoint) failed, so
    the user must hear that it happened and what still has to be done, not 'nothing saved'."""

    exit_code = ExitCode.NOT_COMPACTED


class FileAccessError(MhtoolError):
    """The operating system refused a file (rights, read-only medium, full disk): not bad
    input, not a damaged database, so it has its own exit code."""

    exit_code = ExitCode.FILE


# The longest file name (one path component) most file systems accept, in bytes.
NAME_MAX_BYTES = 255


def check_name_length(path: object) -> None:
    """Refuse a path with a component over 255 bytes before the OS does so half-way."""
    for part in str(path).replace("\\", "/").split("/"):
        if len(part.encode("utf-8", "surrogateescape")) > NAME_MAX_BYTES:
            raise ValidationError(_too_long(path))


# SQLite and mhtool keep files named after the database beside it, the longest being
# `NAME.mhtool-lock` (12 bytes more; `-journal`, `-wal` and `-shm` are shorter).
DATABASE_NAME_MAX_BYTES = NAME_MAX_BYTES - len(".mhtool-lock")


def check_database_name(path: object) -> None:
    """A database (or a backup, which is used as one to restore) needs room in its name for
    the files beside it: refuse a longer name before anything is created."""
    check_name_length(path)
    name = str(path).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    if len(name.encode("utf-8", "surrogateescape")) > DATABASE_NAME_MAX_BYTES:
        raise ValidationError(
            f"De naam van {path} is te lang voor een database: hoogstens "
            f"{DATABASE_NAME_MAX_BYTES} bytes, want SQLite en mhtool zetten er bestanden met "
            "een langere naam naast (zoals -wal); kies een kortere naam."
        )


def _too_long(path: object, tail: str = "") -> str:
    return (
        f"De bestandsnaam in {path} is te lang (een naam mag hoogstens {NAME_MAX_BYTES} bytes "
        f"zijn){tail}; kies een kortere naam."
    )


def file_error(error: OSError, path: object | None = None, outcome: str = "") -> MhtoolError:
    """One Dutch sentence for what the operating system refused, by errno, never its English
    text; `outcome` says what did (not) happen, e.g. 'er is geen bestand gemaakt'."""
    where = path if path is not None else (error.filename or "het bestand")
    tail = f"; {outcome}" if outcome else ""
    code = error.errno
    if code == errno.ENAMETOOLONG:
        return ValidationError(_too_long(where, tail))
    if code in (errno.ENOENT, errno.ENOTDIR):
        return ValidationError(
            f"De map van {where} bestaat niet{tail}; controleer het pad of maak de map eerst aan."
        )
    if code == errno.EISDIR:
        return ValidationError(f"{where} is een map{tail}; geef een bestandsnaam op.")
    if code == errno.EROFS:
        return FileAccessError(
            f"{where} staat op een alleen-lezen schijf of map{tail}; kies een map waarin u mag "
            "schrijven."
        )
    if code in (errno.EACCES, errno.EPERM):
        return FileAccessError(
            f"Geen toegang tot {where}{tail}; controleer de rechten of kies een andere map."
        )
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG):
        return FileAccessError(
            f"De schijf is vol (of het bestand te groot) bij {where}{tail}; maak ruimte vrij en "
            "probeer het opnieuw."
        )
    if code == errno.EEXIST:
        return ValidationError(f"{where} bestaat al{tail}; kies een andere naam.")
    return FileAccessError(
        f"{where} kon niet worden gelezen of geschreven (systeemfout {code}){tail}; controleer "
        "het pad en de schijf."
    )


def os_reason(error: OSError) -> str:
    """What the operating system refused, as a short Dutch clause (for composed sentences)."""
    code = error.errno
    if code == errno.ENAMETOOLONG:
        return f"de naam is te lang (hoogstens {NAME_MAX_BYTES} bytes)"
    if code in (errno.ENOENT, errno.ENOTDIR):
        return "de map bestaat niet (of is geen map)"
    if code == errno.EROFS:
        return "de schijf of map is alleen-lezen"
    if code in (errno.EACCES, errno.EPERM):
        return "geen toegang (controleer de rechten)"
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG):
        return "de schijf is vol"
    if code == errno.EEXIST:
        return "er staat al iets met die naam"
    return f"systeemfout {code}"
