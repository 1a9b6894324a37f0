"""What tables and columns a database holds, read from its own catalog, on either backend.

Erasure (store/erasure.py) finds the rows that refer to a person or a signal by looking at the
schema rather than at a fixed list, and `mhtool overzetten` (store/transfer.py) copies every
table it finds; both ask here. SQLite answers from sqlite_master and its PRAGMAs, PostgreSQL from
pg_catalog (the tables of the schema mhtool works in, `current_schema()`), side by side.

SQLite's FTS5/FTS4 indexes are virtual tables with shadow tables SQLite maintains itself; they
are reported apart (`fts_tables`), never as ordinary tables. On a server the full-text search is
an ordinary table kept by triggers (store/postgres_schema.py), so there are none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mhtool.store.connection import Store

# Tables the database keeps itself, by triggers, from the rows they derive from (search terms,
# the server's search text, the statistics groups and their counts): nothing writes or deletes
# their rows directly, on either backend. On a server an officer's role may only read them.
DERIVED_TABLES = frozenset({"search_term", "search_text", "signal_group", "signal_group_count"})

# Shadow tables of FTS5 and FTS4 indexes: SQLite maintains them, we never touch them directly.
FTS_SHADOW = (
    "_data",
    "_idx",
    "_content",
    "_docsize",
    "_config",
    "_segments",
    "_segdir",
    "_stat",
)
_EXTERNAL_CONTENT = re.compile(r"content\s*=\s*['\"\[`]?\s*[a-z_]")

# The table of one PostgreSQL relation by name, in the schema mhtool works in.
_PG_RELATION = "(quote_ident(current_schema()) || '.' || quote_ident(?))::regclass"


def quote(name: str) -> str:
    """Identifiers come from the catalog, never from user input; quoting keeps odd names safe."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class SchemaTable:
    name: str
    fts: bool  # an FTS5 or FTS4 full-text index (SQLite only)
    external_content: bool


def schema_tables(store: Store) -> list[SchemaTable]:
    """Every table, ordinary and full-text, without SQLite's internal and shadow tables, by name."""
    if store.dialect == "postgresql":
        rows = store.rows(
            "SELECT tablename AS name FROM pg_catalog.pg_tables "
            'WHERE schemaname = current_schema() ORDER BY tablename COLLATE "C"'
        )
        return [SchemaTable(str(r["name"]), False, False) for r in rows]
    rows = store.rows(
        "SELECT name, coalesce(sql, '') AS sql FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    virtual = {r["name"] for r in rows if r["sql"].upper().startswith("CREATE VIRTUAL TABLE")}
    shadows = {v + suffix for v in virtual for suffix in FTS_SHADOW}
    tables: list[SchemaTable] = []
    for r in rows:
        if r["name"] in shadows:
            continue
        sql = r["sql"].lower()
        fts = r["name"] in virtual and ("using fts5" in sql or "using fts4" in sql)
        external = fts and _EXTERNAL_CONTENT.search(sql) is not None
        tables.append(SchemaTable(r["name"], fts, external))
    return tables


def columns(store: Store, table: str) -> list[str]:
    """The table's columns in their stored order (the order `SELECT *` gives)."""
    if store.dialect == "postgresql":
        rows = store.rows(
            "SELECT attname AS name FROM pg_catalog.pg_attribute "  # noqa: S608
            f"WHERE attrelid = {_PG_RELATION} AND attnum > 0 AND NOT attisdropped "
            "ORDER BY attnum",
            (table,),
        )
        return [str(r["name"]) for r in rows]
    return [str(r["name"]) for r in store.rows(f"PRAGMA table_info({quote(table)})")]


def primary_key(store: Store, table: str) -> list[str]:
    """The primary key's columns in key order (SQLite: a rowid table without one gives [])."""
    if store.dialect == "postgresql":
        rows = store.rows(
            "SELECT a.attname AS name FROM pg_catalog.pg_index i "  # noqa: S608
            "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) "
            f"WHERE i.indrelid = {_PG_RELATION} AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int2[], a.attnum)",
            (table,),
        )
        return [str(r["name"]) for r in rows]
    found = [r for r in store.rows(f"PRAGMA table_info({quote(table)})") if r["pk"]]
    return [str(r["name"]) for r in sorted(found, key=lambda r: int(r["pk"]))]


def foreign_keys(store: Store, table: str) -> list[tuple[str, str]]:
    """(column, referenced table) for every declared foreign key of `table`."""
    if store.dialect == "postgresql":
        rows = store.rows(
            "SELECT a.attname AS column_name, t.relname AS target "  # noqa: S608
            "FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_attribute a "
            "ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
            "JOIN pg_catalog.pg_class t ON t.oid = c.confrelid "
            f"WHERE c.conrelid = {_PG_RELATION} AND c.contype = 'f' ORDER BY a.attnum",
            (table,),
        )
        return [(str(r["column_name"]), str(r["target"])) for r in rows]
    return [
        (str(fk["from"]), str(fk["table"]))
        for fk in store.rows(f"PRAGMA foreign_key_list({quote(table)})")
    ]


def tables_hiding_rows(store: Store) -> list[str]:
    """The tables whose row-level security applies to this login (a server): there "no row"
    may only mean "no row this login sees". The owner of a table (unless security is forced
    on it), a superuser and a BYPASSRLS role see every row."""
    if store.dialect != "postgresql":
        return []
    rows = store.rows(
        "SELECT c.relname AS name FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relrowsecurity "
        "AND NOT (SELECT rolsuper OR rolbypassrls FROM pg_catalog.pg_roles "
        "WHERE rolname = current_user) "
        "AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE')) "
        'ORDER BY c.relname COLLATE "C"'
    )
    return [str(r["name"]) for r in rows]
