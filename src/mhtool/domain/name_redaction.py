"""Taking an erased person's name out of free text (AVG art. 17), as search would find it.

Search matches names without regard to case, accents or hyphens, by initial and surname, and
by surname alone; erasure must remove the name in the same forms, or `mhtool zoek` still finds
the person afterwards. The surname alone is removed only in the person's own signals: elsewhere
it may name a relative. Text is compared in a folded copy (accents stripped, case folded) whose positions
map back to the original, so the rest of the text keeps its own spelling.

A first name on its own is not removed: it is too often someone else's. The texts that still
hold it are reported, so the officer can check them by hand.

A matched form is replaced only when it can mean this person alone: when it is also a way of
writing another person who stays in the file ('J. de Vries' while a 'J. de Vries' or another
'Jan de Vries' remains; 'de Vries' while any de Vries remains), it is left as it is and the
place is reported for review instead. The name as stored for this person is always replaced
unless another person has that same name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mhtool.domain.normalise import TUSSENVOEGSELS, strip_accents

REDACTED = "[persoon verwijderd]"


def _fold(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each folded character the index of its original character."""
    chars: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        for folded in strip_accents(char).casefold():
            chars.append(folded)
            origin.append(i)
    return "".join(chars), origin


def _words(name: str) -> list[str]:
    head, comma, tail = name.partition(",")
    if comma and tail.strip():
        name = f"{tail} {head}"  # "de Vries, Jan" -> "Jan de Vries"
    return [w for w in _fold(name)[0].replace(".", " ").split() if w]


# Search ignores an apostrophe inside a name ("O'Brien", "O’Brien" and "OBrien" are one key).
_APOSTROPHES = "'’`´"
_ANY_APOSTROPHE = f"[{_APOSTROPHES}]?"


def _part(part: str) -> str:
    """One word of a name, with any apostrophe in it optional and of any kind."""
    pieces = re.split(f"[{_APOSTROPHES}]", part)
    return _ANY_APOSTROPHE.join(re.escape(p) for p in pieces)


def _phrase(words: list[str]) -> str:
    """Words in order; a hyphen and a space are the same gap ("Ångström-Müller" is also
    written "Angstrom Muller"), as they are to search."""
    parts = [p for w in words for p in w.split("-") if p]
    return r"[\s-]+".join(_part(p) for p in parts)


def _bounded(body: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + body + r")(?!\w)")


@dataclass(frozen=True)
class NameRedaction:
    patterns: tuple[re.Pattern[str], ...]  # the whole name and initial + surname
    surname: re.Pattern[str] | None  # the surname alone: only in the person's own signals
    first_name: re.Pattern[str] | None

    def apply(
        self, text: str, own_signal: bool = True, others: Sequence[NameRedaction] = ()
    ) -> str:
        """In the person's own signals the surname alone is removed too; elsewhere it may be a
        relative's ("Piet Ångström-Müller, de vader"), so only the full forms go. A form that
        is also a way of writing one of `others` (the names of persons who stay) is left alone."""
        return self.redact(text, own_signal, others)[0]

    def redact(
        self, text: str, own_signal: bool = True, others: Sequence[NameRedaction] = ()
    ) -> tuple[str, bool]:
        """(text with the unambiguous forms replaced, whether an ambiguous one was left)."""
        patterns = self.patterns + ((self.surname,) if own_signal and self.surname else ())
        ambiguous = False
        for pattern in patterns:
            folded, origin = _fold(text)
            spans = [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer(folded)]
            for start, end in reversed(spans):
                if any(other.writes(text[start:end]) for other in others):
                    ambiguous = True
                    continue
                text = text[:start] + REDACTED + text[end:]
        return text, ambiguous

    def writes(self, written: str) -> bool:
        """Is `written` (a name found in a text) one of the ways this name is written: in full,
        as initial and surname, or as the surname alone?"""
        folded = _fold(written)[0]
        forms = self.patterns + ((self.surname,) if self.surname else ())
        return any(p.fullmatch(folded) for p in forms)

    def first_name_left(self, text: str) -> bool:
        return self.first_name is not None and bool(self.first_name.search(_fold(text)[0]))


def redactions_for(names: Sequence[str]) -> tuple[NameRedaction, ...]:
    """The forms of several names, compiled once (the persons who stay, for `redact`)."""
    return tuple(r for r in map(redaction_for, names) if r is not None)


def _surname(words: list[str]) -> str:
    """The surname words in order, with their particles optional ("de Vries" and "Vries")."""
    particles = [w for w in words[:-1] if w in TUSSENVOEGSELS]
    optional = "".join(rf"(?:{re.escape(p)}\s+)?" for p in particles)
    return optional + _phrase([w for w in words if w not in particles])


def redaction_for(name: str) -> NameRedaction | None:
    """The forms of `name` to remove: the whole name, given name or initial(s) + surname, both
    surname first, the surname (with or without its particles) when it has three letters or
    more. With a middle name ("Jan Pieter de Vries") the surname is also the last word with the
    particles before it, as search reads it ("J. de Vries", "J.P. de Vries", "Jan de Vries").
    None for an empty name."""
    words = _words(name)
    if not words or len("".join(words)) < 2:
        return None
    forms = [_phrase(words)]
    surname_form = first_name = None
    if len(words) > 1:
        given, rest = words[0], words[1:]
        tail = rest[-1:]
        while len(tail) < len(rest) and rest[-len(tail) - 1] in TUSSENVOEGSELS:
            tail = rest[-len(tail) - 1 :]
        # The longer reading first: at each place the regex tries it before the shorter one.
        readings = [_surname(rest)] + ([_surname(tail)] if tail != rest else [])
        surname = "(?:" + "|".join(readings) + ")"
        initials = rf"{re.escape(given[0])}\.?(?:\s*[^\W\d_]\.)*"
        forms.append(rf"{_part(given)}[\s-]+{surname}")
        forms.append(rf"{initials}\s*{surname}")
        # Surname first, as lists and forms write it and search finds it: "Kowalczyk
        # Agnieszka", "Kowalczyk, Agnieszka", "Kowalczyk, A." (the initial only with its dot).
        forms.append(rf"{surname},?\s+{_part(given)}")
        forms.append(rf"{surname},?\s+{re.escape(given[0])}\.")
        if len(rest[-1]) >= 3:
            surname_form = _bounded(surname)
        if len(given) >= 3 and given not in TUSSENVOEGSELS:
            first_name = _bounded(re.escape(given))
    return NameRedaction(tuple(_bounded(f) for f in forms), surname_form, first_name)
