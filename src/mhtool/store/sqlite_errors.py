"""Driver errors (stdlib sqlite3, sqlcipher3, and psycopg for a server) translated into one Dutch sentence each.

Kept apart from `connection.py` so that `cipher.py` can use it without importing the connection
module that imports it: the store modules form a tree, not a circle.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import Iterator

from mhtool.errors import DatabaseError, DatabaseInUseError, MhtoolError

# Primary SQLite result codes (the low byte of an extended code).
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
IN_USE_CODES = (SQLITE_BUSY, SQLITE_LOCKED)

IN_USE_MESSAGE = "De database is in gebruik door een ander proces; probeer het zo opnieuw."
CORRUPT_MESSAGE = (
    "Het databasebestand is beschadigd (SQLite vond fouten in de inhoud); er is niets gewijzigd. "
    "Zet een back-up terug (zie 'mhtool backup --help')."
)


def driver_error_types() -> tuple[type[Exception], ...]:
    """The error base classes of every SQLite driver loaded in this process.

    sqlcipher3 has its own exception hierarchy, unrelated to the stdlib's, so `except
    sqlite3.Error` alone would let its errors through as tracebacks. It is only looked up, never
    imported here: a process that never opened an encrypted file has not loaded it.
    """
    found: list[type[Exception]] = [sqlite3.Error]
    cipher = sys.modules.get("sqlcipher3.dbapi2")
    if cipher is not None:
        found.append(cipher.Error)
    server = sys.modules.get("psycopg")
    if server is not None:
        found.append(server.Error)
    return tuple(found)


@contextlib.contextmanager
def translate_sqlite_errors() -> Iterator[None]:
    """Turn driver errors into one Dutch sentence; the SQL and its values never reach the user."""
    try:
        yield
    except MhtoolError:
        raise
    except Exception as error:
        if not isinstance(error, driver_error_types()):
            raise
        raise translated_error(error) from None


def translated_error(error: Exception) -> MhtoolError:
    """Map a driver error to a Dutch error by its SQLite result code (text as a fallback)."""
    if type(error).__module__.startswith("psycopg"):
        from mhtool.store.postgres_errors import translated_server_error

        return translated_server_error(error)
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(error).lower()
    if code in IN_USE_CODES or "locked" in text or "busy" in text:
        return DatabaseInUseError(IN_USE_MESSAGE)
    if code == SQLITE_FULL or "full" in text:
        return DatabaseError(
            "De schijf of database is vol; er is niets opgeslagen. Maak ruimte vrij en probeer "
            "het opnieuw."
        )
    if code == SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return DatabaseError(
            "De database kan niet worden beschreven (alleen-lezen); controleer de rechten."
        )
    if code == SQLITE_CORRUPT or "malformed" in text:
        return DatabaseError(CORRUPT_MESSAGE)
    if code == SQLITE_NOTADB or "not a database" in text:
        return DatabaseError(
            "Het bestand is geen (leesbare) mhtool-database; er is niets gewijzigd."
        )
    if code == SQLITE_IOERR or "disk i/o" in text:
        return DatabaseError(
            "Lezen of schrijven van het databasebestand mislukte (schijffout?); er is niets "
            "opgeslagen. Controleer de schijf en probeer het opnieuw."
        )
    if code == SQLITE_CANTOPEN or "unable to open" in text:
        return DatabaseError("Het databasebestand kan niet worden geopend; controleer het pad.")
    if type(error).__name__ == "IntegrityError":
        # A constraint (UNIQUE, CHECK, foreign key) refused a write: the file is fine, the
        # input clashed with what is stored. Saying 'beschadigd' would send people to a backup.
        return MhtoolError(
            "Deze gegevens botsen met wat er al is vastgelegd (dubbel of niet passend); er is "
            "niets gewijzigd. Controleer de invoer met 'mhtool signaal toon'."
        )
    if type(error).__name__ == "OperationalError":
        return DatabaseError(
            "De database gaf een fout; er is niets gewijzigd. Controleer het bestand met "
            "'mhtool info'."
        )
    return DatabaseError(
        "Het databasebestand is beschadigd of geen mhtool-database; er is niets gewijzigd."
    )
