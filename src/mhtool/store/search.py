"""Candidate lookups for search: index probes on normalised keys, rapidfuzz over the small
`search_term` table for spelling variants, and FTS5 for free text in descriptions and notes.

The store only narrows; `domain.matching` scores. Every value is a bound parameter; the only
text formatted into SQL is a run of '?' placeholders and literal table names from this module.

On a PostgreSQL server FTS5 is emulated (store/postgres_schema.py): `search_text.words` holds
the tokens FTS5 would index, `organisation_text` is a GIN index on the words of `core_key`, and
the snippet is made in Python (store/text_tokens.py), so the same words match and the same
excerpt is shown on both backends.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from typing import Any

from mhtool.domain.matching import allowed_typos, fts_all_of_any, fts_match_expression
from mhtool.store import text_tokens
from mhtool.store.connection import SqliteStore, Store, translate_sqlite_errors

CANDIDATE_LIMIT = 250
MAX_FUZZY_TERMS = 40

_term_cache: weakref.WeakKeyDictionary[
    Store, tuple[tuple[object, ...], dict[str, tuple[list[str], frozenset[str]]]]
] = weakref.WeakKeyDictionary()

# Excerpts of text matches on a server, as text_matches asks FTS5 for them on a file:
# snippet(search_text, 0, '«', '»', '…', 12).
_SNIPPET = ("«", "»", "…", 12)


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def terms(store: Store, kind: str) -> tuple[list[str], frozenset[str]]:
    """The distinct keys of one kind (as list and set), cached until they may have changed."""
    version = _terms_version(store)
    cached = _term_cache.get(store)
    if version is None or cached is None or cached[0] != version:
        cached = (version or (), {})
        if version is not None:
            _term_cache[store] = cached
    found = cached[1].get(kind)
    if found is None:
        keys = [r[0] for r in store.execute("SELECT term FROM search_term WHERE kind = ?", (kind,))]
        found = (keys, frozenset(keys))
        cached[1][kind] = found
    return found


def _terms_version(store: Store) -> tuple[object, ...] | None:
    """What changes when search_term may have changed (None: read it afresh).

    A file: SQLite's count of other connections' commits and this connection's own changes.
    A server, where other officers write all day: only inside a transaction, keyed by the
    transaction (its start time) and the rows it changed in search_term itself. In a read
    snapshot (REPEATABLE READ) or a write transaction (holding the write lock) nobody else's
    change can show up, so the terms are read once per kind per command, not once per word.
    """
    if isinstance(store, SqliteStore):
        return (
            int(store.execute("PRAGMA data_version").fetchone()[0]),
            store.conn.total_changes,
        )
    if not store.in_transaction:
        return None
    row = store.row(
        "SELECT transaction_timestamp()::text AS started, "
        "pg_stat_get_xact_tuples_inserted(c.oid) + pg_stat_get_xact_tuples_updated(c.oid) "
        "+ pg_stat_get_xact_tuples_deleted(c.oid) AS changed "
        "FROM pg_class c WHERE c.oid = 'search_term'::regclass"
    )
    return None if row is None else (row["started"], int(row["changed"]))


def similar_terms(store: Store, kind: str, key: str, *, stored_only: bool = False) -> list[str]:
    """`key` itself and every stored key within a few typing errors of it (with `stored_only`,
    `key` only if it is stored too)."""
    if not key:
        return []
    keys, known = terms(store, kind)
    limit = allowed_typos(key)
    found: list[str] = []
    if limit > 0:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        found = [
            choice
            for choice, _distance, _index in process.extract(
                key, keys, scorer=OSA.distance, score_cutoff=limit, limit=MAX_FUZZY_TERMS
            )
        ]
    if key not in found and (key in known or not stored_only):
        found.insert(0, key)
    return found


_PERSON_COLUMNS = "id, name_key, given_key, surname_key, birth_date, birth_year"


def person_candidates(
    store: Store,
    surname_keys: Sequence[str],
    initials: Sequence[str] = (),
    given_key: str = "",
    birth_year: int | None = None,
) -> list[dict[str, Any]]:
    """Persons with one of these surnames (and a given name starting with one of `initials`,
    or none recorded; no `initials`: any).

    For a very common surname the limit applies, so the same given name and a matching (or
    unknown) birth year come first: those are the candidates that can score highest.
    """
    if not surname_keys:
        return []
    params: list[Any] = list(surname_keys)
    clause = ""
    if initials:
        clause = f"AND initial IN ({_marks(initials)}, '')"
        params.extend(initials)
    return _best_persons(
        store,
        f"SELECT {_PERSON_COLUMNS} FROM person "  # noqa: S608
        f"WHERE surname_key IN ({_marks(surname_keys)}) {clause}",
        params,
        given_key,
        birth_year,
    )


def person_candidates_by_given(
    store: Store,
    given_keys: Sequence[str],
    surname_initials: Sequence[str] = (),
    birth_year: int | None = None,
) -> list[dict[str, Any]]:
    """Persons recorded surname first ("Kowalczyk Agnieszka": given key 'kowalczyk') whose
    first word is one of `given_keys` and one of whose later words starts with one of
    `surname_initials` (none: any).

    A common given name has tens of thousands of holders at 1M persons, so with a birth year
    only those born that year or of unknown birth are read, straight from the index on
    (given_key, birth_year): any other birth year scores below domain.matching.MIN_SCORE
    anyway (test_another_birth_year_never_reaches_the_minimum_score)."""
    if not given_keys:
        return []
    clause = ""
    if surname_initials:
        # An initial may stand for any word after the first ("T. Tran": "Tran Thi Lan"); the
        # name key is in the covering index, so this reads no table row.
        if store.dialect == "postgresql":
            later = "' ' || substr(name_key, strpos(name_key, ' ') + 1)"
            tests = [f"strpos({later}, ' ' || ?) > 0" for _ in surname_initials]
        else:
            later = "' ' || substr(name_key, instr(name_key, ' ') + 1)"
            tests = [f"instr({later}, ' ' || ?) > 0" for _ in surname_initials]
        clause = "AND (" + " OR ".join(tests) + ")"
    select = (
        f"SELECT {_PERSON_COLUMNS} FROM person "  # noqa: S608
        f"WHERE given_key IN ({_marks(given_keys)}) {clause}"
    )
    one = [*given_keys, *surname_initials]
    if birth_year is None:
        return store.rows(f"{select} LIMIT ?", (*one, CANDIDATE_LIMIT))
    return store.rows(
        f"{select} AND birth_year = ? UNION ALL {select} AND birth_year IS NULL LIMIT ?",
        (*one, birth_year, *one, CANDIDATE_LIMIT),
    )


def _best_persons(
    store: Store, select: str, params: list[Any], given_key: str, birth_year: int | None
) -> list[dict[str, Any]]:
    order = []
    # On PostgreSQL a comparison is a boolean (coalesce with true, not 1), and NULLs would
    # come first in a descending order, where SQLite puts them last.
    server = store.dialect == "postgresql"
    if len(given_key) > 1:
        order.append("given_key = ? DESC NULLS LAST" if server else "given_key = ? DESC")
        params.append(given_key)
    if birth_year is not None:
        order.append(
            "coalesce(birth_year = ?, true) DESC" if server else "coalesce(birth_year = ?, 1) DESC"
        )
        params.append(birth_year)
    params.append(CANDIDATE_LIMIT)
    sql = select + (f" ORDER BY {', '.join(order)}" if order else "") + " LIMIT ?"
    return store.rows(sql, tuple(params))


_ADDRESS_COLUMNS = (
    "id, street, street_key, house_number, house_addition, house_key, postcode, city, city_key"
)


def address_candidates(
    store: Store, postcode: str, house_number: int | None, street_keys: Sequence[str]
) -> list[dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    number_clause = "AND house_number = ?" if house_number is not None else ""
    number_param: tuple[Any, ...] = (house_number,) if house_number is not None else ()
    if postcode:
        sql = (
            f"SELECT {_ADDRESS_COLUMNS} FROM address WHERE postcode = ? "  # noqa: S608
            f"{number_clause} LIMIT ?"
        )
        for row in store.rows(sql, (postcode, *number_param, CANDIDATE_LIMIT)):
            found[row["id"]] = row
    if street_keys:
        sql = (
            f"SELECT {_ADDRESS_COLUMNS} FROM address "  # noqa: S608
            f"WHERE street_key IN ({_marks(street_keys)}) {number_clause} LIMIT ?"
        )
        for row in store.rows(sql, (*street_keys, *number_param, CANDIDATE_LIMIT)):
            found[row["id"]] = row
    return list(found.values())


def organisation_candidates(
    store: Store, word_groups: list[list[str]], kvk: str
) -> list[dict[str, Any]]:
    """Organisations with this KvK-nummer, or whose name holds a word of every group in
    `word_groups` (keys from search_term, never user text: see domain.matching.fts_all_of_any)."""
    found: dict[int, dict[str, Any]] = {}
    columns = "id, name, name_key, core_key, kvk, sector"
    if kvk:
        for row in store.rows(
            f"SELECT {columns} FROM organisation WHERE kvk = ? ORDER BY id LIMIT ?",  # noqa: S608
            (kvk, CANDIDATE_LIMIT),
        ):
            found[row["id"]] = row
    if store.dialect == "postgresql":
        groups = [[w for w in group if w] for group in word_groups]
        groups = [group for group in groups if group]
        if groups:
            # The GIN index organisation_text is on exactly this expression.
            overlaps = " AND ".join("string_to_array(core_key, ' ') && ?" for _ in groups)
            for row in store.rows(
                f"SELECT {columns} FROM organisation WHERE {overlaps} "  # noqa: S608
                "ORDER BY id LIMIT ?",
                (*groups, CANDIDATE_LIMIT),
            ):
                found[row["id"]] = row
        return list(found.values())
    expression = fts_all_of_any(word_groups)
    if expression:
        with translate_sqlite_errors():
            ids = [
                r[0]
                for r in store.execute(
                    "SELECT rowid FROM organisation_text WHERE organisation_text MATCH ? LIMIT ?",
                    (expression, CANDIDATE_LIMIT),
                )
            ]
        if ids:
            sql = (
                f"SELECT {columns} FROM organisation WHERE id IN ({_marks(ids)}) "  # noqa: S608
                "ORDER BY id"
            )
            for row in store.rows(sql, tuple(ids)):
                found[row["id"]] = row
    return list(found.values())


# Which link table joins each entity kind to its signals; literal names only.
_LINKS = {
    "person": ("signal_person", "person_id", "l.role"),
    "address": ("signal_address", "address_id", "NULL"),
    "organisation": ("signal_organisation", "organisation_id", "NULL"),
}


def signals_of(store: Store, entity: str, ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """For each entity id, the signals it is linked to (oldest first)."""
    wanted = list(dict.fromkeys(ids))
    result: dict[int, list[dict[str, Any]]] = {i: [] for i in wanted}
    if not wanted:
        return result
    table, column, role = _LINKS[entity]
    sql = (
        f"SELECT l.{column} AS entity_id, s.id AS signal_id, s.ref, s.received_on, "  # noqa: S608
        f"s.step, s.municipality, s.conclusion, s.annulled_on, {role} AS role FROM {table} l "
        f"JOIN signal s ON s.id = l.signal_id WHERE l.{column} IN ({_marks(wanted)}) "
        "ORDER BY s.received_on, s.year, s.seq"
    )
    for row in store.rows(sql, tuple(wanted)):
        result[row["entity_id"]].append(row)
    return result


def text_matches(store: Store, words: Sequence[str], limit: int) -> list[dict[str, Any]]:
    """Signals whose description or notes contain every word, newest first, each with an
    excerpt marking the words («…»). Each word is matched as FTS5 matches a quoted string:
    folded (case, accents) into its tokens, which must stand together.

    Newest first rather than by bm25 rank: FTS5 then reads only as far as the limit, where
    ranking would score every matching document (100,000s for a common word at 1M signals).
    """
    if store.dialect == "postgresql":
        hits = _text_hits_on_server(store, words, limit)
    else:
        expression = fts_match_expression(tuple(words))
        if not expression:
            return []
        with translate_sqlite_errors():
            hits = store.rows(
                "SELECT rowid AS doc, snippet(search_text, 0, '«', '»', '…', 12) AS excerpt "
                "FROM search_text WHERE search_text MATCH ? ORDER BY rowid DESC LIMIT ?",
                (expression, limit),
            )
    result: list[dict[str, Any]] = []
    for hit in hits:
        doc = int(hit["doc"])
        if doc % 2 == 0:
            signal_id, source = doc // 2, "omschrijving"
        else:
            note = store.row("SELECT signal_id FROM note WHERE id = ?", (doc // 2,))
            if note is None:
                continue
            signal_id, source = int(note["signal_id"]), "notitie"
        signal = store.row(
            "SELECT id AS signal_id, ref, received_on, step, municipality, conclusion, annulled_on "
            "FROM signal WHERE id = ?",
            (signal_id,),
        )
        if signal is not None:
            result.append({**signal, "excerpt": hit["excerpt"], "source": source})
    return result


# How many of the newest documents the server looks through first for a text search.
NEWEST_FIRST = 5000


def _text_hits_on_server(store: Store, words: Sequence[str], limit: int) -> list[dict[str, Any]]:
    """FTS5's MATCH and snippet() on the server: a document matches when it holds every token
    of every word, and a word of several tokens ("foo_bar") has them side by side, as an FTS5
    phrase. A word with no token at all is left out, as FTS5 leaves out an empty phrase (and
    with nothing left nothing matches). Only words that fit fts_match_expression are used.

    FTS5 reads its index newest first and stops at the limit. PostgreSQL gets there in two
    steps: the newest NEWEST_FIRST documents are read in key order (enough for a common word),
    and only when they hold fewer than `limit` matches the GIN index gives all matching
    documents (then there are few: at most about limit / NEWEST_FIRST of the table). A common
    word never makes the server collect 100,000s of documents, a rare one never makes it walk
    the whole table; the result is the same `limit` newest matches either way."""
    phrases = [text_tokens.words(w) for w in words if w and '"' not in w]
    wanted = [p for p in phrases if p]
    if not wanted:
        return []
    condition = "words @> ?"
    params: list[Any] = [sorted({t for p in wanted for t in p})]
    for phrase in wanted:
        if len(phrase) > 1:
            condition += " AND strpos(' ' || array_to_string(words, ' ') || ' ', ?) > 0"
            params.append(" " + " ".join(phrase) + " ")
    rows = store.rows(
        "SELECT doc, body FROM (SELECT doc, body, words FROM search_text "  # noqa: S608
        f"ORDER BY doc DESC LIMIT ?) AS newest WHERE {condition} ORDER BY doc DESC LIMIT ?",
        (NEWEST_FIRST, *params, limit),
    )
    if len(rows) < limit:
        rows = store.rows(
            "WITH found AS MATERIALIZED ("  # noqa: S608
            f"SELECT doc FROM search_text WHERE {condition}) "
            "SELECT t.doc, t.body FROM search_text t "
            "JOIN (SELECT doc FROM found ORDER BY doc DESC LIMIT ?) AS newest ON newest.doc = t.doc "
            "ORDER BY t.doc DESC",
            (*params, limit),
        )
    return [
        {"doc": row["doc"], "excerpt": text_tokens.snippet(row["body"], phrases, *_SNIPPET)}
        for row in rows
    ]


def signal_entities(store: Store, signal_id: int) -> dict[str, list[dict[str, Any]]]:
    """The persons, addresses and organisations of one signal, with their search keys."""
    return {
        "person": store.rows(
            "SELECT p.* FROM signal_person l JOIN person p ON p.id = l.person_id "
            "WHERE l.signal_id = ? ORDER BY p.id",
            (signal_id,),
        ),
        "address": store.rows(
            "SELECT a.* FROM signal_address l JOIN address a ON a.id = l.address_id "
            "WHERE l.signal_id = ? ORDER BY a.id",
            (signal_id,),
        ),
        "organisation": store.rows(
            "SELECT o.* FROM signal_organisation l JOIN organisation o ON o.id = l.organisation_id "
            "WHERE l.signal_id = ? ORDER BY o.id",
            (signal_id,),
        ),
    }


_ENTITY_TABLES = {"person": "person", "address": "address", "organisation": "organisation"}


def entity_row(store: Store, entity: str, entity_id: int) -> dict[str, Any] | None:
    table = _ENTITY_TABLES[entity]
    return store.row(f"SELECT * FROM {table} WHERE id = ?", (entity_id,))  # noqa: S608


def entity_history(
    store: Store, entity: str, entity_id: int, signal_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """The history rows of one person, address or organisation: its corrections (no signal)
    and what happened to it in its signals. Both halves go through history_by_signal, so a
    file with millions of history rows is not scanned."""
    if entity not in _ENTITY_TABLES:
        raise ValueError(entity)
    columns = "h.id AS id, h.at AS at, h.by_user AS by_user, h.action AS action, h.changes AS changes, s.ref AS ref"
    sql = (
        f"SELECT {columns} FROM history h LEFT JOIN signal s ON s.id = h.signal_id "  # noqa: S608
        "WHERE h.signal_id IS NULL AND h.entity = ? AND h.entity_id = ?"
    )
    params: list[object] = [entity, entity_id]
    if signal_ids:
        sql += (
            f" UNION ALL SELECT {columns} FROM history h JOIN signal s ON s.id = h.signal_id "  # noqa: S608
            f"WHERE h.signal_id IN ({_marks(signal_ids)}) AND h.entity = ? AND h.entity_id = ?"
        )
        params += [*signal_ids, entity, entity_id]
    return store.rows(sql + " ORDER BY id", tuple(params))


# What a timeline collects per signal: literal SQL only, keyed by a fixed name.
_PER_SIGNAL = {
    "events": "SELECT x.*, s.ref FROM step_event x JOIN signal s ON s.id = x.signal_id",
    "notes": "SELECT x.*, s.ref FROM note x JOIN signal s ON s.id = x.signal_id",
}


def rows_of_signals(store: Store, what: str, signal_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Step events or notes of several signals, in date order."""
    if not signal_ids:
        return []
    sql = (
        f"{_PER_SIGNAL[what]} WHERE x.signal_id IN ({_marks(signal_ids)}) "  # noqa: S608
        "ORDER BY x.on_date, x.id"
    )
    return store.rows(sql, tuple(signal_ids))


