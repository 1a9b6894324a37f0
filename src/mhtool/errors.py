"""The one error type that crosses layers, and the exit codes a user's script can rely on.

Services and the store raise `MhtoolError` with a Dutch sentence meant for the user; the CLI
prints it once, at the top, and exits with its code. Messages must never contain personal data
beyond what the user just typed, because they may end up in a terminal scrollback or a log.
"""

from __future__ import annotations

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


class NotCompactedError(MhtoolError):
    """The deletion is committed; only rewriting the file (VACUUM, WAL checkpoint) failed, so
    the user must hear that it happened and what still has to be done, not 'nothing saved'."""

    exit_code = ExitCode.NOT_COMPACTED
