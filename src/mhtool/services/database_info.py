"""What `mhtool info` reports about the database: a file, or a database on a server.

Apart from services/database.py, which every command imports to open its file: this report
(a dataclass, the signal counts) is needed by `info` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mhtool.portability import POSIX
from mhtool.store.connection import PassphraseSource, Store, schema_version
from mhtool.store.open_store import open_store

# The stable --json codes of `info`'s "verbinding" on a server.
TRANSPORT_CODES = {
    "socket": "socket",
    "tls-verified": "tls-gecontroleerd",
    "tls": "tls-niet-gecontroleerd",
    "plain": "onversleuteld",
}


@dataclass(frozen=True)
class DatabaseInfo:
    path: str
    source: str
    exists: bool
    size_bytes: int
    schema_version: int | None
    file_mode: str | None
    signals: int | None
    open_signals: int | None
    encrypted: bool | None = None
    upgraded: tuple[int, int, Path | None] | None = None  # opening upgraded it: (from, to, copy)
    tightened_from: int | None = None  # opening made it 0600; its mode before
    leftovers: tuple[str, ...] = ()  # temporary files of a killed mhtool that could not go
    # On a server: the login name (the user in history and audit); None for a file.
    login: str | None = None
    on_server: bool = False
    # On a server: how the connection travels (Store.transport); None for a file.
    transport: str | None = None

    def as_json(self) -> dict[str, Any]:
        if self.on_server:
            # The keys of a file where they apply; a server has no size, file permissions or
            # file encryption to report (encryption at rest is the host's: docs/server.md).
            return {
                "adres": self.path,
                "bron": self.source,
                "server": True,
                "bestaat": self.exists,
                "schemaversie": self.schema_version,
                "gebruiker": self.login,
                "verbinding": TRANSPORT_CODES.get(self.transport or "", self.transport),
                "signalen": self.signals,
                "open_signalen": self.open_signals,
                "achtergebleven_tijdelijke_bestanden": list(self.leftovers),
            }
        return {
            "pad": self.path,
            "bron": self.source,
            "bestaat": self.exists,
            "grootte_bytes": self.size_bytes,
            "schemaversie": self.schema_version,
            "bestandsrechten": self.file_mode,
            "signalen": self.signals,
            "open_signalen": self.open_signals,
            "versleuteld": self.encrypted,
            "achtergebleven_tijdelijke_bestanden": list(self.leftovers),
        }


def database_info(
    path: Path, source: str, passphrase: PassphraseSource | None = None
) -> DatabaseInfo:
    """Describe the file without creating it when it does not exist yet."""
    if not path.exists():
        from mhtool.safe_file import clean_leftovers

        stuck = tuple(str(p) for p in clean_leftovers())
        return DatabaseInfo(str(path), source, False, 0, None, None, None, None, leftovers=stuck)
    store = open_store(path, create=False, passphrase=passphrase)
    try:
        with store.read():
            version = schema_version(store)
            from mhtool.store.signals import count_signals

            total, still_open = count_signals(store)
        encrypted = store.encrypted
        upgraded, tightened_from = store.upgraded, store.tightened_from
        leftovers = tuple(str(p) for p in store.leftovers)
    finally:
        store.close()
    return DatabaseInfo(
        path=str(path),
        source=source,
        exists=True,
        size_bytes=path.stat().st_size,
        schema_version=int(version),
        file_mode=f"{path.stat().st_mode & 0o777:04o}" if POSIX else None,
        signals=total,
        open_signals=still_open,
        encrypted=encrypted,
        upgraded=upgraded,
        tightened_from=tightened_from,
        leftovers=leftovers,
    )


def server_info(store: Store, source: str) -> DatabaseInfo:
    """Describe a database on a server: its address as shown to the user (never a password),
    the schema version, who is logged in and the signal counts, read in one snapshot. The
    counts are what this login may see (row-level security decides on the server)."""
    from mhtool.safe_file import clean_leftovers
    from mhtool.store.signals import count_signals

    with store.read():
        version = schema_version(store)
        total, still_open = count_signals(store)
        login = store.user
        transport = store.transport
    # Temporary files of a killed export lie on this computer, whatever the database.
    stuck = tuple(str(p) for p in clean_leftovers())
    return DatabaseInfo(
        path=store.location,
        source=source,
        exists=True,
        size_bytes=0,
        schema_version=int(version),
        file_mode=None,
        signals=total,
        open_signals=still_open,
        upgraded=store.upgraded,
        leftovers=stuck,
        login=login,
        on_server=True,
        transport=transport,
    )
