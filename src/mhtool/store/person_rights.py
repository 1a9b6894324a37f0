"""Queries for one person's AVG rights: the person row, the signals they appear in, and the
history rows about them."""

from __future__ import annotations

import json
from typing import Any

from mhtool.domain.normalise import name_key, person_name_parts
from mhtool.errors import NotFoundError
from mhtool.store.connection import Store


def find_person(store: Store, person_id: int) -> dict[str, Any]:
    row = store.row("SELECT * FROM person WHERE id = ?", (person_id,))
    if row is None:
        raise NotFoundError(f"Persoon met id {person_id} bestaat niet; controleer het id.")
    return row


def signals_of_person(store: Store, person_id: int) -> list[dict[str, Any]]:
    return store.rows(
        "SELECT s.*, sp.role FROM signal_person sp JOIN signal s ON s.id = sp.signal_id "
        "WHERE sp.person_id = ? ORDER BY s.id",
        (person_id,),
    )


def person_history(store: Store, person_id: int) -> list[dict[str, Any]]:
    return store.rows(
        "SELECT at, by_user, action, changes FROM history "
        "WHERE entity = 'person' AND entity_id = ? ORDER BY id",
        (person_id,),
    )


def former_names(store: Store, person: dict[str, Any]) -> list[str]:
    """The names this person had before a correction (or an undone one), from their own
    history rows: texts written back then still hold that spelling. Not the current name."""
    seen = {person["name_key"]}
    names: list[str] = []
    for row in person_history(store, person["id"]):
        value = json.loads(row["changes"]).get("name")
        for name in value.values() if isinstance(value, dict) else [value]:
            if isinstance(name, str) and name_key(name) and name_key(name) not in seen:
                seen.add(name_key(name))
                names.append(name)
    return names


def namesakes_of_name(store: Store, person_id: int, name: str) -> list[str]:
    """`namesakes` for a name this person had before."""
    _, _, surname = person_name_parts(name)
    return namesakes(store, {"id": person_id, "surname_key": surname, "name_key": name_key(name)})


def namesakes(store: Store, person: dict[str, Any]) -> list[str]:
    """The names of the other persons whose name could be written like this person's: the same
    surname (also read as a first word, for names written surname first) or the same name.
    Found through the name indexes, so erasure stays quick in a file with many persons."""
    rows = store.rows(
        "SELECT name FROM person WHERE id <> :id AND (surname_key = :surname "
        "OR given_key = :surname OR name_key = :name) ORDER BY id",
        {"id": person["id"], "surname": person["surname_key"], "name": person["name_key"]},
    )
    return [str(r["name"]) for r in rows]
