"""What `mhtool info` reports about the database file.

Apart from services/database.py, which every command imports to open its file: this report
(a dataclass, the signal counts) is needed by `info` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mhtool.portability import POSIX
from mhtool.store.connection import PassphraseSource, schema_version
from mhtool.store.open_store import open_store


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

    def as_json(self) -> dict[str, Any]:
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
