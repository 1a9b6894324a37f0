"""Replaying the history: every signal rebuilt from its history rows alone must equal what the
database holds (a file or a server). Used by the hypothesis test of random command sequences
and the fixed sequence on both backends (test_history_replay.py)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import Backend
from tests.postgres_cluster import qmark_to_psycopg

LINKS = {
    "person": ("signal_person", "person_id"),
    "address": ("signal_address", "address_id"),
    "organisation": ("signal_organisation", "organisation_id"),
}
# Columns the history does not follow: bookkeeping of the moment of the last write.
UNTRACKED = frozenset({"updated_at"})


@dataclass
class Replayed:
    exists: bool = True
    columns: dict[str, Any] = field(default_factory=dict)
    forms: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    links: set[tuple[str, int]] = field(default_factory=set)
    notes: set[int] = field(default_factory=set)
    events: dict[int, str] = field(default_factory=dict)  # id -> on_date


def _pairs(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in changes.items() if isinstance(v, dict) and set(v) == {"oud", "nieuw"}}


def _apply(state: Replayed, row: dict[str, Any]) -> None:
    entity, entity_id, action = row["entity"], row["entity_id"], row["action"]
    changes = json.loads(row["changes"])
    undo = action == "ongedaan"
    if entity == "signal" and action == "aangemaakt":
        state.columns = {k: v for k, v in changes.items() if k != "vormen"}
        state.forms = sorted(changes.get("vormen", []))
        return
    if undo and changes.get("verwijderd"):
        if entity == "signal":
            state.exists = False
        elif entity == "note":
            state.notes.discard(entity_id)
        elif entity == "step_event":
            state.events.pop(entity_id, None)
        return
    if undo and changes.get("ontkoppeld"):
        state.links.discard((entity, entity_id))
        return
    if action == "gekoppeld":
        state.links.add((entity, entity_id))
        return
    if action == "notitie" and entity == "note":
        state.notes.add(entity_id)
        return
    if entity == "step_event" and action == "aangemaakt":
        state.events[entity_id] = changes["on_date"]
        return
    for key, pair in _pairs(changes).items():
        if key == "vormen":
            assert sorted(state.forms) == sorted(pair["oud"]), (row, state.forms)
            state.forms = sorted(pair["nieuw"])
        elif key == "maatregelen":
            assert sorted(state.measures) == sorted(pair["oud"]), (row, state.measures)
            state.measures = sorted(pair["nieuw"])
        elif entity == "signal":
            assert state.columns.get(key) == pair["oud"], (row, key, state.columns.get(key))
            state.columns[key] = pair["nieuw"]
        elif entity == "step_event" and key == "on_date":
            assert state.events[entity_id] == pair["oud"], row
            state.events[entity_id] = pair["nieuw"]


class _Reader:
    """Rows as dicts from a file (a path, or the file of a `backend`) or from the server
    database of a `backend` (as the superuser: row-level security hides nothing)."""

    def __init__(self, db: Path | Backend) -> None:
        self._pg: Any = None
        self._file: sqlite3.Connection | None = None
        if isinstance(db, Path) or not db.is_postgresql:
            self._file = sqlite3.connect(db if isinstance(db, Path) else db.target)
            self._file.row_factory = sqlite3.Row
        else:
            from psycopg.rows import dict_row

            assert db.cluster is not None
            self._pg = db.cluster.connect(db.dbname)
            self._pg.row_factory = dict_row

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        if self._file is not None:
            return [dict(r) for r in self._file.execute(sql, params).fetchall()]
        return list(self._pg.execute(qmark_to_psycopg(sql), params).fetchall())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        else:
            self._pg.close()


def replay(db: Path | Backend) -> dict[int, Replayed]:
    reader = _Reader(db)
    try:
        states: dict[int, Replayed] = {}
        for r in reader.rows("SELECT * FROM history WHERE signal_id IS NOT NULL ORDER BY id"):
            _apply(states.setdefault(r["signal_id"], Replayed()), r)
        return states
    finally:
        reader.close()


def assert_history_replays(db: Path | Backend) -> None:
    """Every signal as its history tells it equals the signal as stored, and no stored signal
    lacks a history (on a file or on a server)."""
    states = replay(db)
    reader = _Reader(db)
    try:
        stored = {r["id"]: r for r in reader.rows("SELECT * FROM signal")}
        assert set(stored) == {i for i, s in states.items() if s.exists}
        for signal_id, state in states.items():
            if not state.exists:
                continue
            row = stored[signal_id]
            for key, value in state.columns.items():
                if key not in UNTRACKED:
                    assert row[key] == value, (signal_id, key, row[key], value)

            def values(sql: str, sid: int = signal_id) -> list[Any]:
                return [next(iter(r.values())) for r in reader.rows(sql, (sid,))]

            assert (
                values("SELECT form FROM signal_form WHERE signal_id = ? ORDER BY form")
                == state.forms
            )
            assert (
                values("SELECT measure FROM signal_measure WHERE signal_id = ? ORDER BY measure")
                == state.measures
            )
            links = {
                (entity, entity_id)
                for entity, (table, column) in LINKS.items()
                for entity_id in values(
                    f"SELECT {column} FROM {table} WHERE signal_id = ?"  # noqa: S608
                )
            }
            assert links == state.links, signal_id
            assert set(values("SELECT id FROM note WHERE signal_id = ?")) == state.notes
            events = {
                r["id"]: r["on_date"]
                for r in reader.rows(
                    "SELECT id, on_date FROM step_event WHERE signal_id = ?", (signal_id,)
                )
            }
            assert events == state.events, signal_id
    finally:
        reader.close()
