"""Schema versions of the mhtool file, applied in order when a file is opened.

Rules: never edit a migration that has shipped; add a new one. Each migration runs in its own
BEGIN IMMEDIATE transaction together with the `PRAGMA user_version` bump and its row in
`schema_migration`, so a crash leaves the file at the previous version, never in between.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from mhtool.errors import NotAllowedError
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


def _v2_statistics_index(store: Store) -> None:
    """A covering index for `mhtool statistiek`, whose column order is the order of grouping.

    Counting per year and gemeente, stap, kanaal or conclusie, and summing the yearly figures
    (strafrechtelijk opgepakt, opvang), then reads only this index, in index order, so SQLite
    aggregates as it scans instead of sorting: at 1M signals 0.1-0.2 s instead of 0.9-2.3 s
    (benchmarks/README-statistics.md). It starts with the columns of `signal_by_year`, which
    it therefore replaces.
    """
    store.execute(
        "CREATE INDEX signal_statistics ON signal (year, municipality, step, channel, "
        "conclusion, criminal_case, shelter_arranged)"
    )
    store.execute("DROP INDEX IF EXISTS signal_by_year")


def _v3_accountability(store: Store) -> None:
    """Audit log (append-only, hash-chained), settings (bewaartermijnen) and vernietigingsdatum.

    Numbered 3 after the statistics index (2); the search index takes the next free number.
    """
    from mhtool.domain.retention import add_years

    statements = [
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            by_user TEXT NOT NULL,
            action TEXT NOT NULL,
            object_type TEXT NOT NULL,
            object_id TEXT NOT NULL DEFAULT '',
            result TEXT NOT NULL,
            details TEXT NOT NULL DEFAULT '{}',
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX audit_log_by_at ON audit_log (at)",
        "CREATE INDEX audit_log_by_object ON audit_log (object_type, object_id)",
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
        """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
        """CREATE TABLE setting (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        ) STRICT""",
        "ALTER TABLE signal ADD COLUMN destroy_on TEXT",
        "CREATE INDEX signal_by_destroy_on ON signal (destroy_on) WHERE destroy_on IS NOT NULL",
    ]
    for statement in statements:
        store.execute(statement)
    # Signals closed before this version get a date from the terms as they stood at version 3
    # (copied here on purpose: a shipped migration must not change when the defaults do).
    terms_at_v3 = {"geen": 2, "verder-onderzoek": 5, "duiding": 5}
    closed = store.rows(
        "SELECT id, closed_on, conclusion FROM signal WHERE step = 5 AND closed_on IS NOT NULL"
    )
    for row in closed:
        years = terms_at_v3.get(row["conclusion"] or "", max(terms_at_v3.values()))
        destroy_on = add_years(dt.date.fromisoformat(row["closed_on"]), years)
        store.execute(
            "UPDATE signal SET destroy_on = ? WHERE id = ?", (destroy_on.isoformat(), row["id"])
        )


def _v4_search(store: Store) -> None:
    from mhtool.store.search_schema import create_search_schema

    create_search_schema(store)


def _v5_step2_check_without_copies(store: Store) -> None:
    """Version 4 stored names, birth dates and addresses in the step-2 check of step_event
    ("gezocht" texts, "omschrijving" of each hit): copies that `persoon verwijder` and the
    bewaartermijn of the other signal could not reach. Keep the kinds, ids, reasons and signal
    numbers; drop the texts. Which of the signal's own entities a text stood for cannot be told
    afterwards, so those ids stay empty (null)."""
    import json

    rows = store.rows(
        "SELECT id, details FROM step_event WHERE json_type(details, '$.automatische_controle') "
        "= 'object'"
    )
    for row in rows:
        details = json.loads(row["details"])
        check = details["automatische_controle"]
        check["gezocht"] = [
            {"soort": str(text).split(" ", 1)[0], "id": None} for text in check.get("gezocht", [])
        ]
        check["gevonden"] = [
            {
                "soort": hit.get("soort"),
                "gezocht_id": None,
                "id": hit.get("id"),
                "score": hit.get("score"),
                "redenen": hit.get("redenen", []),
                "signalen": hit.get("signalen", []),
            }
            for hit in check.get("gevonden", [])
        ]
        store.execute(
            "UPDATE step_event SET details = ? WHERE id = ?",
            (json.dumps(details, ensure_ascii=False, sort_keys=True), row["id"]),
        )


