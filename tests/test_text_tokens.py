"""The server's FTS5 stand-in in Python (store/text_tokens.py) against SQLite's FTS5 itself:
the same tokens, and the same snippet() excerpt for the same document and query, so `zoek`
shows the same text match on a file and on a server."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator

import pytest

from mhtool.domain.matching import fts_match_expression, fts_words
from mhtool.store.text_tokens import snippet, tokens, words

# Words and separators that exercise folding (case, accents), phrases of several tokens
# ('x_y'), sentence starts ('. ', ': ') and windows cut at either end.
VOCABULARY = ("kroon", "café", "CAFE", "Keuken", "werk", "uur", "de", "Jan", "vries", "12", "x_y")
SEPARATORS = (" ", "  ", ". ", ": ", ", ", "-", ".", " «", "» ", "\n", ":", "; ", " — ")


@pytest.fixture
def fts5() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    try:
        yield conn
    finally:
        conn.close()


def _sqlite_snippet(conn: sqlite3.Connection, text: str, expression: str) -> str | None:
    conn.execute("DELETE FROM t")
    conn.execute("INSERT INTO t (rowid, body) VALUES (1, ?)", (text,))
    found = conn.execute(
        "SELECT snippet(t, 0, '«', '»', '…', 12) FROM t WHERE t MATCH ?", (expression,)
    ).fetchone()
    return None if found is None else str(found[0])


def test_snippets_are_those_of_fts5(fts5: sqlite3.Connection) -> None:
    rnd = random.Random(14)
    compared = 0
    for _ in range(1500):
        parts = [rnd.choice(VOCABULARY) + rnd.choice(SEPARATORS) for _ in range(rnd.randint(1, 40))]
        text = (rnd.choice(SEPARATORS) if rnd.random() < 0.3 else "") + "".join(parts)
        query = fts_words(" ".join(rnd.sample(VOCABULARY, rnd.randint(1, 3))))
        expected = _sqlite_snippet(fts5, text, fts_match_expression(query))
        if expected is None:
            continue
        compared += 1
        assert snippet(text, [words(w) for w in query], "«", "»", "…", 12) == expected, (
            text,
            query,
        )
    assert compared > 500


def test_a_long_text_is_cut_around_the_best_window(fts5: sqlite3.Connection) -> None:
    text = (
        "Eerste gesprek op het stadskantoor over de woning. "
        + "Daarna niets bijzonders gemeld door de buren van het pand. " * 3
        + "Tweede melding: de Kroon laat mensen in de keuken slapen, zegt de melder."
    )
    query = ("kroon", "keuken")
    shown = snippet(text, [words(w) for w in query], "«", "»", "…", 12)
    assert shown == _sqlite_snippet(fts5, text, fts_match_expression(query))
    assert shown.startswith("…") and "«Kroon»" in shown and "«keuken»" in shown


def test_tokens_keep_their_place_in_the_text() -> None:
    text = "Café «De Kroon»: ÉÉN x_y"
    assert [(t.text, text[t.start : t.end]) for t in tokens(text)] == [
        ("cafe", "Café"),
        ("de", "De"),
        ("kroon", "Kroon"),
        ("een", "ÉÉN"),
        ("x", "x"),
        ("y", "y"),
    ]
