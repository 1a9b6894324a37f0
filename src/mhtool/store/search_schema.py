"""Schema version 2: what makes earlier persons, addresses and organisations findable.

- Extra normalised keys (surname, first initial, city, organisation name without legal form)
  with indexes, so candidates come from an index lookup, never a table scan.
- `search_term`: the small table of DISTINCT street, surname and organisation keys that
  rapidfuzz scans for spelling variants. It is kept by triggers with a use count, so a key
  disappears as soon as the last record using it is deleted (nothing personal lingers in it).
- `search_text`: an FTS5 (unicode61) index over signal descriptions and notes, also kept by
  triggers, so every write path (including deletes for retention) keeps it in sync.
  Row ids: a signal's description is 2*id, a note's text 2*id+1.
"""

from __future__ import annotations

from mhtool.domain.normalise import (
    city_key,
    name_key,
    organisation_core_key,
    person_name_parts,
    street_key,
)
from mhtool.store.connection import Store

# (term kind, table, key column): which keys feed the fuzzy term table.
TERM_SOURCES = (
    ("straat", "address", "street_key"),
    ("achternaam", "person", "surname_key"),
    ("organisatie", "organisation", "core_key"),
)


def _term_triggers(kind: str, table: str, column: str) -> list[str]:
    # Only literal names from TERM_SOURCES are formatted in; no user value is.
    add = (
        f"INSERT INTO search_term (kind, term, n) VALUES ('{kind}', new.{column}, 1) "  # noqa: S608
        "ON CONFLICT (kind, term) DO UPDATE SET n = n + 1"
    )
    remove = (
        f"UPDATE search_term SET n = n - 1 WHERE kind = '{kind}' AND term = old.{column}; "  # noqa: S608
        f"DELETE FROM search_term WHERE kind = '{kind}' AND term = old.{column} AND n <= 0"
    )
    return [
        f"CREATE TRIGGER {table}_term_insert AFTER INSERT ON {table} "
        f"WHEN new.{column} <> '' BEGIN {add}; END",
        f"CREATE TRIGGER {table}_term_delete AFTER DELETE ON {table} "
        f"WHEN old.{column} <> '' BEGIN {remove}; END",
        f"CREATE TRIGGER {table}_term_update_old AFTER UPDATE OF {column} ON {table} "
        f"WHEN old.{column} <> '' AND old.{column} IS NOT new.{column} BEGIN {remove}; END",
        f"CREATE TRIGGER {table}_term_update_new AFTER UPDATE OF {column} ON {table} "
        f"WHEN new.{column} <> '' AND old.{column} IS NOT new.{column} BEGIN {add}; END",
    ]


_TEXT_TRIGGERS = [
    "CREATE TRIGGER signal_text_insert AFTER INSERT ON signal "
    "BEGIN INSERT INTO search_text (rowid, body) VALUES (2 * new.id, new.description); END",
    "CREATE TRIGGER signal_text_update AFTER UPDATE OF description ON signal "
    "BEGIN DELETE FROM search_text WHERE rowid = 2 * old.id; "
    "INSERT INTO search_text (rowid, body) VALUES (2 * new.id, new.description); END",
    "CREATE TRIGGER signal_text_delete AFTER DELETE ON signal "
    "BEGIN DELETE FROM search_text WHERE rowid = 2 * old.id; END",
    "CREATE TRIGGER note_text_insert AFTER INSERT ON note "
    "BEGIN INSERT INTO search_text (rowid, body) VALUES (2 * new.id + 1, new.text); END",
    "CREATE TRIGGER note_text_update AFTER UPDATE OF text ON note "
    "BEGIN DELETE FROM search_text WHERE rowid = 2 * old.id + 1; "
    "INSERT INTO search_text (rowid, body) VALUES (2 * new.id + 1, new.text); END",
    "CREATE TRIGGER note_text_delete AFTER DELETE ON note "
    "BEGIN DELETE FROM search_text WHERE rowid = 2 * old.id + 1; END",
]


def _backfill_keys(store: Store) -> None:
    """Compute the new keys for rows written before version 2 (and refresh the old keys,
    whose normalisation now also folds letters such as ø and ß)."""
    persons = store.execute("SELECT id, name FROM person").fetchall()
    store.conn.executemany(
        "UPDATE person SET name_key = ?, given_key = ?, initial = ?, surname_key = ? WHERE id = ?",
        [(name_key(name), *person_name_parts(name), pid) for pid, name in persons],
    )
    addresses = store.execute("SELECT id, street, city FROM address").fetchall()
    store.conn.executemany(
        "UPDATE address SET street_key = ?, city_key = ? WHERE id = ?",
        [(street_key(street), city_key(city), aid) for aid, street, city in addresses],
    )
    organisations = store.execute("SELECT id, name FROM organisation").fetchall()
    store.conn.executemany(
        "UPDATE organisation SET name_key = ?, core_key = ? WHERE id = ?",
        [(name_key(name), organisation_core_key(name), oid) for oid, name in organisations],
    )


def create_search_schema(store: Store) -> None:
    for statement in (
        "ALTER TABLE person ADD COLUMN given_key TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE person ADD COLUMN initial TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE person ADD COLUMN surname_key TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE address ADD COLUMN city_key TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE organisation ADD COLUMN core_key TEXT NOT NULL DEFAULT ''",
    ):
        store.execute(statement)
    _backfill_keys(store)
    for statement in (
        "CREATE INDEX person_by_surname ON person (surname_key, initial)",
        "CREATE INDEX address_by_postcode_number ON address (postcode, house_number)",
        "CREATE INDEX address_by_street_number ON address (street_key, house_number)",
        "CREATE INDEX organisation_by_core ON organisation (core_key)",
        """CREATE TABLE search_term (
            kind TEXT NOT NULL,
            term TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (kind, term)
        ) STRICT, WITHOUT ROWID""",
        "CREATE VIRTUAL TABLE search_text USING fts5 ("
        "body, tokenize = 'unicode61 remove_diacritics 2')",
    ):
        store.execute(statement)
    for kind, table, column in TERM_SOURCES:
        store.execute(
            f"INSERT INTO search_term (kind, term, n) SELECT ?, {column}, count(*) "  # noqa: S608
            f"FROM {table} WHERE {column} <> '' GROUP BY {column}",
            (kind,),
        )
        for trigger in _term_triggers(kind, table, column):
            store.execute(trigger)
    store.execute("INSERT INTO search_text (rowid, body) SELECT 2 * id, description FROM signal")
    store.execute("INSERT INTO search_text (rowid, body) SELECT 2 * id + 1, text FROM note")
    for trigger in _TEXT_TRIGGERS:
        store.execute(trigger)