def mentioned_with(
    store: Store, signal_ids: Sequence[int], entity: str, exclude_id: int
) -> list[dict[str, Any]]:
    """Other persons, addresses and organisations named in the same signals."""
    if not signal_ids:
        return []
    out: list[dict[str, Any]] = []
    marks = _marks(signal_ids)
    for kind, (table, column, _role) in _LINKS.items():
        target = _ENTITY_TABLES[kind]
        skip = exclude_id if kind == entity else -1
        sql = (
            f"SELECT DISTINCT t.*, ? AS kind, s.ref FROM {table} l "  # noqa: S608
            f"JOIN {target} t ON t.id = l.{column} JOIN signal s ON s.id = l.signal_id "
            f"WHERE l.signal_id IN ({marks}) AND t.id <> ? ORDER BY t.id, s.ref"
        )
        out.extend(store.rows(sql, (kind, *signal_ids, skip)))
    return out


def names_of(store: Store, person_ids: Sequence[int]) -> dict[int, str]:
    """Names for the few persons shown; candidates are scored without them (covering index)."""
    if not person_ids:
        return {}
    sql = f"SELECT id, name FROM person WHERE id IN ({_marks(person_ids)})"  # noqa: S608
    return {int(r[0]): str(r[1]) for r in store.execute(sql, tuple(person_ids))}


def signal_id_of(store: Store, ref: str) -> int | None:
    row = store.row("SELECT id FROM signal WHERE ref = ?", (ref,))
    return int(row["id"]) if row else None
