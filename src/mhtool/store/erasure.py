"""Removing a signal or a person from every table, including ones added after this was written.

Design note for anyone adding a table (the search index, statistics caches, ...): rows are found
by looking at the schema, not at a fixed list. A table's rows are removed with a signal when it
either declares a foreign key to `signal(id)` or has a column named `signal_id`; with a person
when it references `person(id)` or has a `person_id` column (the same for `address_id`,
`organisation_id`). FTS5 and FTS4 tables are handled too: one that stores its own text is cleaned by
those columns like any table; one with external content (`content=...`) is rebuilt from its
content table afterwards, and every one is optimized, so no deleted word survives in an
index segment. A table that holds signal data in another shape must follow one of these
conventions; the audit_log is deliberately never touched (it holds no personal data). The tables
triggers keep (schema_info.DERIVED_TABLES: search terms, statistics groups) are left to those
triggers, which remove their rows with the rows they derive from.

On a PostgreSQL server the schema is read from pg_catalog (store/schema_info.py) and there are
no FTS tables: the search text is an ordinary table its triggers keep (store/postgres_schema.py),
so deleting and rewriting the rows it derives from takes the words out of it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mhtool.domain.name_redaction import NameRedaction, redaction_for, redactions_for
from mhtool.errors import DatabaseInUseError, MhtoolError, NotCompactedError
from mhtool.store.connection import SqliteStore, Store, translate_sqlite_errors
from mhtool.store.row_ids import remember_freed
from mhtool.store.schema_info import (
    DERIVED_TABLES,
    SchemaTable,
    columns,
    foreign_keys,
    quote,
    schema_tables,
)

# Never erased: the audit trail itself and the schema bookkeeping.
PROTECTED = frozenset({"audit_log", "schema_migration", "signal_counter", "setting"})


def _quote(name: str) -> str:
    return quote(name)


def _tables(store: Store) -> list[SchemaTable]:
    return [t for t in schema_tables(store) if t.name not in PROTECTED]


def fts_tables(store: Store) -> list[SchemaTable]:
    """Every FTS index, also the ones triggers fill (a file's search text): all are merged
    after a deletion, so no deleted word survives in an index segment."""
    return [t for t in _tables(store) if t.fts]


def referencing_columns(store: Store, target: str, hint: str) -> list[tuple[str, str]]:
    """(table, column) pairs that point at rows of `target`: declared foreign keys, or a column
    named `hint` (history, FTS tables and other tables that cannot declare a key)."""
    found: list[tuple[str, str]] = []
    for table in _tables(store):
        if table.name == target or table.external_content or table.name in DERIVED_TABLES:
            # Rows of a table triggers keep go with the rows they derive from; on a server
            # an officer may not touch them, so deleting there directly would refuse every
            # erasure and `opschonen` of an officer.
            continue
        names = set(columns(store, table.name))
        keys = {column for column, to in foreign_keys(store, table.name) if to == target}
        if hint in names:
            keys.add(hint)
        found += [(table.name, column) for column in sorted(keys)]
    return found


def delete_entity(
    store: Store, target: str, history_entity: str, entity_id: int, hint: str
) -> dict[str, int]:
    """Delete one row of `target` and every row anywhere that refers to it; returns counts."""
    counts: dict[str, int] = {}
    for table, column in referencing_columns(store, target, hint):
        cursor = store.execute(
            f"DELETE FROM {_quote(table)} WHERE {_quote(column)} = ?",  # noqa: S608
            (entity_id,),
        )
        if cursor.rowcount > 0:
            counts[table] = counts.get(table, 0) + cursor.rowcount
    cursor = store.execute(
        "DELETE FROM history WHERE entity = ? AND entity_id = ?", (history_entity, entity_id)
    )
    if cursor.rowcount > 0:
        counts["history"] = counts.get("history", 0) + cursor.rowcount
    cursor = store.execute(f"DELETE FROM {_quote(target)} WHERE id = ?", (entity_id,))  # noqa: S608
    if cursor.rowcount > 0:
        counts[target] = counts.get(target, 0) + cursor.rowcount
        remember_freed(store, target, entity_id)
    return counts


def _add(total: dict[str, int], more: dict[str, int]) -> None:
    for key, value in more.items():
        total[key] = total.get(key, 0) + value


# (table, link table, link column, history entity) of what a signal may share with others.
_SHARED = (
    ("person", "signal_person", "person_id", "person"),
    ("address", "signal_address", "address_id", "address"),
    ("organisation", "signal_organisation", "organisation_id", "organisation"),
)


def destroy_signal(store: Store, signal_id: int) -> dict[str, int]:
    """The signal, everything only it refers to, and every trace in history and indexes."""
    linked: dict[str, list[int]] = {}
    for table, link, column, _ in _SHARED:
        rows = store.rows(
            f"SELECT {column} AS id FROM {link} WHERE signal_id = ?",  # noqa: S608
            (signal_id,),
        )
        linked[table] = [r["id"] for r in rows]
    counts = delete_entity(store, "signal", "signal", signal_id, "signal_id")
    for table, link, column, entity in _SHARED:
        for entity_id in linked[table]:
            still_used = store.row(
                f"SELECT 1 AS used FROM {link} WHERE {column} = ? LIMIT 1",  # noqa: S608
                (entity_id,),
            )
            if still_used is None:
                _add(counts, delete_entity(store, table, entity, entity_id, column))
    return counts


# Free text that may quote a person's name: (table, id column, text column, holds JSON,
# the column naming the signal it belongs to).
# The melder is a structured field, but may be anyone: the same rule as free text applies.
_FREE_TEXT = (
    ("signal", "id", "description", False, "id"),
    ("signal", "id", "reporter", False, "id"),
    ("note", "id", "text", False, "signal_id"),
    ("step_event", "id", "note", False, "signal_id"),
    ("step_event", "id", "reason", False, "signal_id"),
    ("step_event", "id", "details", True, "signal_id"),
    ("history", "id", "changes", True, "signal_id"),
    ("follow_up_action", "id", "description", False, "signal_id"),
    ("follow_up_action", "id", "done_note", False, "signal_id"),
    ("outcome", "id", "note", False, "signal_id"),
)
# Where each column is, in words the officer knows (for the list of places to review).
_PLACES = {
    "description": "omschrijving",
    "reporter": "melder",
    "text": "notitie",
    "note": "verloop",
    "reason": "verloop",
    "details": "verloop",
    "changes": "historie",
}
# History rows that may quote the name: those of a signal and of everything written about it
# (notes, route events, follow-up actions, outcomes and what later features add). The history
# of persons, addresses and organisations is never touched: another person's record stays theirs.
_HISTORY_WITH_TEXT = "entity NOT IN ('person', 'address', 'organisation')"


def _each_string(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_each_string(v, change) for v in value]
    if isinstance(value, dict):
        return {k: _each_string(v, change) for k, v in value.items()}
    return value


def _redactor(
    redaction: NameRedaction, own: bool, others: tuple[NameRedaction, ...], unsure: list[bool]
) -> Callable[[str], str]:
    """Replace the name in one string; note in `unsure` whether an ambiguous form was left."""

    def apply(text: str) -> str:
        new, ambiguous = redaction.redact(text, own, others)
        unsure.append(ambiguous)
        return new

    return apply


@dataclass(frozen=True)
class Scrubbed:
    texts: int  # rows whose text changed
    changed_signals: dict[int, str]  # id -> ref of every signal whose texts changed
    first_name_left_in: tuple[str, ...]  # signal refs whose texts still hold the first name
    # "MH-2026-0002 (omschrijving)": a form of the name that could also be someone who stays.
    to_review: tuple[str, ...] = ()

    def plus(self, other: Scrubbed) -> Scrubbed:
        """Both scrubs together (the current name and a former one)."""
        return Scrubbed(
            self.texts + other.texts,
            {**self.changed_signals, **other.changed_signals},
            tuple(dict.fromkeys(self.first_name_left_in + other.first_name_left_in)),
            tuple(dict.fromkeys(self.to_review + other.to_review)),
        )


def scrub_name(
    store: Store, name: str, own_signals: frozenset[int], others: tuple[str, ...] = ()
) -> Scrubbed:
    """Take the person's name out of free text, in every form search would match it
    (domain/name_redaction.py); the surname alone only in `own_signals`.

    Every row is checked in Python rather than narrowed with SQL, because SQLite's lower() and
    LIKE only fold ASCII ("Łukasz" would escape). JSON columns are rewritten value by value so
    they stay valid JSON."""
    redaction = redaction_for(name)
    if redaction is None:
        return Scrubbed(0, {}, ())
    other_forms = redactions_for(others)
    changed = 0
    touched: set[int] = set()
    left: set[int] = set()
    review: dict[int, set[str]] = {}
    for table, key, column, is_json, signal in _FREE_TEXT:
        only = f" WHERE {_HISTORY_WITH_TEXT}" if table == "history" else ""
        rows = store.rows(
            f"SELECT {key} AS id, {column} AS value, {signal} AS signal_id FROM {table}{only}"  # noqa: S608
        )
        for row in rows:
            if row["value"] is None:
                continue
            unsure: list[bool] = []
            apply = _redactor(redaction, row["signal_id"] in own_signals, other_forms, unsure)

            if is_json:
                data = json.loads(row["value"])
                scrubbed = _each_string(data, apply)
                new = (
                    row["value"]
                    if scrubbed == data
                    else json.dumps(scrubbed, ensure_ascii=False, sort_keys=True, default=str)
                )
            else:
                new = apply(row["value"])
            if new != row["value"]:
                store.execute(
                    f"UPDATE {table} SET {column} = ? WHERE {key} = ?",  # noqa: S608
                    (new, row["id"]),
                )
                changed += 1
                if row["signal_id"] is not None:
                    touched.add(row["signal_id"])
            if redaction.first_name_left(new) and row["signal_id"] is not None:
                left.add(row["signal_id"])
            if any(unsure) and row["signal_id"] is not None:
                review.setdefault(row["signal_id"], set()).add(_PLACES[column])
    ids = json.dumps(sorted(left | touched | set(review)))
    if store.dialect == "postgresql":
        sql = (
            "SELECT id, ref FROM signal WHERE id IN "
            "(SELECT value::bigint FROM json_array_elements_text(?::json)) ORDER BY id"
        )
    else:
        sql = "SELECT id, ref FROM signal WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id"
    refs = {r["id"]: r["ref"] for r in store.rows(sql, (ids,))}
    return Scrubbed(
        changed,
        {i: refs[i] for i in sorted(touched) if i in refs},
        tuple(refs[i] for i in sorted(left) if i in refs),
        tuple(f"{refs[i]} ({', '.join(sorted(review[i]))})" for i in sorted(review) if i in refs),
    )


def forget_in_checks(store: Store, kind: str, entity_id: int) -> int:
    """The step-2 checks of other signals name what they found by kind and id; an erased
    person's id there would point at nobody (or, later, at someone else): set it to null."""
    changed = 0
    if store.dialect == "postgresql":
        # details is JSON text, as in the file.
        sql = (
            "SELECT id, details FROM step_event "
            "WHERE jsonb_typeof(details::jsonb -> 'automatische_controle') = 'object'"
        )
    else:
        sql = (
            "SELECT id, details FROM step_event "
            "WHERE json_type(details, '$.automatische_controle') = 'object'"
        )
    rows = store.rows(sql)
    for row in rows:
        details = json.loads(row["details"])
        check = details["automatische_controle"]
        hit = False
        for item in [*check.get("gezocht", []), *check.get("gevonden", [])]:
            for field in ("id", "gezocht_id"):
                if item.get("soort") == kind and item.get(field) == entity_id:
                    item[field] = None
                    hit = True
        if hit:
            store.execute(
                "UPDATE step_event SET details = ? WHERE id = ?",
                (json.dumps(details, ensure_ascii=False, sort_keys=True), row["id"]),
            )
            changed += 1
    return changed


def refresh_fts(store: Store) -> int:
    """Rebuild external-content indexes (they may still hold words of deleted rows) and merge
    every FTS5/FTS4 index into one segment, which drops deleted entries from the file."""
    tables = fts_tables(store)
    for table in tables:
        name = _quote(table.name)
        if table.external_content:
            store.execute(f"INSERT INTO {name} ({name}) VALUES ('rebuild')")  # noqa: S608
        store.execute(f"INSERT INTO {name} ({name}) VALUES ('optimize')")  # noqa: S608
    return len(tables)


def compact(store: Store, done: str) -> None:
    """VACUUM rewrites the file without the freed pages (secure_delete already zeroed them);
    the checkpoint empties the WAL, which may still hold copies of the deleted rows. Runs
    outside any transaction, after the deletion has been committed: `done` says what was
    committed, because a failure here must not read as 'nothing was changed'.

    Temporary copies a killed mhtool left beside the database (backups before a migration,
    exports) hold the same data: they go too, also when their marker was lost."""
    from mhtool.safe_file import clean_leftovers

    if not isinstance(store, SqliteStore):
        # On a server the deleted row versions stay in the table files (and in the WAL and
        # the server's backups) until PostgreSQL reuses the space; even VACUUM FULL writes new
        # files rather than overwriting the old blocks. mhtool's login may not run VACUUM (it
        # needs the table owner) and cannot run it in a transaction: removing the old
        # versions from disk is the beheerder's job, described in docs/server.md.
        return
    clean_leftovers([store.path.parent], keep=[store.path])
    try:
        with translate_sqlite_errors():
            store.execute("VACUUM")
            store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except MhtoolError as failed:
        cause = (
            "het bestand is in gebruik"
            if isinstance(failed, DatabaseInUseError)
            else "te weinig schijfruimte of een schijffout"
        )
        raise NotCompactedError(
            f"{done}, maar het bestand kon daarna niet worden opgeschoond ({cause}); oude "
            "gegevens kunnen nog in het bestand staan. Sluit andere programma's die het bestand "
            "gebruiken, zorg voor vrije schijfruimte en voer 'mhtool opschonen' uit."
        ) from None
