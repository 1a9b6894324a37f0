"""The audit_log table: appending a chained entry, reading entries back, verifying the chain.

Appending happens inside the caller's write transaction, so an action and its audit entry land
together or not at all. The id of the new entry is taken from the table's counter, so ids are
never reused and a deleted last entry leaves a visible gap: `sqlite_sequence` in a file (the
table is AUTOINCREMENT), the identity sequence `audit_log_id_seq` on a server (which the schema's
trigger moves past every id written). One chain per database: on a server every append runs
under the writers' advisory lock (`append` takes it itself, and so does the server function
that hands out the head, so no path can fork the chain). Appending reads only the head's id
and hash (and the anchor), so a role that may not read the log can still add to it.

A server's sequence is not transactional: an append that was rolled back (a refused command
after the insert, a connection or server lost before COMMIT) leaves it one or more ahead of
the last entry. That is told apart from a deleted last entry by the anchor, which is
transactional: when the anchor is exactly the head of the chain, nothing committed lies beyond
it, and the next entry takes the head's id + 1 (no gap). Otherwise the counter rules, as in a
file.

The same transaction moves the *anchor* (`setting` row `audit.anker` = "length:head hash"), so
a log cut short or emptied with plain DELETEs and a reset `sqlite_sequence` no longer matches
it. `audit controleer` checks from the last verified *checkpoint* (`audit.controlepunt`)
onwards, or the whole chain with `--volledig`, and against a published anchor with `--anker`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
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
from mhtool.errors import DatabaseError
from mhtool.store.connection import Store, now_iso
from mhtool.store.settings import put_setting

TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")
# PostgreSQL has TRUNCATE, which row triggers do not see: the schema guards it with a third.
SERVER_TRIGGERS = (*TRIGGERS, "audit_log_no_truncate")
# Rows per query while verifying the chain (bounded memory, few round trips).
VERIFY_PAGE = 5_000
ANCHOR_KEY = "audit.anker"
CHECKPOINT_KEY = "audit.controlepunt"
COUNTER_SET_BACK = (
    "Het auditlog is aangetast: de teller ervan is teruggezet, zodat mhtool geen regels meer "
    "kan toevoegen; er is niets gewijzigd. Bewaar {this} zoals {it} is, voer 'mhtool audit "
    "controleer' uit en meld dit bij de informatiebeveiliging."
)


@dataclass(frozen=True)
class ChainPoint:
    """A place in the chain: its length (the id of its last entry) and that entry's hash."""

    length: int
    hash: str

    def text(self) -> str:
        return f"{self.length}:{self.hash}"


def parse_point(value: str) -> ChainPoint | None:
    """'1234:<64 hex>' as written by `audit anker`; None when it is not that."""
    length, _, digest = value.strip().partition(":")
    digest = digest.lower()
    if (
        not length.isdigit()
        or len(digest) != 64
        or any(c not in "0123456789abcdef" for c in digest)
    ):
        return None
    return ChainPoint(int(length), digest)


def _point(store: Store, key: str) -> ChainPoint | None:
    row = store.row("SELECT value FROM setting WHERE key = ?", (key,))
    return parse_point(row["value"]) if row else None


def anchor(store: Store) -> ChainPoint | None:
    return _point(store, ANCHOR_KEY)


def set_checkpoint(store: Store, point: ChainPoint, user: str) -> None:
    """Remember how far the chain has been verified, so the next check starts there."""
    put_setting(store, CHECKPOINT_KEY, point.text(), user)


def _last_sequence(store: Store) -> int | None:
    """The highest id the log's counter has handed out (0: none, or the counter was reset).

    None on a server when this login may not read the sequence (the officers' roles are
    granted SELECT on it; a role without leaves only the anchor and the chain to check)."""
    if store.dialect == "postgresql":
        row = store.row(
            "SELECT CASE WHEN has_sequence_privilege(s, 'SELECT,USAGE') "
            "THEN coalesce(pg_sequence_last_value(s::regclass), 0) END AS seq "
            "FROM pg_get_serial_sequence('audit_log', 'id') AS s"
        )
        return None if row is None or row["seq"] is None else int(row["seq"])
    row = store.row("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")
    return int(row["seq"]) if row else 0


