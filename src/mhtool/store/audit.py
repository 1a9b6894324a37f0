"""The audit_log table: appending a chained entry, reading entries back, verifying the chain.

Appending happens inside the caller's write transaction, so an action and its audit entry land
together or not at all. The id of the new entry is taken from sqlite_sequence (the table is
AUTOINCREMENT), so ids are never reused and a deleted last entry leaves a visible gap.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mhtool.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    ChainCheck,
    DetailValue,
    canonical_details,
    check_entry,
    entry_hash,
)
from mhtool.store.connection import Store, now_iso

TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")


def _last_sequence(store: Store) -> int:
    row = store.row("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")
    return int(row["seq"]) if row else 0


def append(
    store: Store,
    user: str,
    action: str,
    object_type: str,
    object_id: str,
    result: str,
    details: Mapping[str, DetailValue],
) -> int:
    """Add one entry after the current head of the chain; must run inside a write transaction."""
    if not store.conn.in_transaction:
        raise RuntimeError("audit entries are written inside a write transaction")
    check_entry(action, object_type, object_id, details)
    head = store.row("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
    prev_hash = head["hash"] if head else GENESIS_HASH
    entry_id = _last_sequence(store) + 1
    at = now_iso()
    details_json = canonical_details(details)
    digest = entry_hash(
        prev_hash, entry_id, at, user, action, object_type, object_id, result, details_json
    )
    store.execute(
        "INSERT INTO audit_log (id, at, by_user, action, object_type, object_id, result, "
        "details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entry_id,
            at,
            user,
            action,
            object_type,
            object_id,
            result,
            details_json,
            prev_hash,
            digest,
        ),
    )
    return entry_id


def _entry(row: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=row["at"],
        by_user=row["by_user"],
        action=row["action"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        result=row["result"],
        details=json.loads(row["details"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


@dataclass(frozen=True)
class AuditFilter:
    since: dt.date | None = None
    until: dt.date | None = None
    action: str | None = None
    object_type: str | None = None
    object_ids: tuple[str, ...] = ()


def entries(store: Store, f: AuditFilter) -> list[AuditEntry]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.since is not None:
        clauses.append("substr(at, 1, 10) >= ?")
        params.append(f.since.isoformat())
    if f.until is not None:
        clauses.append("substr(at, 1, 10) <= ?")
        params.append(f.until.isoformat())
    if f.action is not None:
        # An exact action, or a whole group: "signaal" matches "signaal.toon", "signaal.stap", ...
        clauses.append("(action = ? OR substr(action, 1, ?) = ?)")
        params += [f.action, len(f.action) + 1, f.action + "."]
    if f.object_type is not None:
        clauses.append("object_type = ?")
        params.append(f.object_type)
    if f.object_ids:
        clauses.append(f"object_id IN ({', '.join('?' for _ in f.object_ids)})")
        params += list(f.object_ids)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    # Only fixed clause strings and placeholders are joined; every value is bound.
    sql = f"SELECT * FROM audit_log {where} ORDER BY id"  # noqa: S608
    return [_entry(r) for r in store.rows(sql, tuple(params))]


def triggers_present(store: Store) -> bool:
    found = store.rows(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
    )
    return set(TRIGGERS) <= {r["name"] for r in found}


def verify_chain(store: Store) -> ChainCheck:
    """Walk the log in id order; the first row that does not follow from its predecessor is
    where someone changed, removed or inserted something. Does not rely on the triggers."""
    expected_id = 1
    prev_hash = GENESIS_HASH
    count = 0
    cursor = store.execute(
        "SELECT id, at, by_user, action, object_type, object_id, result, details, prev_hash, "
        "hash FROM audit_log ORDER BY id"
    )
    for row in cursor:
        entry_id, at, user, action, object_type, object_id, result, details, stored_prev, digest = (
            row
        )
        count += 1
        if entry_id != expected_id:
            return _broken(
                store,
                count,
                expected_id,
                f"regel {expected_id} ontbreekt (verwijderd); de keten loopt door bij regel "
                f"{entry_id}",
            )
        if stored_prev != prev_hash:
            return _broken(
                store,
                count,
                entry_id,
                f"regel {entry_id} sluit niet aan op de regel ervoor (een eerdere regel is "
                "gewijzigd of verwijderd)",
            )
        computed = entry_hash(
            prev_hash, entry_id, at, user, action, object_type, object_id, result, details
        )
        if computed != digest:
            return _broken(store, count, entry_id, f"de inhoud van regel {entry_id} is gewijzigd")
        prev_hash = digest
        expected_id += 1
    last_id = expected_id - 1
    if _last_sequence(store) > last_id:
        return _broken(
            store,
            count,
            last_id + 1,
            f"regel {last_id + 1} en later ontbreken (de laatste regels zijn verwijderd)",
        )
    return ChainCheck(count, None, "", prev_hash, triggers_present(store))


def _broken(store: Store, count: int, entry_id: int, problem: str) -> ChainCheck:
    return ChainCheck(count, entry_id, problem, "", triggers_present(store))
