"""`mhtool backup`: a verified copy of the database, for the user to keep somewhere safe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mhtool.store.backup import backup_to, check_target
from mhtool.store.connection import Store


@dataclass(frozen=True)
class BackupView:
    path: str
    size_bytes: int
    schema_version: int
    signals: int
    encrypted: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "pad": self.path,
            "grootte_bytes": self.size_bytes,
            "schemaversie": self.schema_version,
            "signalen": self.signals,
            "versleuteld": self.encrypted,
        }


def make_backup(
    store: Store,
    target: Path,
    user: str,
    *,
    overwrite: bool,
    new_passphrase: Callable[[], str] | None = None,
    full_check: bool = False,
) -> BackupView:
    """`new_passphrase` is asked only for a plain database: its copy becomes encrypted.

    A backup is a full copy of every person in the file, so it goes into the audit log (BIO)
    once it is made and verified, before it is put into place: if that entry cannot be written,
    the copy is never published (an earlier backup it would replace is kept) rather than left
    behind unaccounted for."""
    from mhtool.errors import DatabaseError, DatabaseInUseError, MhtoolError
    from mhtool.services.audit import record, record_refusal

    new_key = None
    try:
        # Before asking for a passphrase; an encrypted earlier backup is re-checked with the key.
        check_target(store, target.expanduser(), overwrite, store.key)
        if new_passphrase is not None and not store.encrypted:
            from mhtool.store.cipher import key_material

            new_key = key_material(new_passphrase())
        done = backup_to(
            store,
            target,
            overwrite=overwrite,
            new_key=new_key,
            full_check=full_check,
            before_publish=lambda made: record(
                store,
                user,
                "backup",
                "database",
                details={
                    "versleuteld": made.encrypted,
                    "signalen": made.signals,
                    "volledig": full_check,
                },
            ),
        )
    except (DatabaseError, DatabaseInUseError):
        raise  # the file itself is the problem: logging would fail the same way
    except MhtoolError as error:
        record_refusal(store, user, "backup", "database", "", error)
        raise
    return BackupView(
        path=str(done.path),
        size_bytes=done.size_bytes,
        schema_version=done.schema_version,
        signals=done.signals,
        encrypted=done.encrypted,
    )
