"""Copying one mhtool database into another, table by table: `mhtool overzetten`.

A file moves onto an empty server database, or a server database into a new file. Both sides
are at the same schema version (opening them migrates), so every table has the same columns on
both; the tables are found in the catalog (store/schema_info.py), not listed here, so a table a
later migration adds is copied without anyone remembering to. Rows keep their ids.

Not copied: the schema bookkeeping of the target (`schema_migration`) and what the target's
triggers derive from the rows as they arrive (search terms, the full-text search table, the
statistics groups): copying those as well would count everything twice. They are compared
afterwards instead, by their number of rows.

Ids go on above the copied ones by themselves: a row inserted without an id gets the highest id
+ 1 on both backends (SQLite's rowid; on a server a trigger, store/postgres_schema.py), the ids
freed by erasure travel along in `setting` (store/row_ids.py), and the audit log's counter
follows an explicit id (sqlite_sequence on a file, the identity sequence's trigger on a server).

Rows are read in key order and hashed (`TableCopy.digest`) as they are copied; the target's rows
are read back in the same order and hashed again, so "equal" means every value of every row, not
only the counts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mhtool.errors import DatabaseError, ValidationError, check_database_name, file_error
from mhtool.store.connection import SqliteStore, Store, connect, translate_sqlite_errors
from mhtool.store.schema_info import (
    DERIVED_TABLES,
    columns,
    foreign_keys,
    primary_key,
    quote,
    schema_tables,
)

# The target's own bookkeeping: which migrations built it, and on a server which gemeenten each
# login sees and which entities no signal links to (store/postgres_security.py; the
# beheerder's and the triggers', and a file has neither).
SCHEMA_BOOKKEEPING = frozenset({"schema_migration", "officer_municipality", "unlinked_entity"})
# Kept by the target's triggers from the copied rows (FTS5 tables on a file are virtual tables,
# left out by schema_info anyway; on a server the search text is an ordinary table).
DERIVED = DERIVED_TABLES
BATCH = 2000

# On a server each insert into these tables rebuilds its signal's statistics groups in a
# trigger (store/postgres_schema.py): per row, that took 40 of the 50 seconds a copy of 10,000
# signals needed. When the login owns the tables (the beheerder, as docs/server.md asks) the
# copy switches these three off inside its own transaction (a rollback switches them on again)
# and builds the groups afterwards with the schema's own function, a batch of signals at a
# time; the counts follow from the group rows by their own trigger, as always.
_GROUP_TRIGGERS = (
    ("signal", "signal_group_on_insert"),
    ("signal_form", "signal_group_form_added"),
    ("signal_organisation", "signal_group_link_added"),
)
GROUP_BATCH = 1000


@dataclass(frozen=True)
class CopiedTable:
    name: str
    columns: tuple[str, ...]
    order: tuple[str, ...]  # the primary key, or every column for a table without one


@dataclass(frozen=True)
class TableCopy:
    name: str
    rows: int
    digest: str


def _data_tables(store: Store) -> list[str]:
    return [
        t.name
        for t in schema_tables(store)
        if not t.fts and t.name not in SCHEMA_BOOKKEEPING and t.name not in DERIVED
    ]


def readable(store: Store, table: str) -> bool:
    """Whether this login may read the table at all (a server role may not: the reader role
    has no numbering, the regional role no signals); a file is always readable whole."""
    if store.dialect != "postgresql":
        return True
    row = store.row(
        "SELECT has_table_privilege("
        "quote_ident(current_schema()) || '.' || quote_ident(?), 'SELECT') AS ok",
        (table,),
    )
    return bool(row and row["ok"])


def unreadable_tables(store: Store) -> list[str]:
    """The tables a copy would take that this login may not read."""
    return [name for name in _data_tables(store) if not readable(store, name)]


def plan(source: Store, target: Store, skip: Iterable[str] = ()) -> list[CopiedTable]:
    """The tables to copy (all but `skip`), parents before the tables that refer to them."""
    left_out = set(skip)
    wanted = [name for name in _data_tables(source) if name not in left_out]
    present = set(_data_tables(target)) - left_out
    missing = [name for name in wanted if name not in present]
    extra = sorted(present - set(wanted))
    if missing or extra:
        raise DatabaseError(
            "De twee databases hebben niet dezelfde tabellen (verschillende versies van mhtool?); "
            "er is niets overgezet. Werk mhtool bij en probeer het opnieuw."
        )
    tables: dict[str, CopiedTable] = {}
    for name in wanted:
        own = columns(source, name)
        if sorted(own) != sorted(columns(target, name)):
            raise DatabaseError(
                f"De tabel {name} heeft in de twee databases niet dezelfde kolommen; er is niets "
                "overgezet. Werk mhtool bij en probeer het opnieuw."
            )
        key = primary_key(source, name) or own
        tables[name] = CopiedTable(name, tuple(own), tuple(key))
    parents = {
        name: {to for _, to in foreign_keys(target, name) if to != name and to in tables}
        for name in tables
    }
    ordered: list[CopiedTable] = []
    done: set[str] = set()
    while len(done) < len(tables):
        ready = [n for n in sorted(tables) if n not in done and parents[n] <= done]
        if not ready:  # a cycle of foreign keys: take the rest by name, the copy will tell
            ready = [n for n in sorted(tables) if n not in done]
        for name in ready:
            ordered.append(tables[name])
            done.add(name)
    return ordered


def tables_with_rows(store: Store) -> list[str]:
    """Every table (derived ones and the audit log too) that holds a row: a database to copy
    into must have none."""
    found = []
    for table in schema_tables(store):
        if table.name in SCHEMA_BOOKKEEPING:
            continue
        row = store.row(f"SELECT 1 AS hit FROM {quote(table.name)} LIMIT 1")  # noqa: S608
        if row is not None:
            found.append(table.name)
    return found


def row_counts(store: Store, names: Iterable[str]) -> dict[str, int]:
    """Rows per table, for the tables of `names` this database has (and this login reads)."""
    present = {t.name for t in schema_tables(store)}
    counts = {}
    for name in names:
        if name in present and readable(store, name):
            row = store.row(f"SELECT count(*) AS n FROM {quote(name)}")  # noqa: S608
            counts[name] = int(row["n"]) if row else 0
    return counts


def _select(store: Store, table: CopiedTable) -> str:
    nulls = " NULLS FIRST" if store.dialect == "postgresql" else ""
    order = ", ".join(quote(c) + nulls for c in table.order)
    cols = ", ".join(quote(c) for c in table.columns)
    return f"SELECT {cols} FROM {quote(table.name)} ORDER BY {order}"  # noqa: S608


def _stream(store: Store, sql: str) -> Iterator[Sequence[Any]]:
    """The rows of one query, a batch at a time: a server keeps the result in a server-side
    cursor (psycopg would otherwise load a whole table into memory at once). Runs inside the
    caller's transaction, which a server-side cursor needs."""
    if store.dialect == "postgresql":
        from mhtool.store.postgres_connection import PgStore

        assert isinstance(store, PgStore)
        with store.conn.cursor(name="mhtool_overzetten") as cursor:
            cursor.itersize = BATCH
            cursor.execute(sql.encode())
            yield from cursor
        return
    found = store.execute(sql)
    while batch := found.fetchmany(BATCH):
        yield from batch


