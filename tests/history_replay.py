"""Replaying the history: every signal rebuilt from its history rows alone must equal what the
file holds. Used by the hypothesis test of random command sequences (test_history_replay.py)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def replay(db: Path) -> dict[int, Replayed]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        states: dict[int, Replayed] = {}
        for r in conn.execute(
            "SELECT * FROM history WHERE signal_id IS NOT NULL ORDER BY id"
        ).fetchall():
            _apply(states.setdefault(r["signal_id"], Replayed()), dict(r))
        return states
    finally:
        conn.close()


def assert_history_replays(db: Path) -> None:
    """Every signal as its history tells it equals the signal as stored, and no stored signal
    lacks a history."""
    states = replay(db)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        stored = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM signal")}
        assert set(stored) == {i for i, s in states.items() if s.exists}
        for signal_id, state in states.items():
            if not state.exists:
                continue
            row = stored[signal_id]
            for key, value in state.columns.items():
                if key not in UNTRACKED:
                    assert row[key] == value, (signal_id, key, row[key], value)

            def values(sql: str, sid: int = signal_id) -> list[Any]:
                return [r[0] for r in conn.execute(sql, (sid,))]

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
                r[0]: r[1]
                for r in conn.execute(
                    "SELECT id, on_date FROM step_event WHERE signal_id = ?", (signal_id,)
                )
            }
            assert events == state.events, signal_id
    finally:
        conn.close()
