"""Schema versions of the mhtool file, applied in order when a file is opened.

Rules: never edit a migration that has shipped; add a new one. Each migration runs in its own
BEGIN IMMEDIATE transaction together with the `PRAGMA user_version` bump and its row in
`schema_migration`, so a crash leaves the file at the previous version, never in between.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from mhtool.store.connection import APPLICATION_ID, Store, translate_sqlite_errors

Migration = Callable[[Store], None]


def _v1_foundation(store: Store) -> None:
    statements = [
        """CREATE TABLE schema_migration (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL
        ) STRICT""",
        """CREATE TABLE signal_counter (
            year INTEGER PRIMARY KEY,
            last_seq INTEGER NOT NULL
        ) STRICT""",
        """CREATE TABLE signal (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE,
            year INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            received_on TEXT NOT NULL,
            municipality TEXT NOT NULL,
            reporter TEXT NOT NULL,
            reporter_department TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL,
            acute INTEGER NOT NULL CHECK (acute IN (0, 1)),
            avim_informed_at TEXT,
            description TEXT NOT NULL DEFAULT '',
            step INTEGER NOT NULL CHECK (step BETWEEN 1 AND 5),
            step_since TEXT NOT NULL,
            conclusion TEXT,
            feedback_given INTEGER CHECK (feedback_given IN (0, 1)),
            feedback_on TEXT,
            criminal_case INTEGER CHECK (criminal_case IN (0, 1)),
            shelter_arranged INTEGER CHECK (shelter_arranged IN (0, 1)),
            closed_on TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (year, seq)
        ) STRICT""",
        "CREATE INDEX signal_by_year ON signal (year, municipality, step)",
        "CREATE INDEX signal_by_step ON signal (step, step_since)",
        "CREATE INDEX signal_by_received ON signal (received_on)",
        """CREATE TABLE signal_form (
            signal_id INTEGER NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
            form TEXT NOT NULL,
            PRIMARY KEY (signal_id, form)
        ) STRICT, WITHOUT ROWID""",
        "CREATE INDEX signal_form_by_form ON signal_form (form, signal_id)",
        """CREATE TABLE signal_measure (
            signal_id INTEGER NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
            measure TEXT NOT NULL,
            PRIMARY KEY (signal_id, measure)
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE person (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            birth_date TEXT,
            birth_year INTEGER,
            nationality TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX person_by_name ON person (name_key)",
        "CREATE INDEX person_by_birth ON person (birth_year, birth_date)",
        """CREATE TABLE signal_person (
            signal_id INTEGER NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            PRIMARY KEY (signal_id, person_id)
        ) STRICT, WITHOUT ROWID""",
        "CREATE INDEX signal_person_by_person ON signal_person (person_id, signal_id)",
        """CREATE TABLE address (
            id INTEGER PRIMARY KEY,
            street TEXT NOT NULL DEFAULT '',
            street_key TEXT NOT NULL DEFAULT '',
            house_number INTEGER NOT NULL,
            house_addition TEXT NOT NULL DEFAULT '',
            house_key TEXT NOT NULL,
            postcode TEXT NOT NULL DEFAULT '',
            city TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX address_by_postcode ON address (postcode, house_key)",
        "CREATE INDEX address_by_street ON address (street_key, house_key)",
        """CREATE TABLE signal_address (
            signal_id INTEGER NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
            address_id INTEGER NOT NULL REFERENCES address (id) ON DELETE CASCADE,
            PRIMARY KEY (signal_id, address_id)
        ) STRICT, WITHOUT ROWID""",
        "CREATE INDEX signal_address_by_address ON signal_address (address_id, signal_id)",
        """CREATE TABLE organisation (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            kvk TEXT NOT NULL DEFAULT '',
            sector TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX organisation_by_name ON organisation (name_key)",
        "CREATE INDEX organisation_by_kvk ON organisation (kvk)",
        """CREATE TABLE signal_organisation (
            signal_id INTEGER NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
            organisation_id INTEGER NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
            PRIMARY KEY (signal_id, organisation_id)
        ) STRICT, WITHOUT ROWID""",
        "CREATE INDEX signal_organisation_by_org ON signal_organisation (organisation_id)",
        """CREATE TABLE step_event (
            id INTEGER PRIMARY KEY,
            signal_id INTEGER NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            from_step INTEGER,
            to_step INTEGER,
            on_date TEXT NOT NULL,
            by_user TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            details TEXT NOT NULL DEFAULT '{}',
            recorded_at TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX step_event_by_signal ON step_event (signal_id, id)",
        "CREATE INDEX step_event_by_date ON step_event (on_date)",
        """CREATE TABLE note (
            id INTEGER PRIMARY KEY,
            signal_id INTEGER NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
            on_date TEXT NOT NULL,
            by_user TEXT NOT NULL,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX note_by_signal ON note (signal_id, id)",
        """CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            by_user TEXT NOT NULL,
            signal_id INTEGER,
            entity TEXT NOT NULL,
            entity_id INTEGER,
            action TEXT NOT NULL,
            changes TEXT NOT NULL DEFAULT '{}'
        ) STRICT""",
        "CREATE INDEX history_by_signal ON history (signal_id, id)",
    ]
    for statement in statements:
        store.execute(statement)
    store.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _v2_search(store: Store) -> None:
    from mhtool.store.search_schema import create_search_schema

    create_search_schema(store)


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "foundation", _v1_foundation),
    (2, "search", _v2_search),
]
LATEST_VERSION = MIGRATIONS[-1][0]


def apply_migrations(store: Store) -> None:
    """Bring the file to LATEST_VERSION, one transaction per migration."""
    for version, name, migrate in MIGRATIONS:
        current = store.execute("PRAGMA user_version").fetchone()[0]
        if version <= current:
            continue
        with store.write():
            # Re-read inside the write lock: another process may have migrated meanwhile.
            if store.execute("PRAGMA user_version").fetchone()[0] >= version:
                continue
            migrate(store)
            with translate_sqlite_errors():
                store.execute(
                    "INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
                )
                store.execute(f"PRAGMA user_version = {version}")
