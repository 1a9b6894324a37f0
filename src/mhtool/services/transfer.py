"""`mhtool overzetten`: a file database onto an empty server database, or a server database into
a new file (an offline copy for a field visit).

One use case per direction, the same steps in between (`_copy`): the source is read in one
snapshot and its audit chain checked first; the target receives every table in one write
transaction, is read back and compared (rows and every value per table, the derived search and
statistics tables by count), its audit chain is checked, and only then does it commit. Nothing
is half-copied: any failure rolls the target back (a new file is never put in place).

Both audit logs record the copy, with counts only. The source's entry is written before the
target commits, as `mhtool backup` does: should that entry fail, no copy exists that its log
does not account for. The target refuses without an entry of its own (it must stay empty for
the next attempt); the source logs the refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mhtool.domain.audit import ChainCheck
from mhtool.errors import (
    DatabaseError,
    DatabaseInUseError,
    MhtoolError,
    NotAllowedError,
    ValidationError,
)
from mhtool.services.audit import audited, record, record_refusal
from mhtool.store import transfer as q
from mhtool.store.audit import anchor as audit_anchor
from mhtool.store.audit import verify_chain
from mhtool.store.connection import Store, translate_sqlite_errors
from mhtool.store.schema_info import tables_hiding_rows

ACTION = "overzetten"
TO_SERVER = "naar-server"
TO_FILE = "naar-bestand"


@dataclass(frozen=True)
class TransferView:
    direction: str
    source: str
    target: str
    tables: dict[str, int]  # rows copied per table, each equal on both sides
    derived: dict[str, int]  # rows the target's triggers made, equal to the source's
    audit_rows: int  # entries of the copied audit log, its chain verified in the target
    encrypted: bool  # the new file (a server is never encrypted by mhtool)
    skipped: tuple[str, ...] = ()  # tables this server login may not read: not copied

    @property
    def signals(self) -> int:
        return self.tables.get("signal", 0)

    def as_json(self) -> dict[str, Any]:
        return {
            "richting": self.direction,
            "van": self.source,
            "naar": self.target,
            "tabellen": self.tables,
            "afgeleid": self.derived,
            "aantallen_gelijk": True,
            "historie_gelijk": True,
            "auditlog_regels": self.audit_rows,
            "auditketen_in_orde": True,
            "versleuteld": self.encrypted,
            "niet_leesbaar": list(self.skipped),
        }


def move_to_server(source: Store, address: str, user: str) -> TransferView:
    """Copy the open file database into the (empty) server database at `address`."""
    from mhtool.services.database import open_server_database

    if source.on_server:
        raise ValidationError(
            "'overzetten --naar' zet een databasebestand over naar een server; de huidige "
            "database staat al op een server. Geef het bestand op met --db."
        )
    try:
        target = open_server_database(address)
    except MhtoolError as error:
        _log_refusal(source, user, TO_SERVER, error)
        raise
    try:
        return _copy(source, user, target, target.user or user, TO_SERVER)
    except MhtoolError as error:
        _log_refusal(source, user, TO_SERVER, error)
        raise
    finally:
        target.close()


def copy_to_file(
    address: str, path: Path, new_passphrase: Callable[[], str] | None = None
) -> TransferView:
    """Copy the server database at `address`, as far as this login may see it, into a new file
    at `path`; encrypted when `new_passphrase` is given (asked only once the file name is known
    to be free)."""
    from mhtool.services.database import open_server_database

    path = path.expanduser()
    q.check_new_file(path)
    source = open_server_database(address)
    try:
        user = source.user or ""
        key = None
        if new_passphrase is not None:
            from mhtool.store.cipher import key_material

            key = key_material(new_passphrase())
        try:
            with q.new_file(path, key, "er is geen kopie gemaakt") as target:
                view = _copy(source, user, target, user, TO_FILE)
        except MhtoolError as error:
            _log_refusal(source, user, TO_FILE, error)
            raise
        return TransferView(
            view.direction,
            view.source,
            str(path),
            view.tables,
            view.derived,
            view.audit_rows,
            key is not None,
            view.skipped,
        )
    finally:
        source.close()


def _log_refusal(source: Store, user: str, direction: str, error: MhtoolError) -> None:
    if not isinstance(error, DatabaseError | DatabaseInUseError):
        record_refusal(source, user, ACTION, "database", "", error, {"richting": direction})


def _copy(
    source: Store, source_user: str, target: Store, target_user: str, direction: str
) -> TransferView:
    with audited(target, target_user, ACTION, "database", log_refusal=False) as note:
        with source.read(), translate_sqlite_errors():
            # First: a role without signals (the region) may not read the audit log either.
            skipped = _unreadable(source)
            has_chain = _refuse_broken_chain(source)
            _refuse_non_empty(target)
            tables = q.plan(source, target, skipped)
            q.defer_foreign_keys(target)
            paused = q.pause_group_triggers(target)
            copied = [q.copy_table(source, target, table) for table in tables]
            if paused:
                q.rebuild_groups(target)
            if "signal_counter" in skipped:
                q.number_from_signals(target)
            derived = q.row_counts(source, q.DERIVED)
        with translate_sqlite_errors():
            for table, made in zip(tables, copied, strict=True):
                if q.table_digest(target, table) != made:
                    raise DatabaseError(
                        f"Na het kopiëren is de tabel {table.name} in de kopie niet gelijk aan "
                        "het origineel; er is niets overgezet. Meld dit aan de beheerder."
                    )
            made_derived = q.row_counts(target, derived)
            if made_derived != derived or q.foreign_key_problems(target):
                raise DatabaseError(
                    "Na het kopiëren kloppen de zoek- of telgegevens of de verwijzingen tussen "
                    "de tabellen niet; er is niets overgezet. Meld dit aan de beheerder."
                )
            chain = verify_chain(target, full=True)
        if not chain.ok and (has_chain or chain.rows > 0):
            raise DatabaseError(
                f"Na het kopiëren klopt de keten van het auditlog niet ({_problem(chain)}); er "
                "is niets overgezet. Meld dit aan de beheerder."
            )
        counts = {made.name: made.rows for made in copied}
        note.details.update({"richting": direction, **counts})
        # Before the target commits (see the module docstring).
        record(source, source_user, ACTION, "database", "", details=note.details)
    return TransferView(
        direction,
        source.location,
        target.location,
        counts,
        made_derived,
        counts.get("audit_log", 0),
        target.encrypted,
        skipped,
    )


def _unreadable(source: Store) -> tuple[str, ...]:
    """What the login may not read is not copied; without the signals there is no copy."""
    skipped = tuple(q.unreadable_tables(source))
    if "signal" in skipped:
        raise NotAllowedError(
            "Uw rol op de server ziet geen signalen (alleen samengetelde cijfers); daarvan maakt "
            "mhtool geen kopie. Er is niets gemaakt."
        )
    return skipped


def _problem(check: ChainCheck) -> str:
    return check.problem or "de beveiliging tegen wijzigen van het auditlog ontbreekt"


def _refuse_broken_chain(source: Store) -> bool:
    """True when the source has an audit chain to carry over (checked whole); False for a file
    from before the audit log (schema 1-2, not used since the upgrade): no entry and no anchor
    ever, so its log starts with this copy. An emptied log keeps its anchor and is refused."""
    check = verify_chain(source, full=True)
    if check.rows == 0 and check.triggers_present and audit_anchor(source) is None:
        return False
    if not check.ok:
        raise DatabaseError(
            f"Het auditlog van {source.location} is niet in orde ({_problem(check)}); er is niets "
            "overgezet. Bewaar de database zoals ze is, voer 'mhtool audit controleer' uit en "
            "meld dit bij de informatiebeveiliging."
        )
    return True


def _refuse_non_empty(target: Store) -> None:
    if tables_hiding_rows(target):
        raise NotAllowedError(
            f"Alleen de eigenaar van de database {target.location} (de beheerder) kan een "
            "bestand overzetten: uw rol ziet niet alle rijen, dus mhtool kan niet nagaan of de "
            "database leeg is; er is niets gewijzigd."
        )
    busy = q.tables_with_rows(target)
    if busy:
        raise NotAllowedError(
            f"De database {target.location} is niet leeg (er staan al gegevens in, onder meer "
            f"in de tabel {busy[0]}); mhtool zet alleen over naar een lege database en heeft "
            "niets gewijzigd."
        )
