"""Schema version 4 (migration "search"): what makes earlier persons, addresses and organisations findable.

- Extra normalised keys (surname, first initial, city, organisation name without legal form)
  with indexes, so candidates come from an index lookup, never a table scan.
- `search_term`: the small table of DISTINCT street keys, surname keys and words of
  organisation names that rapidfuzz scans for spelling variants. It is kept by triggers with a use count, so a key
  disappears as soon as the last record using it is deleted (nothing personal lingers in it).
- `search_text`: an FTS5 (unicode61) index over signal descriptions and notes, also kept by
  triggers, so every write path (including deletes for retention) keeps it in sync.
  Row ids: a signal's description is 2*id, a note's text 2*id+1.
- `organisation_text`: FTS5 over organisation name keys (external content, no copy), used only
  to look up organisations by words that rapidfuzz has already matched in `search_term`.
"""

from __future__ import annotations

from mhtool.domain.normalise import (
    city_key,
    house_key,
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
)

# Organisations: distinct *words* of the name (there are far fewer words than names), kept in
# search_term as 'organisatiewoord', and an FTS5 index over the names (external content, no
# copy) to find the organisations holding those words. core_key holds only [a-z0-9 ], so
# turning it into a JSON array by replacing spaces is safe.
_WORDS = "json_each('[\"' || replace({row}.core_key, ' ', '\",\"') || '\"]')"
_ADD_WORDS = (
    "INSERT INTO search_term (kind, term, n) SELECT DISTINCT 'organisatiewoord', value, 1 "  # noqa: S608
    "FROM " + _WORDS.format(row="new") + " WHERE value <> '' "
    "ON CONFLICT (kind, term) DO UPDATE SET n = n + 1; "
    "INSERT INTO organisation_text (rowid, core_key) VALUES (new.id, new.core_key);"
)
_REMOVE_WORDS = (
    "UPDATE search_term SET n = n - 1 WHERE kind = 'organisatiewoord' AND term IN "  # noqa: S608
    "(SELECT value FROM " + _WORDS.format(row="old") + "); "
    "DELETE FROM search_term WHERE kind = 'organisatiewoord' AND n <= 0 AND term IN "
    "(SELECT value FROM " + _WORDS.format(row="old") + "); "
    "INSERT INTO organisation_text (organisation_text, rowid, core_key) "
    "VALUES ('delete', old.id, old.core_key);"
)
_ORGANISATION_TRIGGERS = [
    "CREATE TRIGGER organisation_words_insert AFTER INSERT ON organisation "
    f"WHEN new.core_key <> '' BEGIN {_ADD_WORDS} END",
    "CREATE TRIGGER organisation_words_delete AFTER DELETE ON organisation "
    f"WHEN old.core_key <> '' BEGIN {_REMOVE_WORDS} END",
    # One trigger, remove before add: FTS5 'delete' takes out every old word, also those the
    # new name shares, so the order of the two steps matters.
    "CREATE TRIGGER organisation_words_update AFTER UPDATE OF core_key ON organisation "
    f"WHEN old.core_key IS NOT new.core_key BEGIN {_REMOVE_WORDS} {_ADD_WORDS} END",
]