def _rolled_back_ahead(
    store: Store, sequence: int, head: ChainPoint, kept: ChainPoint | None
) -> bool:
    """On a server, a counter ahead of the last entry that a rolled-back append explains:
    the anchor moved with every committed entry, so if it stands exactly at the head (or the
    log never had an entry), nothing committed was removed after it."""
    if store.dialect != "postgresql" or sequence <= head.length:
        return False
    if head.length == 0:
        return kept is None
    return kept == head


def _take_write_lock(store: Store) -> None:
    """On a server: the writers' advisory lock, re-entrant within a transaction (`write()`
    already holds it; taking it here means no caller can append outside the writers' queue and
    fork the chain). A file's write transaction is BEGIN IMMEDIATE, which already excludes
    every other writer."""
    if store.dialect == "postgresql":
        from mhtool.store.postgres_connection import WRITE_LOCK

        store.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))


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
    if not store.in_transaction:
        raise RuntimeError("audit entries are written inside a write transaction")
    check_entry(action, object_type, object_id, details)
    _take_write_lock(store)
    head = _head(store)
    prev_hash = head["hash"] if head else GENESIS_HASH
    head_point = ChainPoint(int(head["id"]), prev_hash) if head else ChainPoint(0, GENESIS_HASH)
    kept = anchor(store)
    sequence = _last_sequence(store)
    if sequence is None:
        entry_id = head_point.length + 1  # a server role that cannot read the counter
    elif _rolled_back_ahead(store, sequence, head_point, kept):
        entry_id = head_point.length + 1
    else:
        entry_id = sequence + 1
    if head is not None and entry_id <= head["id"]:
        # The counter set back or deleted: writing would clash with an existing id (and
        # taking max(id) + 1 instead would erase the trace). Refuse, as a tampered log.
        this, it = ("deze database", "ze") if store.on_server else ("dit bestand", "het")
        raise DatabaseError(COUNTER_SET_BACK.format(this=this, it=it))
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
    if kept is None or (head is not None and _still_on_chain(store, kept, head["id"], prev_hash)):
        # Moved only from a point still on the chain: after a log was cut short (or the anchor
        # edited), the mismatch stays for `audit controleer` to report instead of being
        # papered over.
        put_setting(store, ANCHOR_KEY, ChainPoint(entry_id, digest).text(), user)
    return entry_id


def _head(store: Store) -> dict[str, Any] | None:
    """The last entry's id and hash. On a server through the owner's function: the regional
    role may append but not read the log (its entries name signal numbers and logins)."""
    if store.dialect == "postgresql":
        return store.row("SELECT id, hash FROM mhtool_audit_head()")
    return store.row("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")


def _hash_at(store: Store, entry_id: int) -> str | None:
    if store.dialect == "postgresql":
        row = store.row("SELECT mhtool_audit_hash(?) AS hash", (entry_id,))
    else:
        row = store.row("SELECT hash FROM audit_log WHERE id = ?", (entry_id,))
    return None if row is None or row["hash"] is None else str(row["hash"])


def _still_on_chain(store: Store, kept: ChainPoint, head_id: int, head_hash: str) -> bool:
    """The anchor stands at the head (the usual case), or behind it on a row that still
    carries its hash: entries were added without moving it (an older mhtool), and it follows
    again instead of staying frozen there, which would let every later cut pass."""
    if kept == ChainPoint(head_id, head_hash):
        return True
    if kept.length >= head_id:
        return False
    return _hash_at(store, kept.length) == kept.hash


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


def distinct_actions(store: Store) -> list[str]:
    """Every action code the log holds (for suggesting a mistyped --actie)."""
    return [str(r["action"]) for r in store.rows("SELECT DISTINCT action FROM audit_log")]


