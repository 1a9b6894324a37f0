"""The queries behind `mhtool ongedaan`: find a user's last change in the history, check that
nothing later by someone else builds on it and that the file still holds what it left, and
apply its inverses (domain/undo.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from mhtool.domain.undo import LISTS, UNDO_ACTION, HistoryRow, Inverse
from mhtool.errors import NotAllowedError
from mhtool.store.connection import Store
from mhtool.store.row_ids import remember_freed
from mhtool.store.signals import record_history


def _row(r: dict[str, Any]) -> HistoryRow:
    return HistoryRow(
        r["id"],
        r["at"],
        r["by_user"],
        r["signal_id"],
        r["entity"],
        r["entity_id"],
        r["action"],
        json.loads(r["changes"]),
        r.get("change_id"),
    )


def change_rows(store: Store, change_id: int) -> list[HistoryRow]:
    return [
        _row(r)
        for r in store.rows(
            "SELECT id, at, by_user, signal_id, entity, entity_id, action, changes, change_id "
            "FROM history WHERE change_id = ? ORDER BY id",
            (change_id,),
        )
    ]


def _changes_of(store: Store, user: str) -> Iterator[int]:
    """The user's change ids, newest first (index history_by_user_change)."""
    cursor = store.execute(
        "SELECT DISTINCT change_id FROM history WHERE by_user = ? AND change_id IS NOT NULL "
        "ORDER BY change_id DESC",
        (user,),
    )
    for (change_id,) in cursor:
        yield int(change_id)


def last_change(store: Store, user: str) -> list[HistoryRow]:
    """The rows of the user's newest change that is not an undo and not undone; [] if none.

    Walking newest first, an undo is always met before the change it took back, so a second
    `ongedaan` takes back the change before (Taskwarrior's undo stack)."""
    undone: set[int] = set()
    for change_id in _changes_of(store, user):
        rows = change_rows(store, change_id)
        if not rows:
            continue
        if rows[0].action == UNDO_ACTION:
            undone.update(int(r.changes.get("ongedaan_wijziging", 0)) for r in rows)
            continue
        if change_id not in undone:
            return rows
    return []


def later_change_by_someone_else(
    store: Store, rows: list[HistoryRow], user: str
) -> HistoryRow | None:
    """A later history row of another user about one of the signals or rows this change
    touched: that change builds on this one, so this one cannot be taken back alone."""
    signals = sorted({r.signal_id for r in rows if r.signal_id is not None})
    entities = sorted({(r.entity, r.entity_id) for r in rows if r.entity_id is not None})
    if store.dialect == "postgresql":
        found = store.row(
            "SELECT id, at, by_user, signal_id, entity, entity_id, action, changes FROM history "
            "WHERE id > ? AND by_user <> ? AND (signal_id IN (SELECT CAST(value AS bigint) "
            "FROM json_array_elements_text(CAST(? AS json))) OR EXISTS (SELECT 1 FROM "
            "json_array_elements(CAST(? AS json)) e WHERE e.value ->> 0 = entity "
            "AND CAST(e.value ->> 1 AS bigint) = entity_id)) ORDER BY id LIMIT 1",
            (max(r.id for r in rows), user, json.dumps(signals), json.dumps(entities)),
        )
    else:
        found = store.row(
            "SELECT id, at, by_user, signal_id, entity, entity_id, action, changes FROM history "
            "WHERE id > ? AND by_user <> ? AND (signal_id IN (SELECT value FROM json_each(?)) "
            "OR EXISTS (SELECT 1 FROM json_each(?) e WHERE json_extract(e.value, '$[0]') = "
            "entity AND json_extract(e.value, '$[1]') = entity_id)) ORDER BY id LIMIT 1",
            (max(r.id for r in rows), user, json.dumps(signals), json.dumps(entities)),
        )
    return _row(found) if found else None


