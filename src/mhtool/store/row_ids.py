"""Row ids that are never handed out twice.

History rows and audit entries name a row by table and id, and outlive the row: `mhtool
ongedaan` keeps the history of what it took back, erasure and destruction keep their audit
entries. SQLite gives a new row the highest id in use plus one, so the row inserted after the
newest one was deleted would inherit its history (`persoon inzage` of a new person listed the
name of one taken back). Deleting code records the highest id it freed per table in `setting`
(`remember_freed`); inserting code asks `fresh_id` for an id above both.
"""

from __future__ import annotations

from mhtool.store.connection import Store, now_iso

_KEY = "id.hoogste."
# The tables whose ids history or the audit log refer to; `table` is always one of these, so
# it is safe to put it in the SQL text.
TABLES = frozenset(
    {"person", "address", "organisation", "note", "step_event", "follow_up_action", "outcome"}
)


def fresh_id(store: Store, table: str) -> int:
    """An id above every id in `table` now and every id it ever freed."""
    if table not in TABLES:
        raise ValueError(table)
    if store.dialect == "postgresql":
        # The same computation as the owner (store/postgres_security.py): under row-level
        # security max(id) sees only the officer's own rows and would repeat another's id.
        row = store.row("SELECT mhtool_fresh_id(?) AS next", (table,))
    else:
        row = store.row(
            f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0), "  # noqa: S608
            "coalesce((SELECT CAST(value AS INTEGER) FROM setting WHERE key = ?), 0)) + 1 AS next",
            (_KEY + table,),
        )
    return int(row["next"]) if row else 1


def remember_freed(store: Store, table: str, row_id: int | None, user: str = "mhtool") -> None:
    """Called inside the deleting transaction, for every deleted row of a table in TABLES."""
    if table not in TABLES or row_id is None:
        return
    if store.dialect == "postgresql":
        store.execute(
            "INSERT INTO setting (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = CAST(greatest(CAST(setting.value AS BIGINT), "
            "CAST(excluded.value AS BIGINT)) AS TEXT), updated_at = excluded.updated_at, "
            "updated_by = excluded.updated_by",
            (_KEY + table, str(row_id), now_iso(), user),
        )
    else:
        store.execute(
            "INSERT INTO setting (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = CAST(max(CAST(value AS INTEGER), "
            "CAST(excluded.value AS INTEGER)) AS TEXT), updated_at = excluded.updated_at, "
            "updated_by = excluded.updated_by",
            (_KEY + table, str(row_id), now_iso(), user),
        )
