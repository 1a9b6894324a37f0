"""A PostgreSQL password kept in the OS keyring, for `mhtool server wachtwoord` and the connect
code of the server backend.

A password never travels on the command line or in the address (domain/server_address.py
refuses both): libpq reads `.pgpass`/`PGPASSFILE` by itself, and this module offers the OS
keyring (Windows Credential Manager, macOS Keychain, Secret Service on Linux) through the
optional `keyring` package (`mhtool[sleutelbos]`, the same one the passphrase of an encrypted
file uses). Entries live under the service name `mhtool-server` with the key
`user@host:port/dbname`, filled in the way libpq would (PGUSER or the login name, `localhost`
for the default socket, PGPORT or 5432), so one entry serves every spelling of one address.

Lookups never fail: no package, no keyring, a locked one or no entry all mean None, and libpq
then falls back to `.pgpass` (or the server says a password is needed). `MHTOOL_SLEUTELBOS=uit`
switches the keyring off here too.

Outside the layers like session_keys.py: it is neither domain nor store, and both the services
(`mhtool server wachtwoord`) and the store's connect code use it.
"""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING

from mhtool.errors import MhtoolError

if TYPE_CHECKING:
    from mhtool.domain.server_address import ServerAddress

KEYRING_SERVICE = "mhtool-server"
KEYRING_ENV = "MHTOOL_SLEUTELBOS"
DEFAULT_PORT = 5432


def keyring_enabled() -> bool:
    return os.environ.get(KEYRING_ENV, "").strip().lower() not in ("uit", "nee", "0", "off")


def password_key(address: ServerAddress) -> str:
    """`user@host:port/dbname` as libpq would connect: the defaults it would use filled in."""
    user = address.user or os.environ.get("PGUSER", "").strip() or _login_name()
    host = address.host or "localhost"
    port = address.port or _port_from_environment()
    return f"{user}@{host}:{port}/{address.dbname}"


def server_password(address: ServerAddress) -> str | None:
    """The stored password for `address`, or None (no keyring package, no usable keyring, no
    entry, or any keyring error): never an error, the connection then tries `.pgpass`."""
    if not keyring_enabled():
        return None
    try:
        import keyring

        value = keyring.get_password(KEYRING_SERVICE, password_key(address))
    except Exception:  # noqa: BLE001 - a missing, broken or locked keyring is just "none"
        return None
    return value if isinstance(value, str) and value else None


def check_keyring() -> None:
    """Raise one Dutch sentence when no password can be stored, before anything is asked."""
    if not keyring_enabled():
        raise MhtoolError(
            f"De sleutelbos is uitgeschakeld met {KEYRING_ENV}; zet het wachtwoord in uw "
            ".pgpass-bestand (zie docs/server.md)."
        )
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        raise MhtoolError(
            "Voor het bewaren van een wachtwoord is het pakket 'keyring' nodig: installeer "
            "mhtool[sleutelbos], of zet het wachtwoord in uw .pgpass-bestand (zie docs/server.md)."
        ) from None
    try:
        usable = not isinstance(keyring.get_keyring(), fail.Keyring)
    except Exception:  # noqa: BLE001 - a broken keyring configuration
        usable = False
    if not usable:
        raise MhtoolError(
            "Er is geen sleutelbos van het besturingssysteem beschikbaar; zet het wachtwoord in "
            "uw .pgpass-bestand (zie docs/server.md)."
        )


def store_server_password(address: ServerAddress, password: str) -> str:
    """Keep `password` for `address`; returns the key it is stored under."""
    check_keyring()
    import keyring

    key = password_key(address)
    try:
        keyring.set_password(KEYRING_SERVICE, key, password)
    except Exception:  # noqa: BLE001 - reported as one Dutch sentence
        raise MhtoolError(
            "Het wachtwoord kon niet in de sleutelbos worden bewaard (is die vergrendeld?); er "
            "is niets bewaard."
        ) from None
    return key


def forget_server_password(address: ServerAddress) -> bool:
    """Remove the stored password of `address`; True when there was one."""
    check_keyring()
    import keyring
    from keyring.errors import PasswordDeleteError

    key = password_key(address)
    try:
        if keyring.get_password(KEYRING_SERVICE, key) is None:
            return False
        keyring.delete_password(KEYRING_SERVICE, key)
    except PasswordDeleteError:
        return False
    except Exception:  # noqa: BLE001 - reported as one Dutch sentence
        raise MhtoolError(
            "De sleutelbos kon het wachtwoord niet verwijderen (is die vergrendeld?); probeer "
            "het opnieuw."
        ) from None
    return True


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name known (some containers)
        return ""


def _port_from_environment() -> int:
    raw = os.environ.get("PGPORT", "").strip()
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 65535 else DEFAULT_PORT