def _term_triggers(kind: str, table: str, column: str, name: str = "") -> list[str]:
    # Only literal names from this module are formatted in; no user value is.
    name = name or table
    add = (
        f"INSERT INTO search_term (kind, term, n) VALUES ('{kind}', new.{column}, 1) "  # noqa: S608
        "ON CONFLICT (kind, term) DO UPDATE SET n = n + 1"
    )
    remove = (
        f"UPDATE search_term SET n = n - 1 WHERE kind = '{kind}' AND term = old.{column}; "  # noqa: S608
        f"DELETE FROM search_term WHERE kind = '{kind}' AND term = old.{column} AND n <= 0"
    )
    return [
        f"CREATE TRIGGER {name}_term_insert AFTER INSERT ON {table} "
        f"WHEN new.{column} <> '' BEGIN {add}; END",
        f"CREATE TRIGGER {name}_term_delete AFTER DELETE ON {table} "
        f"WHEN old.{column} <> '' BEGIN {remove}; END",
        f"CREATE TRIGGER {name}_term_update_old AFTER UPDATE OF {column} ON {table} "
        f"WHEN old.{column} <> '' AND old.{column} IS NOT new.{column} BEGIN {remove}; END",
        f"CREATE TRIGGER {name}_term_update_new AFTER UPDATE OF {column} ON {table} "
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


def refresh_keys(store: Store) -> None:
    """Recompute every normalised key from the stored text with today's normalisation: for
    rows written before version 4, and again whenever the normalisation changes (version 6:
    an apostrophe inside a name joins it; version 10: street abbreviations, house-number
    additions, capital initials). The search_term triggers follow the updates. Plain `?`
    updates through the Store, so a later migration can run it on a server as well."""
    persons = store.execute("SELECT id, name FROM person").fetchall()
    store.executemany(
        "UPDATE person SET name_key = ?, given_key = ?, initial = ?, surname_key = ? WHERE id = ?",
        [(name_key(name), *person_name_parts(name), pid) for pid, name in persons],
    )
    refresh_address_keys(store)
    organisations = store.execute("SELECT id, name FROM organisation").fetchall()
    store.executemany(
        "UPDATE organisation SET name_key = ?, core_key = ? WHERE id = ?",
        [(name_key(name), organisation_core_key(name), oid) for oid, name in organisations],
    )


def refresh_address_keys(store: Store) -> None:
    """Street, city and house keys of every address, from the text as stored."""
    addresses = store.execute(
        "SELECT id, street, city, house_number, house_addition FROM address"
    ).fetchall()
    store.executemany(
        "UPDATE address SET street_key = ?, city_key = ?, house_key = ? WHERE id = ?",
        [
            (street_key(street), city_key(city), house_key(number, addition), aid)
            for aid, street, city, number, addition in addresses
        ],
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
    refresh_keys(store)
    for statement in (
        # Covering: candidates are scored from the index alone, without touching the table.
        "CREATE INDEX person_by_surname ON person "
        "(surname_key, initial, given_key, birth_year, birth_date, name_key)",
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
        "CREATE VIRTUAL TABLE organisation_text USING fts5 ("
        "core_key, content = 'organisation', content_rowid = 'id', tokenize = 'unicode61')",
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
    for trigger in _ORGANISATION_TRIGGERS:
        store.execute(trigger)
    store.execute("INSERT INTO organisation_text (organisation_text) VALUES ('rebuild')")
    store.execute(
        "INSERT INTO search_term (kind, term, n) "
        "SELECT 'organisatiewoord', w.value, count(DISTINCT o.id) "
        "FROM organisation o, " + _WORDS.format(row="o") + " w "
        "WHERE o.core_key <> '' AND w.value <> '' GROUP BY w.value"
    )
    store.execute("INSERT INTO search_text (rowid, body) SELECT 2 * id, description FROM signal")
    store.execute("INSERT INTO search_text (rowid, body) SELECT 2 * id + 1, text FROM note")
    for trigger in _TEXT_TRIGGERS:
        store.execute(trigger)


def add_spelling_keys(store: Store) -> None:
    """Version 10: the spellings officers meet. Street keys are recomputed with the table of
    abbreviations (domain.street_names) and house keys with the comparable addition ("14-II"
    is "14-2"); a name written surname first ("Kowalczyk Agnieszka") is found through its given
    key, so given keys get an index and a fuzzy term list ('voornaam') like surnames have.
    Every key is recomputed: also person keys, since an initial written 'T.', 'D.' or 'V.' is
    no longer taken for a particle."""
    refresh_keys(store)
    store.execute(
        "CREATE INDEX person_by_given ON person "
        "(given_key, birth_year, surname_key, initial, birth_date, name_key)"
    )
    store.execute(
        "INSERT INTO search_term (kind, term, n) SELECT 'voornaam', given_key, count(*) "
        "FROM person WHERE given_key <> '' GROUP BY given_key"
    )
    for trigger in _term_triggers("voornaam", "person", "given_key", "person_given"):
        store.execute(trigger)
