"""Reaching a PostgreSQL server: which address, whether the wire policy allows it, and the
password kept for it (the use cases of `mhtool server wachtwoord`; the connect code of the
server backend uses `server_address` and `mhtool.server_passwords.server_password`).

The lab override (`MHTOOL_SERVER_ZONDER_TLS=ja-testomgeving`) is read here, from the
environment of this one process, and handed to the pure policy in domain/server_address.py.
None of these touch a database, so nothing is written to an audit log.
"""

from __future__ import annotations

import os

from mhtool.domain.server_address import (
    ServerAddress,
    is_server_address,
    lab_override_set,
    parse_server_address,
)
from mhtool.errors import ValidationError


def server_address(text: str) -> ServerAddress:
    """`text` (from --db or MHTOOL_DB) checked against the policy, with the lab override as
    this process's environment says."""
    return parse_server_address(text, lab_override=lab_override_set(os.environ))


def chosen_server_address(given: str | None, db_flag: str | None) -> ServerAddress:
    """The server `mhtool server wachtwoord` is about: the address given to the command, else
    the database of --db or MHTOOL_DB; a file there is not a server."""
    from mhtool.services.database import ENV_VAR, server_target

    target = server_target(db_flag) if not given else None
    text = given.strip() if given else (target[0] if target else "")
    if not text or not is_server_address(text):
        raise ValidationError(
            "Geef het adres van de server (postgresql://...) na de opdracht, met --db of in "
            f"{ENV_VAR}; een wachtwoord hoort alleen bij een server, niet bij een bestand."
        )
    return server_address(text)


def save_password(address: ServerAddress, password: str) -> str:
    """Keep the password for `address` in the OS keyring; returns the key (user@host:port/db)."""
    from mhtool.server_passwords import store_server_password

    if not password:
        raise ValidationError("Het wachtwoord is leeg; er is niets bewaard.")
    return store_server_password(address, password)


def forget_password(address: ServerAddress) -> bool:
    """Remove the kept password for `address`; True when there was one."""
    from mhtool.server_passwords import forget_server_password

    return forget_server_password(address)


def check_keyring() -> None:
    """Refuse before asking for a password that could not be kept."""
    from mhtool.server_passwords import check_keyring as check

    check()


def key_of(address: ServerAddress) -> str:
    from mhtool.server_passwords import password_key

    return password_key(address)
