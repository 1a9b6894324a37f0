"""Where the passphrase of an encrypted database comes from, in this order:

1. `MHTOOL_WACHTWOORD`, meant for automation only (an environment variable can be read by other
   processes of the same user and may end up in shell history or CI logs);
2. the OS keyring, when the optional `keyring` package is installed (`mhtool[sleutelbos]`) and
   `MHTOOL_SLEUTELBOS` is not `uit`; the entry is stored per absolute database path;
3. a hidden prompt, only when standard input is a terminal; at creation it is asked twice.

Never a command-line option: arguments are visible to every user in the process list. With no
terminal and no key the command stops with a Dutch sentence instead of waiting for input.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from mhtool.errors import DatabaseError, MhtoolError, ValidationError

PASSPHRASE_ENV = "MHTOOL_WACHTWOORD"
KEYRING_ENV = "MHTOOL_SLEUTELBOS"
KEYRING_SERVICE = "mhtool"
MIN_LENGTH = 10


def ask_passphrase(path: Path, new: bool) -> str:
    """The PassphraseSource the CLI hands to the store."""
    from_env = os.environ.get(PASSPHRASE_ENV, "")
    if from_env:
        if new:
            check_new_passphrase(from_env)
        return from_env
    if not new:
        stored = keyring_passphrase(path)
        if stored:
            return stored
    if not sys.stdin.isatty():
        if new:
            raise DatabaseError(
                "Voor een versleutelde database is een wachtwoord nodig, maar er is geen terminal "
                f"om het te vragen; start mhtool in een terminal (of zet {PASSPHRASE_ENV}, alleen "
                "voor automatisering)."
            )
        raise DatabaseError(
            f"{path} is versleuteld en er is geen terminal om het wachtwoord te vragen; start "
            f"mhtool in een terminal (of zet {PASSPHRASE_ENV}, alleen voor automatisering)."
        )
    if not new:
        return _prompt(f"Wachtwoord voor {path.name}: ")
    first = _prompt("Kies een wachtwoord voor de nieuwe database: ")
    while len(first) < MIN_LENGTH:  # at a terminal a short one is asked again, not fatal
        sys.stderr.write(f"{TOO_SHORT} Kies een langer wachtwoord (Ctrl-C stopt).\n")
        first = _prompt("Kies een wachtwoord voor de nieuwe database: ")
    if _prompt("Typ het wachtwoord nogmaals: ") != first:
        raise ValidationError("De wachtwoorden zijn niet gelijk; er is niets aangemaakt.")
    return first


TOO_SHORT = (
    f"Het wachtwoord is te kort; gebruik minstens {MIN_LENGTH} tekens (een zin van een paar "
    "woorden is sterk en goed te onthouden)."
)


def check_new_passphrase(value: str) -> None:
    if len(value) < MIN_LENGTH:
        raise ValidationError(f"{TOO_SHORT} Er is niets aangemaakt.")


def _prompt(message: str) -> str:
    # getpass writes the prompt to the terminal and turns echo off; Ctrl-C/Ctrl-D become the
    # CLI's usual "Afgebroken".
    return getpass.getpass(message)


def _keyring_enabled() -> bool:
    return os.environ.get(KEYRING_ENV, "").strip().lower() not in ("uit", "nee", "0", "off")


def _keyring_user(path: Path) -> str:
    return str(path.expanduser().resolve())


def keyring_passphrase(path: Path) -> str | None:
    """The stored passphrase, or None when there is no keyring, no entry, or any keyring error."""
    if not _keyring_enabled():
        return None
    try:
        import keyring
    except ImportError:
        return None
    try:
        value = keyring.get_password(KEYRING_SERVICE, _keyring_user(path))
    except Exception:  # noqa: BLE001 - a broken or locked keyring falls back to the prompt
        return None
    return value if isinstance(value, str) and value else None


def keyring_available() -> None:
    """Raise a Dutch error when `init --sleutelbos` cannot work, before anything is created."""
    if not _keyring_enabled():
        raise MhtoolError(f"De sleutelbos is uitgeschakeld met {KEYRING_ENV}.")
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        raise MhtoolError(
            "Voor --sleutelbos is het pakket 'keyring' nodig: installeer mhtool[sleutelbos]."
        ) from None
    if isinstance(keyring.get_keyring(), fail.Keyring):
        raise MhtoolError(
            "Er is geen sleutelbos van het besturingssysteem beschikbaar; laat --sleutelbos weg "
            "en typ het wachtwoord bij elk gebruik."
        )


def store_in_keyring(path: Path, passphrase: str) -> None:
    import keyring

    try:
        keyring.set_password(KEYRING_SERVICE, _keyring_user(path), passphrase)
    except Exception:  # noqa: BLE001 - reported as one Dutch sentence
        raise MhtoolError(
            "Het wachtwoord kon niet in de sleutelbos worden bewaard; de database is wel "
            "aangemaakt. Typ het wachtwoord bij elk gebruik."
        ) from None