class _Digest:
    """SHA-256 over the rows in order; the same values give the same digest on both backends
    (integers and text come back as int and str from either driver)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.rows = 0

    def add(self, row: Sequence[Any]) -> None:
        self._hash.update(json.dumps(list(row), ensure_ascii=False).encode() + b"\n")
        self.rows += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def copy_table(source: Store, target: Store, table: CopiedTable) -> TableCopy:
    """Copy every row of one table (inside the callers' transactions: the source's snapshot,
    the target's write transaction)."""
    digest = _Digest()

    def counted() -> Iterator[Sequence[Any]]:
        for row in _stream(source, _select(source, table)):
            digest.add(row)
            yield row

    cols = ", ".join(quote(c) for c in table.columns)
    if target.dialect == "postgresql":
        from mhtool.store.postgres_connection import PgStore

        assert isinstance(target, PgStore)
        statement = f"COPY {quote(table.name)} ({cols}) FROM STDIN"
        with target.conn.cursor() as cursor, cursor.copy(statement.encode()) as copy:
            for row in counted():
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in table.columns)
        insert = f"INSERT INTO {quote(table.name)} ({cols}) VALUES ({marks})"  # noqa: S608
        batch: list[tuple[Any, ...]] = []
        for row in counted():
            batch.append(tuple(row))
            if len(batch) >= BATCH:
                target.executemany(insert, batch)
                batch.clear()
        if batch:
            target.executemany(insert, batch)
    return TableCopy(table.name, digest.rows, digest.hexdigest())


