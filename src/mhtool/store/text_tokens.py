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


# Below this code point every character is Latin (ASCII, Latin-1, Latin Extended-A/B): words
# of Dutch and most European names; their folds are a short map (translate() walks its whole
# map for every character that is not in it, so the short one is several times faster).
LATIN_END = 0x024F


def fold_strings(below: int | None = None) -> tuple[str, str]:
    """(from, to) for `translate(word, from, to)`: each folded character in `from` has its
    folded form at the same place in `to`; the dropped ones come last, beyond the end of `to`,
    so translate() removes them. With `below`: only the characters below that code point."""
    folds = [(cp, to) for cp, to in FOLDS if below is None or cp <= below]
    kept = [(cp, to) for cp, to in folds if to]
    dropped = [cp for cp, to in folds if not to]
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


# ---- snippet() -------------------------------------------------------------------------------


def snippet(
    text: str,
    phrases: list[list[str]],
    opening: str,
    closing: str,
    ellipsis: str,
    size: int,
) -> str:
    """What FTS5's `snippet(table, 0, opening, closing, ellipsis, size)` returns for a document
    matched by `phrases` (each the folded tokens of one quoted query string, in query order):
    the best window of `size` tokens (most distinct phrases, then most instances, a sentence
    start preferred), the phrases found marked, `ellipsis` where the text is cut.

    The steps and their tie-breaking follow fts5_aux.c (fts5SnippetFunction, fts5SnippetScore,
    fts5SentenceFinderCb, fts5HighlightCb); tests compare the result with SQLite's own."""
    found = tokens(text)
    words_ = [token.text for token in found]
    count = len(found)
    # Phrase instances (offset, phrase), ordered by offset, then phrase, as xInst gives them.
    instances = sorted(
        (offset, index)
        for index, phrase in enumerate(phrases)
        if phrase
        for offset in range(count - len(phrase) + 1)
        if words_[offset : offset + len(phrase)] == phrase
    )
    firsts = _sentence_starts(text, found)

    def score(start: int) -> tuple[int, int]:
        seen: set[int] = set()
        total, first, last = 0, -1, 0
        for offset, index in instances:
            if start <= offset < start + size:
                total += 1 if index in seen else 1000
                seen.add(index)
                if first < 0:
                    first = offset
                last = offset + len(phrases[index])
        adjusted = first - _c_half(size - (last - first))
        if adjusted + size > count:
            adjusted = count - size
        return total, max(adjusted, 0)

    best_score, best_start = 0, 0
    for offset, _index in instances:
        total, adjusted = score(offset)
        if total > best_score:
            best_score, best_start = total, adjusted
        if firsts and count > size:
            jj = 0
            while jj < len(firsts) - 1 and not firsts[jj + 1] > offset:
                jj += 1
            if firsts[jj] < offset:
                total = score(firsts[jj])[0] + (120 if firsts[jj] == 0 else 100)
                if total > best_score:
                    best_score, best_start = total, firsts[jj]
    return _highlight(
        text, found, phrases, instances, best_start, size, (opening, closing, ellipsis)
    )


def _c_half(value: int) -> int:
    """C's `value / 2` for ints: truncated towards zero (Python's // floors)."""
    return -((-value) // 2) if value < 0 else value // 2


def _sentence_starts(text: str, found: list[Token]) -> list[int]:
    """Token 0, and every token preceded by '.' or ':' and then white space."""
    starts = []
    for position, token in enumerate(found):
        if position == 0:
            starts.append(0)
            continue
        before = text[: token.start]
        stripped = before.rstrip(" \t\n\r")
        if len(stripped) != len(before) and stripped[-1:] in (".", ":"):
            starts.append(position)
    return starts


def _coalesced(instances: list[tuple[int, int]], phrases: list[list[str]]) -> list[tuple[int, int]]:
    """(first token, last token) of each run of overlapping phrase instances."""
    runs: list[tuple[int, int]] = []
    for offset, index in instances:
        end = offset - 1 + len(phrases[index])
        if runs and offset <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], end))
        else:
            runs.append((offset, end))
    return runs


def _highlight(
    text: str,
    found: list[Token],
    phrases: list[list[str]],
    instances: list[tuple[int, int]],
    range_start: int,
    size: int,
    marks: tuple[str, str, str],
) -> str:
    opening, closing, ellipsis = marks
    runs = _coalesced(instances, phrases)
    run = 0
    while run < len(runs) and runs[run][0] < range_start:
        run += 1
    range_end = range_start + size - 1
    out = [ellipsis] if range_start > 0 else []
    done = 0  # text[:done] has been copied
    is_open = False
    for position, token in enumerate(found):
        if position < range_start or position > range_end:
            continue
        if range_start and position == range_start:
            done = token.start
        run_start, run_end = runs[run] if run < len(runs) else (-1, -1)
        if is_open and (position <= run_start or run_start < 0) and token.start > done:
            out.append(closing)
            is_open = False
        if position == run_start and not is_open:
            out += [text[done : token.start], opening]
            done = token.start
            is_open = True
        if position == run_end:
            if not is_open:
                out.append(opening)
                is_open = True
            out.append(text[done : token.end])
            done = token.end
            run += 1
            run_start, run_end = runs[run] if run < len(runs) else (-1, -1)
        if position == range_end:
            if is_open:
                if run_start >= 0 and position >= run_start:
                    out.append(text[done : token.end])
                    done = token.end
                out.append(closing)
                is_open = False
            out.append(text[done : token.end])
            done = token.end
    if is_open:
        out.append(closing)
    out.append(text[done:] if range_end >= len(found) - 1 else ellipsis)
    return "".join(out)