def _v6_name_keys(store: Store) -> None:
    """Name keys join an apostrophe inside a word ("O'Brien" -> 'obrien'; before, the 'O' was
    read as a first initial and 'O'Brien' did not find 'Seán O'Brien'), and a name of one
    (hyphenated) word is a surname only."""
    from mhtool.store.search_schema import refresh_keys

    refresh_keys(store)


def _v7_correctable_record(store: Store) -> None:
    """A record the officer can correct: receipt date, annulment and undo.

    - `signal.received_year`: the year statistics count a signal in, that of its (corrected)
      receipt date. `year` stays the year of its number, which never changes, so a corrected
      receipt date moves the signal to the right year in every figure without renumbering it.
      Triggers keep it equal to the year of `received_on` whatever writes the row. (A generated
      column would do the same, but SQLite 3.40 cannot read it from a covering index.)
    - `signal.annulled_on`: the date a signal registered by mistake was annulled ('vervallen');
      it stays in the file and history but is left out of lists, statistics and reports.
    - `history.change_id`: the history rows written by one command share it, so `mhtool
      ongedaan` can take back exactly one command.
    - `signal_statistics` is rebuilt over `received_year`, with `annulled_on` last, so
      statistics still read one covering index in grouping order.

    Independent of migrations 8-11 (other tables and indexes); any order is harmless.
    """
    for statement in (
        "ALTER TABLE signal ADD COLUMN received_year INTEGER NOT NULL DEFAULT 0",
        "UPDATE signal SET received_year = CAST(substr(received_on, 1, 4) AS INTEGER)",
        """CREATE TRIGGER signal_received_year_insert AFTER INSERT ON signal
           WHEN new.received_year IS NOT CAST(substr(new.received_on, 1, 4) AS INTEGER)
           BEGIN UPDATE signal SET received_year = CAST(substr(new.received_on, 1, 4) AS INTEGER)
           WHERE id = new.id; END""",
        """CREATE TRIGGER signal_received_year_update
           AFTER UPDATE OF received_on, received_year ON signal
           WHEN new.received_year IS NOT CAST(substr(new.received_on, 1, 4) AS INTEGER)
           BEGIN UPDATE signal SET received_year = CAST(substr(new.received_on, 1, 4) AS INTEGER)
           WHERE id = new.id; END""",
        "ALTER TABLE signal ADD COLUMN annulled_on TEXT",
        "ALTER TABLE history ADD COLUMN change_id INTEGER",
        "CREATE INDEX history_by_change ON history (change_id)",
        "CREATE INDEX history_by_user_change ON history (by_user, change_id)",
        "DROP INDEX IF EXISTS signal_statistics",
        "CREATE INDEX signal_statistics ON signal (received_year, municipality, step, channel, "
        "conclusion, criminal_case, shelter_arranged, annulled_on)",
    ):
        store.execute(statement)


def _v10_search_spellings(store: Store) -> None:
    """Street abbreviations, house-number additions and names written surname first (issue
    15); see search_schema.add_spelling_keys. Independent of versions 7-9: it only recomputes
    keys and adds an index, terms and triggers of its own."""
    from mhtool.store.search_schema import add_spelling_keys

    add_spelling_keys(store)