def table_digest(store: Store, table: CopiedTable) -> TableCopy:
    """Read one table back in key order and hash it as `copy_table` did."""
    digest = _Digest()
    for row in _stream(store, _select(store, table)):
        digest.add(row)
    return TableCopy(table.name, digest.rows, digest.hexdigest())


def pause_group_triggers(target: Store) -> bool:
    """Switch the per-row statistics triggers off for this transaction, where the login owns
    the tables; False (and nothing changed) elsewhere: then the triggers do the work."""
    if target.dialect != "postgresql":
        return False
    names = tuple(table for table, _ in _GROUP_TRIGGERS)
    owned = target.row(
        "SELECT count(*) AS n FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
        "AND tablename = ANY (?) AND pg_has_role(tableowner, 'USAGE')",
        (list(names),),
    )
    if owned is None or owned["n"] != len(names):
        return False
    for table, trigger in _GROUP_TRIGGERS:
        target.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(trigger)}")
    return True


def rebuild_groups(target: Store) -> None:
    """After `pause_group_triggers`: every signal's groups, then the triggers on again."""
    last = 0
    while True:
        batch = target.row(
            "SELECT count(*) AS n, max(id) AS last FROM "
            "(SELECT id FROM signal WHERE id > ? ORDER BY id LIMIT ?) AS batch",
            (last, GROUP_BATCH),
        )
        if batch is None or not batch["n"]:
            break
        target.execute(
            "SELECT signal_group_refresh(ARRAY(SELECT id FROM signal WHERE id > ? AND id <= ?))",
            (last, batch["last"]),
        )
        last = int(batch["last"])
    for table, trigger in _GROUP_TRIGGERS:
        target.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER {quote(trigger)}")


def number_from_signals(target: Store) -> None:
    """A copy made without the numbering per year (the login may not read it) goes on above
    the highest number it holds, so a signal recorded in the copy never repeats one of its
    own. (Numbers the login cannot see may come again: such a copy is never merged back.)"""
    target.execute(
        "INSERT INTO signal_counter (year, last_seq) SELECT year, max(seq) FROM signal "
        "GROUP BY year"
    )


def defer_foreign_keys(store: Store) -> None:
    """A file checks its foreign keys at commit instead of per row (until this transaction
    ends): a copy made under row-level security may hold a link to a row the copier was not
    allowed to see, and that must fail the whole copy with one message, not half-way."""
    if isinstance(store, SqliteStore):
        store.execute("PRAGMA defer_foreign_keys = ON")


def foreign_key_problems(store: Store) -> int:
    """Rows of a file whose foreign key points at nothing (0 on a server, which never lets
    such a row in)."""
    if not isinstance(store, SqliteStore):
        return 0
    return len(store.rows("PRAGMA foreign_key_check"))


def check_new_file(path: Path) -> None:
    """A copy goes into a new file only: never over an existing one (not even an earlier
    copy), never under a name SQLite uses beside a database."""
    from mhtool.safe_file import check_copy_target, refuse_temp_name

    check_database_name(path)
    refuse_temp_name(path)
    check_copy_target(path, "kopie")
    if path.exists() or path.is_symlink():
        raise _exists(path)


def _exists(path: Path) -> ValidationError:
    return ValidationError(
        f"{path} bestaat al; 'mhtool overzetten' schrijft alleen een nieuw bestand en "
        "overschrijft nooit een bestaand. Kies een andere naam."
    )


@contextlib.contextmanager
def new_file(path: Path, key: str | None, outcome: str) -> Iterator[SqliteStore]:
    """A new, complete database at `path` (encrypted with `key` when given), built in a private
    temporary file beside it and linked into place only when the block succeeds: a failed or
    interrupted copy never leaves a half-filled file under that name, and an existing file is
    never replaced. `outcome` says what did not happen, for an error of the file system."""
    from mhtool.safe_file import private_temp, publish
    from mhtool.store.migrations import apply_migrations

    check_new_file(path)
    try:
        with private_temp(path) as temp:
            conn = connect(temp, key)
            try:
                store = SqliteStore(conn, temp, key)
                apply_migrations(store)
                with translate_sqlite_errors():
                    conn.execute("PRAGMA journal_mode = WAL")
                yield store
            finally:
                conn.close()
            publish(temp, path, replace=False, exists=_exists(path))
    except OSError as error:
        raise file_error(error, path, outcome) from None
