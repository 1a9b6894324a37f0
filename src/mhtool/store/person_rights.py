"""Queries for one person's AVG rights: the person row, the signals they appear in, and the
history rows about them."""

from __future__ import annotations

from typing import Any

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
