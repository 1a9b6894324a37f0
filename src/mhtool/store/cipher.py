"""Opening an encrypted database with SQLCipher (the `sqlcipher3` package, SQLCipher 4 bundled).

`sqlcipher3` is imported here and only here, and only when a file is encrypted or `init
--versleuteld` asks for one, so plain databases and `mhtool --help` never pay for it.

The passphrase never goes into SQL text as typed. SQLCipher's `PRAGMA key` takes no bound
parameters, so the key material is the UTF-8 passphrase written as hexadecimal digits: a string
that cannot contain a quote, whatever the user typed, and that SQLCipher's key derivation
(PBKDF2-HMAC-SHA512) stretches like any passphrase. To open such a file with another SQLCipher
tool, give the hex form of the passphrase as the key.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, cast

from mhtool.errors import DatabaseError


def key_material(passphrase: str) -> str:
    """The passphrase as the string handed to `PRAGMA key`: hex digits only."""
    if not passphrase:
        raise DatabaseError("Een leeg wachtwoord kan een versleutelde database niet openen.")
    return passphrase.encode("utf-8").hex()


RAW_PREFIX = "raw:"
"""Key strings starting with this hold a derived raw key and the file's salt (hex), see
`raw_key`; every other key string is passphrase material."""
KDF_ROUNDS = 256_000  # SQLCipher 4's default PBKDF2-HMAC-SHA512 work factor
SALT_BYTES = 16


def raw_key(material: str, path: Path) -> str | None:
    """The key SQLCipher would derive from `material` for `path`, with the file's salt, as a key
    string for `connect_encrypted`: opening with it skips the key derivation. None when the
    file's salt cannot be read."""
    import hashlib

    try:
        with path.open("rb") as handle:
            salt = handle.read(SALT_BYTES)
    except OSError:
        return None
    if len(salt) != SALT_BYTES:
        return None
    derived = hashlib.pbkdf2_hmac("sha512", material.encode("ascii"), salt, KDF_ROUNDS, 32)
    return RAW_PREFIX + derived.hex() + salt.hex()


def driver() -> Any:
    try:
        import sqlcipher3
    except ImportError:
        raise DatabaseError(
            "Versleuteling vraagt het pakket 'sqlcipher3', dat niet is geïnstalleerd; installeer "
            "mhtool opnieuw met zijn afhankelijkheden."
        ) from None
    return sqlcipher3


def connect_encrypted(path: Path, key: str, timeout_s: float) -> sqlite3.Connection:
    """Open `path` with the key; a wrong key gives one Dutch sentence and nothing on stderr.

    The returned object is a sqlcipher3 connection. It has the same DB-API surface as
    `sqlite3.Connection` (sqlite-utils accepts it too), so the rest of the store treats it as one;
    only its exception classes differ, which `translate_sqlite_errors` handles.
    """
    sqlcipher3 = driver()
    conn = sqlcipher3.connect(str(path), isolation_level=None, timeout=timeout_s)
    try:
        # SQLCipher logs failed HMAC checks to stderr by default; the user gets our sentence.
        conn.execute("PRAGMA cipher_log_level = NONE")
        # `key` holds hex digits only (see key_material, raw_key), so this cannot inject SQL.
        if key.startswith(RAW_PREFIX):
            conn.execute(f"PRAGMA key = \"x'{_checked_hex(key[len(RAW_PREFIX) :])}'\"")
        else:
            conn.execute(f"PRAGMA key = '{_checked_hex(key)}'")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as error:
        conn.close()
        from mhtool.store.sqlite_errors import IN_USE_CODES, translated_error

        if (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF in IN_USE_CODES:
            raise translated_error(error) from None
        raise DatabaseError(
            f"Het wachtwoord voor {path} is onjuist, of het bestand is geen versleutelde "
            "mhtool-database. Er is niets gewijzigd."
        ) from None
    return cast(sqlite3.Connection, conn)


def _checked_hex(key: str) -> str:
    if not key or any(c not in "0123456789abcdef" for c in key):
        raise ValueError("key material must be lowercase hex")
    return key
