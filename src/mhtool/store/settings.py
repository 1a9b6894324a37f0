"""The `setting` table: decisions that belong to the municipality, not to the code (such as
bewaartermijnen). A key that was never set has no row; callers fall back to their defaults."""

from __future__ import annotations

from typing import Any

from mhtool.store.connection import Store, now_iso


def settings_with_prefix(store: Store, prefix: str) -> dict[str, dict[str, Any]]:
    rows = store.rows(
        "SELECT key, value, updated_at, updated_by FROM setting WHERE substr(key, 1, ?) = ?",
        (len(prefix), prefix),
    )
    return {r["key"]: r for r in rows}


def put_setting(store: Store, key: str, value: str, user: str) -> None:
    store.execute(
        "INSERT INTO setting (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        (key, value, now_iso(), user),
    )
