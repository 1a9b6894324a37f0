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


def remaining_names(store: Store) -> list[dict[str, Any]]:
    """The names of every person in the file (after the erased one's row is gone)."""
    return store.rows("SELECT id, name FROM person ORDER BY id")