def _table(store: Store, name: str) -> set[str]:
    """The columns of table `name`, or refuse when it is not a table of this database."""
    if store.dialect == "postgresql":
        # From the catalogue, not information_schema: that one lists only the columns the
        # role holds a privilege on. A table of mhtool's own schema only (the search path).
        columns = {
            str(c["name"])
            for c in store.rows(
                "SELECT a.attname AS name FROM pg_catalog.pg_attribute a "
                "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
                "WHERE c.relname = ? AND c.relnamespace = CAST(current_schema() AS regnamespace) "
                "AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped",
                (name,),
            )
        }
    else:
        known = store.row(
            "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        )
        columns = (
            {c["name"] for c in store.rows(f'PRAGMA table_info("{name}")')} if known else set()
        )
    if not columns:
        raise NotAllowedError(
            f"Deze wijziging raakt '{name}', dat mhtool niet ongedaan kan maken; corrigeer het "
            "met 'mhtool signaal wijzig'."
        )
    return columns


def _changed_since() -> NotAllowedError:
    return NotAllowedError(
        "Wat deze wijziging vastlegde is daarna nog veranderd of verwijderd; ongedaan maken zou "
        "dat terugdraaien, dus er is niets gewijzigd."
    )


def _current_list(store: Store, key: str, signal_id: int) -> list[Any]:
    table, column = LISTS[key]
    # `table` and `column` come from the fixed LISTS table, never from user text.
    return [
        r[column]
        for r in store.rows(
            f"SELECT {column} FROM {table} WHERE signal_id = ? ORDER BY {column}",  # noqa: S608
            (signal_id,),
        )
    ]


def check(store: Store, step: Inverse) -> None:
    """Refuse unless the file still holds exactly what the change left."""
    columns = _table(store, step.entity)
    quoted = f'"{step.entity}"'
    current = store.row(f"SELECT * FROM {quoted} WHERE id = ?", (step.entity_id,))  # noqa: S608
    if current is None:
        raise _changed_since()
    if step.kind == "ontkoppel" or step.link:
        link = f"signal_{step.entity}"
        if f"{step.entity}_id" not in _table(store, link):
            raise _changed_since()
        found = store.row(
            f'SELECT 1 AS found FROM "{link}" WHERE signal_id = ? AND "{step.entity}_id" = ?',  # noqa: S608
            (step.signal_id, step.entity_id),
        )
        if found is None:
            raise _changed_since()
        for column, (_, new) in step.link.items():
            value = store.row(
                f'SELECT "{column}" AS v FROM "{link}" WHERE signal_id = ? '  # noqa: S608
                f'AND "{step.entity}_id" = ?',
                (step.signal_id, step.entity_id),
            )
            if value is None or value["v"] != new:
                raise _changed_since()
    for column, value in step.expect.items():
        if column not in columns:
            raise NotAllowedError(
                f"Deze wijziging raakt '{column}', dat mhtool niet ongedaan kan maken."
            )
        if current[column] != value:
            raise _changed_since()
    for key, (_, new) in step.lists.items():
        if step.signal_id is None or _current_list(store, key, step.signal_id) != sorted(new):
            raise _changed_since()


def apply(store: Store, step: Inverse, user: str, change_id: int) -> None:
    """Apply one inverse and record it in the history (action 'ongedaan')."""
    quoted = f'"{step.entity}"'
    if step.kind == "verwijder":
        store.execute(f"DELETE FROM {quoted} WHERE id = ?", (step.entity_id,))  # noqa: S608
        remember_freed(store, step.entity, step.entity_id, user)
    elif step.kind == "ontkoppel":
        store.execute(
            f'DELETE FROM "signal_{step.entity}" WHERE signal_id = ? AND "{step.entity}_id" = ?',  # noqa: S608
            (step.signal_id, step.entity_id),
        )
    else:
        if step.restore:
            store.update(step.entity, step.entity_id, dict(step.restore))
        for column, (old, _) in step.link.items():
            store.execute(
                f'UPDATE "signal_{step.entity}" SET "{column}" = ? '  # noqa: S608
                f'WHERE signal_id = ? AND "{step.entity}_id" = ?',
                (old, step.signal_id, step.entity_id),
            )
        for key, (old, _) in step.lists.items():
            table, column = LISTS[key]
            store.execute(f"DELETE FROM {table} WHERE signal_id = ?", (step.signal_id,))  # noqa: S608
            for value in old:
                store.execute(
                    f"INSERT INTO {table} (signal_id, {column}) VALUES (?, ?)",  # noqa: S608
                    (step.signal_id, value),
                )
    record_history(
        store,
        user,
        UNDO_ACTION,
        step.entity,
        step.entity_id,
        step.signal_id,
        step.history_changes(change_id),
    )


def signal_ref(store: Store, signal_id: int | None) -> str | None:
    if signal_id is None:
        return None
    row = store.row("SELECT ref FROM signal WHERE id = ?", (signal_id,))
    return str(row["ref"]) if row else None
