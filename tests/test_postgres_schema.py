"""PostgreSQL schema 11 (store/postgres_schema.py) is the schema SQLite migrations 1-11 build.

Both sides are read from the databases themselves, never from a list written here: a fresh
file made by the migrations and a throwaway server database on which STATEMENTS ran as the
migration runner runs them (one transaction). Then the same writes go to both, and every table
the triggers keep (search terms, statistics groups and counts, received_year, search text and
its words) must hold the same rows on both after each step.
"""

from __future__ import annotations

import importlib.util
import re
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from mhtool.store import text_tokens
from mhtool.store.fts_tokens import FOLDS, SEPARATORS
from mhtool.store.open_store import open_store
from mhtool.store.postgres_schema import ID_TABLES, STATEMENTS
from tests.postgres_cluster import PostgresCluster, qmark_to_psycopg

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FTS5_SHADOWS = ("_config", "_content", "_data", "_docsize", "_idx")


# ---- the two databases ---------------------------------------------------------------------


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A fresh file at schema 11, made by the migrations, opened plainly with foreign keys."""
    path = tmp_path / "schema.db"
    open_store(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def server(postgres_cluster: PostgresCluster) -> Iterator[Any]:
    """An empty server database with STATEMENTS applied in one transaction, as migration 11."""
    postgres_cluster.ensure_running()
    dbname = postgres_cluster.fresh_database()
    conn = postgres_cluster.connect(dbname, autocommit=False)
    try:
        with conn.transaction():
            for statement in STATEMENTS:
                conn.execute(statement.encode())
        conn.autocommit = True
        yield conn
    finally:
        conn.close()
        postgres_cluster.drop_database(dbname)


class Both:
    """Runs each write on the file and on the server; reads return comparable rows."""

    def __init__(self, lite: sqlite3.Connection, pg: Any) -> None:
        self.lite = lite
        self.pg = pg

    def run(self, sql: str, params: Sequence[object] = ()) -> None:
        self.lite.execute(sql, tuple(params))
        self.pg.execute(qmark_to_psycopg(sql), tuple(params))

    def lite_rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.lite.execute(sql, tuple(params)).fetchall()]

    def pg_rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.pg.execute(qmark_to_psycopg(sql), tuple(params))]

    def same(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows of `sql` (with ORDER BY), equal on both; returned for further checks."""
        lite, pg = self.lite_rows(sql), self.pg_rows(sql)
        assert pg == lite, sql
        return lite

    def derived(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every table a trigger keeps, and the search text with its tokens, equal on both."""
        found = {
            "search_term": self.same("SELECT kind, term, n FROM search_term ORDER BY kind, term"),
            "signal_group": self.same(
                "SELECT * FROM signal_group ORDER BY signal_id, form, sector"
            ),
            "signal_group_count": self.same(
                "SELECT * FROM signal_group_count "
                "ORDER BY year, municipality, step, channel, conclusion, form, sector"
            ),
            "received_year": self.same(
                "SELECT id, received_on, received_year FROM signal ORDER BY id"
            ),
        }
        lite_text = self.lite_rows("SELECT rowid, body FROM search_text ORDER BY rowid")
        pg_text = self.pg_rows("SELECT doc, body FROM search_text ORDER BY doc")
        assert pg_text == lite_text
        # The tokens FTS5 indexed per document, against the words the server stores.
        lite_words: dict[int, list[str]] = {doc: [] for doc, _ in lite_text}
        for doc, term in self.lite.execute(
            "SELECT doc, term FROM search_text_words ORDER BY doc, offset"
        ):
            lite_words[doc].append(term)
        pg_words = {
            doc: list(words)
            for doc, words in self.pg_rows("SELECT doc, words FROM search_text ORDER BY doc")
        }
        assert pg_words == lite_words
        found["search_text"] = lite_text
        return found


@pytest.fixture
def both(sqlite_file: sqlite3.Connection, server: Any) -> Both:
    # FTS5's own view of its index, to compare the tokens with (only in this test's file).
    sqlite_file.execute(
        "CREATE VIRTUAL TABLE search_text_words USING fts5vocab (search_text, instance)"
    )
    return Both(sqlite_file, server)


# ---- the schema ------------------------------------------------------------------------------


def _sqlite_schema(conn: sqlite3.Connection) -> tuple[set[str], set[str], dict[str, str]]:
    """(plain tables, FTS5 virtual tables, triggers -> table) of a file."""
    virtual = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
        )
    }
    shadows = {v + suffix for v in virtual for suffix in FTS5_SHADOWS}
    plain = (
        {
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        - virtual
        - shadows
    )
    triggers = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"))
    return plain, virtual, triggers


def _normal_sql(text: str | None) -> str:
    """A predicate or default without parentheses, casts, spaces or case: comparable."""
    value = re.sub(r"::[a-z ]+", "", (text or "").lower())
    value = value.replace('collate "c"', "")
    return re.sub(r"[()\s]", "", value)


def test_the_server_has_every_table_column_and_index_of_a_file(
    sqlite_file: sqlite3.Connection, server: Any
) -> None:
    plain, virtual, triggers = _sqlite_schema(sqlite_file)
    pg_tables = {
        r[0]
        for r in server.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
    }
    pg_indexes = {
        r[0]: r[1]
        for r in server.execute(
            "SELECT indexname, tablename FROM pg_indexes WHERE schemaname = current_schema()"
        )
    }
    assert len(plain) > 20
    # Plain tables by name; each FTS5 table became a table or an index of the same name.
    assert pg_tables - virtual == plain
    assert virtual == {"search_text", "organisation_text"}
    assert all(name in pg_tables or name in pg_indexes for name in virtual)

    for table in sorted(plain):
        lite_columns = [
            # A key column is never NULL (SQLite leaves NOT NULL implicit there).
            (name, kind, bool(notnull or pk), _normal_sql(default))
            for _cid, name, kind, notnull, default, pk in sqlite_file.execute(
                f"PRAGMA table_info({table})"
            )
        ]
        pg_columns = [
            (
                name,
                {"bigint": "INTEGER", "text": "TEXT"}[kind],
                nullable == "NO",
                _normal_sql(re.sub(r"nextval\(.*", "", default or "")),
            )
            for name, kind, nullable, default, collation in server.execute(
                "SELECT column_name, data_type, is_nullable, column_default, collation_name "
                "FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = %s ORDER BY ordinal_position",
                (table,),
            )
            if kind == "bigint" or collation == "C"  # every TEXT column sorts as SQLite does
        ]
        assert pg_columns == lite_columns, table

    # Explicit indexes: same name, table, columns and partial condition.
    lite_indexes = {
        name: (table, sql)
        for name, table, sql in sqlite_file.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
    }
    constraint_indexes = {
        r[0]
        for r in server.execute(
            "SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u') "
            "AND connamespace = current_schema()::regnamespace"
        )
    }
    explicit = set(pg_indexes) - constraint_indexes - virtual - {"search_text_words"}
    assert explicit == set(lite_indexes)
    for name, (table, sql) in lite_indexes.items():
        columns = [r[2] for r in sqlite_file.execute(f"PRAGMA index_info({name})")]
        (definition,) = server.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", (name,)
        ).fetchone()
        assert pg_indexes[name] == table
        indexed = re.search(r"USING btree \((.*?)\)", definition)
        assert indexed is not None, definition
        assert indexed.group(1).split(", ") == columns, name
        lite_where = sql.split(" WHERE ", 1)[1] if " WHERE " in sql else None
        pg_where = definition.split(" WHERE ", 1)[1] if " WHERE " in definition else None
        assert _normal_sql(pg_where) == _normal_sql(lite_where), name

    # Primary keys and UNIQUE constraints (an INTEGER PRIMARY KEY has no index in SQLite).
    lite_keys: set[tuple[str, str, tuple[str, ...]]] = set()
    for table in plain:
        info = list(sqlite_file.execute(f"PRAGMA table_info({table})"))
        pk = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
        lite_keys.add((table, "p", pk))
        for _seq, index, unique, origin, _partial in sqlite_file.execute(
            f"PRAGMA index_list({table})"
        ):
            if unique and origin == "u":
                cols = tuple(r[2] for r in sqlite_file.execute(f"PRAGMA index_info({index})"))
                lite_keys.add((table, "u", cols))
    pg_keys = {
        (table, kind, tuple(columns))
        for table, kind, columns in server.execute(
            "SELECT c.conrelid::regclass::text, c.contype::text, "
            "array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k (n, i) "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) "
            "FROM pg_constraint c WHERE c.contype IN ('p', 'u') "
            "AND c.connamespace = current_schema()::regnamespace"
        )
        if table != "search_text"
    }
    assert pg_keys == lite_keys

    # Foreign keys, all ON DELETE CASCADE on both.
    lite_fks = {
        (table, fk[3], fk[2], fk[4], fk[6])
        for table in plain
        for fk in sqlite_file.execute(f"PRAGMA foreign_key_list({table})")
    }
    pg_fks = {
        (table, column, target, target_column, {"c": "CASCADE"}.get(action, action))
        for table, column, target, target_column, action in server.execute(
            "SELECT c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text, "
            "b.attname::text, c.confdeltype::text FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = c.confkey[1] "
            "WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"
        )
    }
    assert len(lite_fks) > 10
    assert pg_fks == lite_fks

    # The same CHECKs: the columns each one constrains, and its condition.
    lite_checks = {
        (table, _normal_sql(check))
        for table, sql in sqlite_file.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '%CHECK%'"
        )
        for check in re.findall(r"CHECK \((.*?\)?)\)(?:,|\n|$)", sql)
    }
    pg_checks = {
        (table, _normal_sql(re.sub(r"^CHECK ", "", definition)).replace("=any", "in"))
        for table, definition in server.execute(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'c' AND connamespace = current_schema()::regnamespace"
        )
    }
    assert len(lite_checks) == 6
    pg_checks = {(t, re.sub(r"array\[(.*?)\]", r"\1", c)) for t, c in pg_checks}
    # PostgreSQL stores BETWEEN as its two comparisons.
    lite_checks = {
        (t, re.sub(r"(\w+)between(\d+)and(\d+)", r"\1>=\2and\1<=\3", c)) for t, c in lite_checks
    }
    assert pg_checks == lite_checks

    # Every trigger of the file, on the same table.
    pg_triggers = {
        (name, table)
        for name, table in server.execute(
            "SELECT tgname::text, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
        )
    }
    assert set(triggers.items()) <= pg_triggers
    # Upkeep runs as the owner, whatever row-level security lets the writer see.
    assert not list(
        server.execute(
            "SELECT p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND NOT p.prosecdef"
        )
    )


# ---- the triggers ----------------------------------------------------------------------------

_SIGNAL = (
    "INSERT INTO signal (id, ref, year, seq, received_on, municipality, reporter, channel, "
    "acute, step, step_since, created_at, created_by, updated_at, description) "
    "VALUES (?, ?, ?, ?, ?, ?, 'melder', ?, 0, 1, '2024-01-01', 'n', 'u', 'n', ?)"
)
_PERSON = (
    "INSERT INTO person (id, name, name_key, birth_year, created_at, given_key, initial, "
    "surname_key) VALUES (?, ?, ?, ?, 'n', ?, ?, ?)"
)
_ORGANISATION = (
    "INSERT INTO organisation (id, name, name_key, sector, created_at, core_key) "
    "VALUES (?, ?, ?, ?, 'n', ?)"
)
_ADDRESS = (
    "INSERT INTO address (id, street, street_key, house_number, house_key, created_at) "
    "VALUES (?, ?, ?, ?, ?, 'n')"
)
_NOTE = "INSERT INTO note (id, signal_id, on_date, by_user, text, created_at) VALUES (?, ?, 'd', 'u', ?, 'n')"


def test_triggers_keep_the_derived_tables_as_on_a_file(both: Both) -> None:
    # Rows with and without an id: a missing id is the highest + 1 on both.
    both.run(
        _SIGNAL,
        (
            None,
            "2024-0001",
            2024,
            1,
            "2024-03-01",
            "Texel",
            "mail",
            "Café «De Kroon»: uitbuiting in de keuken, 12,5 uur per dag",
        ),
    )
    both.run(_SIGNAL, (7, "2024-0002", 2024, 2, "2023-12-30", "Texel", "telefoon", ""))
    both.run(
        _SIGNAL,
        (
            None,
            "2024-0003",
            2024,
            3,
            "2024-06-01",
            "Den Helder",
            "mail",
            "ÉCOLE straße Ørsted naïeve coöperatie foo_bar São Paulo 😀x",
        ),
    )
    assert both.same("SELECT id, ref FROM signal ORDER BY id") == [
        (1, "2024-0001"),
        (7, "2024-0002"),
        (8, "2024-0003"),
    ]
    both.run("INSERT INTO signal_form (signal_id, form) VALUES (?, ?)", (1, "arbeid"))
    both.run("INSERT INTO signal_form (signal_id, form) VALUES (?, ?)", (1, "seksueel"))
    both.run("INSERT INTO signal_form (signal_id, form) VALUES (?, ?)", (8, "arbeid"))
    both.run(_PERSON, (None, "Jan de Vries", "jan de vries", 1980, "jan", "j", "vries"))
    both.run(_PERSON, (None, "Piet de Vries", "piet de vries", None, "piet", "p", "vries"))
    both.run(_PERSON, (None, "Anna", "anna", None, "", "", "anna"))
    both.run(_ADDRESS, (None, "Dorpsstraat", "dorpsstraat", 1, "1"))
    both.run(_ADDRESS, (None, "Dorpsstraat", "dorpsstraat", 3, "3"))
    both.run(_ORGANISATION, (None, "De Tulp B.V.", "de tulp b v", "horeca", "de tulp"))
    both.run(_ORGANISATION, (None, "Tulp en Roos", "tulp en roos", "", "tulp en roos"))
    both.run("INSERT INTO signal_organisation (signal_id, organisation_id) VALUES (?, ?)", (1, 1))
    both.run("INSERT INTO signal_organisation (signal_id, organisation_id) VALUES (?, ?)", (1, 2))
    both.run("INSERT INTO signal_organisation (signal_id, organisation_id) VALUES (?, ?)", (7, 2))
    both.run(_NOTE, (None, 1, "Tweede gesprek: werkgever 'De Kroon' weigert"))
    both.run(_NOTE, (None, 7, "ÜBER alles"))
    derived = both.derived()
    assert ("achternaam", "vries", 2) in derived["search_term"]
    assert ("organisatiewoord", "tulp", 2) in derived["search_term"]
    assert ("straat", "dorpsstraat", 2) in derived["search_term"]
    assert [r[0] for r in derived["search_text"]] == [2, 3, 5, 14, 16]
    assert both.same("SELECT id, received_year FROM signal ORDER BY id") == [
        (1, 2024),
        (7, 2023),
        (8, 2024),
    ]
    # Signal 1: two forms x two sectors ('horeca' and '?' for one without), each counted once.
    assert both.same(
        "SELECT form, sector, form_first, sector_first FROM signal_group WHERE signal_id = 1 "
        "ORDER BY form, sector"
    ) == [
        ("arbeid", "?", 1, 1),
        ("arbeid", "horeca", 0, 1),
        ("seksueel", "?", 1, 0),
        ("seksueel", "horeca", 0, 0),
    ]

    # Changes to every column a trigger watches.
    both.run("UPDATE signal SET received_on = ? WHERE id = ?", ("2025-02-01", 1))
    both.run("UPDATE signal SET annulled_on = ? WHERE id = ?", ("2024-07-01", 8))
    both.run("UPDATE signal SET step = 3, conclusion = 'duiding' WHERE id = ?", (7,))
    both.run("UPDATE signal SET description = ? WHERE id = ?", ("Nieuwe omschrijving", 1))
    both.run("UPDATE note SET text = ? WHERE id = ?", ("gewijzigd: ÜBER", 2))
    both.run("UPDATE person SET surname_key = ?, given_key = ? WHERE id = ?", ("visser", "jan", 1))
    both.run("UPDATE person SET given_key = ? WHERE id = ?", ("", 3))
    both.run("UPDATE organisation SET core_key = ? WHERE id = ?", ("roos en tulp", 2))
    both.run("UPDATE organisation SET sector = ? WHERE id = ?", ("bouw", 2))
    both.run(
        "UPDATE signal_form SET form = ? WHERE signal_id = ? AND form = ?",
        ("criminele", 1, "seksueel"),
    )
    both.run("UPDATE address SET street_key = ? WHERE id = ?", ("kerkstraat", 2))
    derived = both.derived()
    assert ("achternaam", "vries", 1) in derived["search_term"]
    assert ("achternaam", "visser", 1) in derived["search_term"]
    assert both.same("SELECT id, received_year FROM signal ORDER BY id") == [
        (1, 2025),
        (7, 2023),
        (8, 2024),
    ]
    assert not both.same("SELECT * FROM signal_group WHERE signal_id = 8")

    # Deletes, also through ON DELETE CASCADE.
    both.run("DELETE FROM note WHERE id = ?", (1,))
    both.run("DELETE FROM person WHERE id = ?", (2,))
    both.run("DELETE FROM organisation WHERE id = ?", (2,))
    both.run("UPDATE signal SET annulled_on = NULL WHERE id = ?", (8,))
    both.run("DELETE FROM signal WHERE id = ?", (7,))
    both.run("DELETE FROM address WHERE id = ?", (1,))
    derived = both.derived()
    assert not [t for t in derived["search_term"] if t[1] in ("roos", "en", "dorpsstraat")]
    assert [r[0] for r in derived["search_text"]] == [2, 16]
    both.run("DELETE FROM signal")
    derived = both.derived()
    assert not derived["signal_group"] and not derived["signal_group_count"]
    assert not derived["search_text"]
    # The highest id + 1 again after the newest row went (store/row_ids.py guards reuse).
    both.run(_SIGNAL, (None, "2024-0009", 2024, 9, "2024-01-01", "Texel", "mail", ""))
    assert both.same("SELECT id FROM signal") == [(1,)]


def test_every_id_table_fills_a_missing_id_with_the_highest_plus_one(server: Any) -> None:
    assert {
        r[0]
        for r in server.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND column_name = 'id' AND table_name <> 'audit_log'"
        )
    } == set(ID_TABLES)


def test_the_audit_log_is_append_only_and_never_reuses_an_id(server: Any) -> None:
    import psycopg

    entry = (
        "INSERT INTO audit_log ({}at, by_user, action, object_type, result, prev_hash, hash) "
        "VALUES ({}'a', 'u', 'x', 'signaal', 'ok', 'p', 'h') RETURNING id"
    )
    assert server.execute(entry.format("", "")).fetchone()[0] == 1
    # An id given explicitly (a file moved onto the server) moves the sequence past it.
    assert server.execute(entry.format("id, ", "41, ")).fetchone()[0] == 41
    assert server.execute(entry.format("", "")).fetchone()[0] == 42
    for change in (
        "UPDATE audit_log SET result = 'weg'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"):
            server.execute(change)
    assert [r[0] for r in server.execute("SELECT id FROM audit_log ORDER BY id")] == [1, 41, 42]


# ---- the tokenizer ---------------------------------------------------------------------------


def test_the_tokenizer_tables_are_those_of_this_sqlite() -> None:
    spec = importlib.util.spec_from_file_location("fts_tokens", ROOT / "scripts" / "fts_tokens.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main(["--check"]) == 0, "run: python scripts/fts_tokens.py"


def _fts5_tokens(text: str) -> list[str]:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab (t, instance)")
    conn.execute("INSERT INTO t (rowid, body) VALUES (1, ?)", (text,))
    return [r[0] for r in conn.execute("SELECT term FROM v ORDER BY offset")]


def test_every_character_is_tokenized_as_fts5_does_on_the_server_and_in_python(
    server: Any,
) -> None:
    """Each character between two letters, in chunks: FTS5 itself, the Python tokenizer the
    server's snippets use (every code point) and the server's search_words() (every code point
    of the Basic Multilingual Plane; above it the edges of every range in the tables and a
    sample, to keep the test quick on a busy machine) give the same tokens."""
    # Plain ASCII text and Latin text take shorter paths in search_words(): on their own too.
    for first, last in ((1, 0x7F), (1, 0x24F)):
        text = " ".join(f"q{chr(cp)}Z" for cp in range(first, last + 1))
        (pg,) = server.execute("SELECT search_words(%s)", (text,)).fetchone()
        assert pg == text_tokens.words(text) == _fts5_tokens(text)
    points = [cp for cp in range(1, 0x110000) if not 0xD800 <= cp <= 0xDFFF]
    edges = {cp + d for cp, _ in FOLDS for d in (-1, 0, 1)}
    edges |= {cp + d for first, last in SEPARATORS for cp in (first, last) for d in (-1, 0, 1)}
    on_server = {cp for cp in points if cp <= 0xFFFF or cp in edges or cp % 97 == 0}
    chunk = 20_000
    for start in range(0, len(points), chunk):
        part = points[start : start + chunk]
        text = " ".join(f"q{chr(cp)}z" for cp in part)
        assert text_tokens.words(text) == _fts5_tokens(text), f"from U+{part[0]:04X}"
        text = " ".join(f"q{chr(cp)}z" for cp in part if cp in on_server)
        (pg,) = server.execute("SELECT search_words(%s)", (text,)).fetchone()
        assert pg == _fts5_tokens(text), f"from U+{part[0]:04X}"