def _v9_lifecycle(store: Store) -> None:
    """The case after step 5 (issue 11): follow-up actions, outcomes recorded after closing,
    and the indexes `mhtool agenda` and its hint need to answer from an index at 1M signals.

    New tables and partial indexes only; no existing row changes, so it is harmless whether
    versions 7 and 8 ran before it or not. Norms per step live in `setting` (`norm.<code>`)
    and need no schema.
    """
    statements = [
        """CREATE TABLE follow_up_action (
            id INTEGER PRIMARY KEY,
            signal_id INTEGER NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            description TEXT NOT NULL,
            due_on TEXT NOT NULL,
            partner TEXT NOT NULL DEFAULT '',
            created_on TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            done_on TEXT,
            done_by TEXT,
            done_note TEXT NOT NULL DEFAULT '',
            UNIQUE (signal_id, seq)
        ) STRICT""",
        "CREATE INDEX follow_up_open_by_due ON follow_up_action (due_on) WHERE done_on IS NULL",
        """CREATE TABLE outcome (
            id INTEGER PRIMARY KEY,
            signal_id INTEGER NOT NULL REFERENCES signal (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            on_date TEXT NOT NULL,
            value INTEGER CHECK (value IN (0, 1)),
            measure TEXT,
            measure_status TEXT,
            partner TEXT NOT NULL DEFAULT '',
            ends_on TEXT,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX outcome_by_signal ON outcome (signal_id, id)",
        "CREATE INDEX outcome_by_kind ON outcome (kind, on_date)",
        "CREATE INDEX outcome_b8_by_end ON outcome (ends_on) WHERE kind = 'bedenktijd'",
        "CREATE INDEX signal_acute_without_avim ON signal (received_on) "
        "WHERE acute = 1 AND avim_informed_at IS NULL AND step < 5",
        "CREATE INDEX signal_feedback_owed ON signal (closed_on) "
        "WHERE step = 5 AND feedback_given = 0",
    ]
    for statement in statements:
        store.execute(statement)


def _v11_list_and_statistics(store: Store) -> None:
    """Indexes for every `signaal lijst` filter, and per-signal form/sector rows with running
    counts for `statistiek --per vorm/sector` (see store/statistics_schema.py). At 1M signals
    filling them takes seconds, once. Builds on version 7 (`received_year`, `annulled_on`).
    """
    from mhtool.store.statistics_schema import create_statistics_schema

    create_statistics_schema(store)


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "foundation", _v1_foundation),
    (2, "statistics_index", _v2_statistics_index),
    (3, "accountability", _v3_accountability),
    (4, "search", _v4_search),
    (5, "step2_check_without_copies", _v5_step2_check_without_copies),
    (6, "name_keys", _v6_name_keys),
    (7, "correctable_record", _v7_correctable_record),
    (9, "lifecycle", _v9_lifecycle),
    (10, "search_spellings", _v10_search_spellings),
    (11, "list_and_statistics", _v11_list_and_statistics),
]
LATEST_VERSION = MIGRATIONS[-1][0]


# On a PostgreSQL server the schema starts at version 11: its migration 11 builds the whole
# schema-11 database (store/postgres_schema.py) and records 1-10 as part of it. Every migration
# from 12 on needs an entry here too (test_migrations checks), so both backends move together.
POSTGRES_BASELINE = 11
POSTGRES_MIGRATIONS: dict[int, Migration] = {}


def _postgres_baseline(store: Store) -> None:
    """The schema-11 tables (postgres_schema.py), then who may see what (postgres_security.py:
    row-level security, id functions, the regional views), in the same transaction: a server
    database never exists without its policies."""
    from mhtool.store.postgres_schema import STATEMENTS
    from mhtool.store.postgres_security import STATEMENTS as SECURITY

    for statement in (*STATEMENTS, *SECURITY):
        store.execute(statement)


def apply_migrations(store: Store) -> None:
    """Bring the database to LATEST_VERSION, one transaction per migration."""
    if store.dialect == "postgresql":
        _apply_server_migrations(store)
        return
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


def _apply_server_migrations(store: Store) -> None:
    """Under a session advisory lock, so two users upgrading at once cannot collide; the version
    is re-read under it. The baseline and each later migration is one transaction."""
    try:
        _run_server_migrations(store)
    except NotAllowedError:
        # Only the owner may create or change the tables: an officer who is first to use a
        # new database, or a new version of mhtool, would otherwise be told about their role.
        raise NotAllowedError(
            "De database op de server is nog niet ingericht voor deze versie van mhtool; dat "
            "kan alleen de beheerder, door mhtool één keer te gebruiken als eigenaar van de "
            "database (zie docs/server.md, 'De server inrichten'). Er is niets gewijzigd."
        ) from None


def _run_server_migrations(store: Store) -> None:
    from mhtool.store.postgres_connection import migration_lock, server_schema_version

    with translate_sqlite_errors(), migration_lock(store):
        for version, name, _migrate in MIGRATIONS:
            if version < POSTGRES_BASELINE or version <= server_schema_version(store):
                continue
            with store.write():
                if version == POSTGRES_BASELINE:
                    _postgres_baseline(store)
                    done = [(v, n) for v, n, _m in MIGRATIONS if v <= POSTGRES_BASELINE]
                else:
                    POSTGRES_MIGRATIONS[version](store)
                    done = [(version, name)]
                at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                for number, title in done:
                    store.execute(
                        "INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)",
                        (number, title, at),
                    )
