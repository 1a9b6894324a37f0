"""FTS5's `unicode61 remove_diacritics 2` tokenizer, for the PostgreSQL server.

On a file, `zoek` finds free text with FTS5. On a server the same words must match, so the
tokenizer is rebuilt from its character tables (`fts_tokens.py`, read from SQLite itself):

- `separator_class()`: the separating characters as a regular-expression bracket expression,
  valid both in Python `re` and in PostgreSQL's regular expressions (only `\\x`/`\\u`/`\\U`
  escapes, no locale-dependent classes), so both split text the same way.
- `fold_strings()`: the characters folded (and those dropped) as two strings for PostgreSQL's
  `translate()`.
- `tokens()`: the Python tokenizer itself, with the offsets of each token in the text, which the
  server's snippets (`store/search.py`) need to mark the words found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from mhtool.store.fts_tokens import FOLDS, SEPARATORS

# ASCII: everything but digits and letters separates (after lower-casing, A-Z cannot occur in
# PostgreSQL's folded text, but Python matches the original text, so they are left out here).
_ASCII_SEPARATORS = ((0x01, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7F))


def _escape(cp: int) -> str:
    if cp <= 0x7F:
        return f"\\x{cp:02x}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


@cache
def separator_class() -> str:
    """'[\\x01-\\x2f...]': every character that separates tokens (one bracket expression)."""
    parts = []
    for first, last in (*_ASCII_SEPARATORS, *SEPARATORS):
        parts.append(_escape(first) if first == last else f"{_escape(first)}-{_escape(last)}")
    return "[" + "".join(parts) + "]"


def fold_strings() -> tuple[str, str]:
    """(from, to) for `translate(word, from, to)`: each folded character in `from` has its
    folded form at the same place in `to`; the dropped ones come last, beyond the end of `to`,
    so translate() removes them."""
    kept = [(cp, to) for cp, to in FOLDS if to]
    dropped = [cp for cp, to in FOLDS if not to]
    source = "".join(chr(cp) for cp, _ in kept) + "".join(chr(cp) for cp in dropped)
    return source, "".join(chr(to) for _, to in kept)


@cache
def _token_pattern() -> re.Pattern[str]:
    return re.compile("[^" + separator_class()[1:] + "+")


@cache
def _fold_table() -> dict[int, int | None]:
    table: dict[int, int | None] = {cp: cp + 32 for cp in range(ord("A"), ord("Z") + 1)}
    table.update({cp: (to or None) for cp, to in FOLDS})
    return table


@dataclass(frozen=True)
class Token:
    """One token: its folded text and where it stands in the original text."""

    text: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """The tokens FTS5 makes of `text`, in order (a run that folds to nothing is no token)."""
    table = _fold_table()
    found = []
    for match in _token_pattern().finditer(text):
        folded = match.group().translate(table)
        if folded:
            found.append(Token(folded, match.start(), match.end()))
    return found


def words(text: str) -> list[str]:
    """Just the folded tokens of `text`: what FTS5 makes of a quoted query string."""
    return [token.text for token in tokens(text)]