def triggers_present(store: Store) -> bool:
    """The append-only triggers exist (on a server: and are enabled; `ALTER TABLE ... DISABLE
    TRIGGER` keeps them in the catalogue but lets every UPDATE and DELETE through)."""
    if store.dialect == "postgresql":
        found = store.rows(
            "SELECT tgname AS name FROM pg_catalog.pg_trigger "
            "WHERE tgrelid = to_regclass('audit_log') AND NOT tgisinternal "
            "AND tgenabled <> 'D'"
        )
        return set(SERVER_TRIGGERS) <= {r["name"] for r in found}
    found = store.rows(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
    )
    return set(TRIGGERS) <= {r["name"] for r in found}


def _signal_count(store: Store) -> int:
    if store.dialect == "postgresql":
        row = store.row("SELECT (to_regclass('signal') IS NOT NULL)::int AS n")
    else:
        row = store.row(
            "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'signal'"
        )
    if not row or not row["n"]:
        return 0
    found = store.row("SELECT count(*) AS n FROM signal")
    return int(found["n"]) if found else 0


def verify_chain(
    store: Store, *, full: bool = False, published: ChainPoint | None = None
) -> ChainCheck:
    """Walk the log in id order; the first row that does not follow from its predecessor is
    where someone changed, removed or inserted something. Does not rely on the triggers.

    Without `full`, the walk starts at the checkpoint of the last successful check (whose row
    must still carry the hash it had then); rows before it are not read again. `published`
    (an anchor noted outside the file) implies a full walk and must be a point on the chain.
    """
    checkpoint = None if (full or published is not None) else _point(store, CHECKPOINT_KEY)
    expected_id, prev_hash = 1, GENESIS_HASH
    if checkpoint is not None and checkpoint.length > 0:
        row = store.row(
            "SELECT id, at, by_user, action, object_type, object_id, result, details, prev_hash, "
            "hash FROM audit_log WHERE id = ?",
            (checkpoint.length,),
        )
        if row is None or row["hash"] != checkpoint.hash or _recomputed(row) != row["hash"]:
            return _broken(
                store,
                checkpoint.length,
                checkpoint.length,
                f"regel {checkpoint.length}, tot waar het log eerder in orde was, is gewijzigd of "
                "verwijderd",
            )
        kept = store.row("SELECT count(*) AS n FROM audit_log WHERE id <= ?", (checkpoint.length,))
        if kept is None or kept["n"] != checkpoint.length:
            # Cheap, unlike re-hashing: a row removed before the checkpoint still shows.
            return _broken(
                store,
                checkpoint.length,
                1,
                f"er ontbreken regels vóór regel {checkpoint.length} (verwijderd)",
            )
        expected_id, prev_hash = checkpoint.length + 1, checkpoint.hash
    start = expected_id
    count = expected_id - 1
    found_at: int | None = None
    for stored in _rows_from(store, start):
        entry_id, at, user, action, object_type, object_id, result, details, stored_prev, digest = (
            stored
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
        if published is not None and digest == published.hash:
            found_at = entry_id
        prev_hash = digest
        expected_id += 1
    last_id = expected_id - 1
    head = ChainPoint(last_id, prev_hash)
    sequence = _last_sequence(store)
    if sequence is None:
        pass  # a server role without SELECT on the counter: the anchor checks below remain
    elif sequence < last_id:
        return _broken(
            store,
            count,
            last_id,
            f"de teller van het auditlog is teruggezet (staat op {sequence}, de laatste regel is "
            f"{last_id}); zo kunnen regels opnieuw worden uitgegeven",
        )
    elif sequence > last_id and not _rolled_back_ahead(store, sequence, head, anchor(store)):
        return _broken(
            store,
            count,
            last_id + 1,
            f"regel {last_id + 1} en later ontbreken (de laatste regels zijn verwijderd)",
        )
    problem = _anchor_problem(store, head)
    if problem:
        return _broken(store, count, min(last_id + 1, _anchor_length(store) or 1), problem)
    kept_checkpoint = _point(store, CHECKPOINT_KEY) if checkpoint is None else None
    if kept_checkpoint is not None and kept_checkpoint.length > 0:
        # A full walk must not be weaker than the quick one: the last verified point still
        # has to be on the chain (a log cut short together with its anchor shows here).
        row = store.row("SELECT hash FROM audit_log WHERE id = ?", (kept_checkpoint.length,))
        if row is None or row["hash"] != kept_checkpoint.hash:
            return _broken(
                store,
                count,
                min(last_id + 1, kept_checkpoint.length),
                f"regel {kept_checkpoint.length}, tot waar het log eerder in orde was, is "
                "gewijzigd of verwijderd",
            )
    if published is not None and (
        found_at is None or (published.length and found_at != published.length)
    ):
        return _broken(
            store,
            count,
            published.length or 1,
            "het gepubliceerde anker komt niet voor in het auditlog (het log is ingekort of "
            "herschreven)",
        )
    return ChainCheck(count, None, "", prev_hash, triggers_present(store), start)


def _rows_from(store: Store, start: int) -> Iterator[tuple[Any, ...]]:
    """The log from id `start` on, in id order, a page at a time. A file's cursor streams;
    psycopg's ordinary cursor would fetch a server's whole log (millions of views in a team's
    years) into memory at once. Keyset pages on the primary key read the same rows on both,
    inside the caller's one snapshot."""
    after = start - 1
    while True:
        page = store.execute(
            "SELECT id, at, by_user, action, object_type, object_id, result, details, "
            "prev_hash, hash FROM audit_log WHERE id > ? ORDER BY id LIMIT ?",
            (after, VERIFY_PAGE),
        ).fetchall()
        yield from (tuple(row) for row in page)
        if len(page) < VERIFY_PAGE:
            return
        after = int(page[-1][0])


def _anchor_length(store: Store) -> int:
    point = anchor(store)
    return point.length if point else 0


def _anchor_problem(store: Store, head: ChainPoint) -> str:
    """What the anchor, kept outside the log's own rows, says about its length and end."""
    kept = anchor(store)
    if head.length == 0:
        if kept is not None and kept.length > 0:
            return f"het auditlog is leeggemaakt (er stonden {kept.length} regels in)"
        if _signal_count(store) > 0:
            where = "de database" if store.on_server else "het bestand"
            return f"het auditlog is leeg, maar er staan signalen in {where}"
        return ""
    if kept is None:
        return ""  # a file from before the anchor: the next entry writes it
    if kept.length > head.length:
        return f"regel {head.length + 1} tot en met {kept.length} ontbreken (het log is ingekort)"
    if kept.length == head.length and kept.hash == head.hash:
        return ""
    if kept.length < head.length:
        # Entries written without moving the anchor (an older mhtool): fine as long as the
        # anchor is still a point on the chain. Cutting the log shows as a longer anchor.
        row = store.row("SELECT hash FROM audit_log WHERE id = ?", (kept.length,))
        if row is not None and row["hash"] == kept.hash:
            return ""
    if kept.length <= head.length:
        return (
            f"regel {kept.length} is niet meer de regel waar het anker naar wijst (het log is "
            "ingekort en aangevuld, of herschreven)"
        )
    return "het anker van het auditlog past niet bij de keten (anker of log gewijzigd)"


def _recomputed(row: dict[str, Any]) -> str:
    return entry_hash(
        row["prev_hash"],
        row["id"],
        row["at"],
        row["by_user"],
        row["action"],
        row["object_type"],
        row["object_id"],
        row["result"],
        row["details"],
    )


def _broken(store: Store, count: int, entry_id: int, problem: str) -> ChainCheck:
    return ChainCheck(count, entry_id, problem, "", triggers_present(store), 1)
