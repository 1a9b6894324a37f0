"""The abbreviations officers meet in Dutch street names, as one table, so that "Burg. v.
Roijensingel" and "Burgemeester van Roijensingel" get the same street key.

The table is applied word by word to both sides: the key stored with an address and the key of
a query. A word maps to a *canonical form*: the full word where the abbreviation has one
meaning ("Burg." -> burgemeester), a shared short form where it has more than one ("Pr.",
"Prins" and "Prinses" all become `pr`), so every spelling of either meaning meets the others.
docs/zoeken.md lists the same table for users; keep the two in step.

Titles are only read as abbreviations before another word: a title never ends a street name,
so "De Burg" and "Sint" at the end stay what they are. Single letters for directions ("Z.",
"N.", "O.", "W.") are deliberately *not* in the table: in street names they are mostly
initials ("W. de Zwijgerlaan", "J.P. Coenstraat") or "Oude"/"Nieuwe" ("O.Z. Achterburgwal").
"""

from __future__ import annotations

import re

# Titles and ranks before a name: canonical form -> (abbreviations, full words). The canonical
# form is the full word when only one is meant, else a short form shared by all meanings.
TITLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sint": (("st",), ("sint",)),
    "pr": (("pr",), ("prins", "prinses")),
    "kon": (("kon",), ("koning", "koningin")),
    "dr": (("dr",), ("dokter", "doctor")),
    "burgemeester": (("burg", "burgem", "bgm"), ("burgemeester",)),
    "generaal": (("gen",), ("generaal",)),
    "meester": (("mr",), ("meester",)),
    "wethouder": (("weth",), ("wethouder",)),
    "dominee": (("ds",), ("dominee",)),
    "president": (("pres",), ("president",)),
    "professor": (("prof",), ("professor",)),
    "ingenieur": (("ir", "ing"), ("ingenieur",)),
    "monseigneur": (("mgr",), ("monseigneur",)),
    "jonkheer": (("jhr",), ("jonkheer",)),
    "pastoor": (("past",), ("pastoor",)),
    "kardinaal": (("kard",), ("kardinaal",)),
    "admiraal": (("adm",), ("admiraal",)),
    "luitenant": (("luit",), ("luitenant",)),
    "kolonel": (("kol",), ("kolonel",)),
    "kapitein": (("kapt",), ("kapitein",)),
    "gebroeders": (("gebr",), ("gebroeders",)),
    "gezusters": (("gez",), ("gezusters",)),
}
TITLE_WORDS: dict[str, str] = {
    spelling: canonical
    for canonical, (short, full) in TITLES.items()
    for spelling in (*short, *full)
}

# Kinds of street, written short; a standalone word anywhere in the name.
STREET_TYPE_WORDS: dict[str, str] = {
    "str": "straat",
    "ln": "laan",
    "pln": "plein",
    "wg": "weg",
}

# Particles. "van de", "van der", "van den" and "v.d." are one form (`vd`): "v.d." does not say
# which of the three is meant. "v." alone is "van"; "'t" is "het".
_PARTICLE_FOLLOWERS = frozenset(("d", "de", "der", "den"))

_WORD = re.compile(r"[^\W_]+")  # letters and digits, punctuation separates
_JOINED_STREET = re.compile(r"str\.?$")  # 'Dorpsstr.': the kind abbreviated inside one word


def canonical_street_words(text: str) -> list[str]:
    """The words of a street name (already accent-free and case-folded) in canonical form.

    'burg. v.d. hoffstraat' -> ['burgemeester', 'vd', 'hoffstraat'];
    'prinses irenestraat' and 'pr. irenestraat' -> ['pr', 'irenestraat'].
    """
    words = _WORD.findall(_JOINED_STREET.sub("straat", text.strip()))
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else None
        if word in ("v", "van") and following in _PARTICLE_FOLLOWERS and i + 2 < len(words):
            out.append("vd")
            i += 2
            continue
        if following is not None and word in TITLE_WORDS:
            out.append(TITLE_WORDS[word])
        elif following is not None and word == "v":
            out.append("van")
        elif word == "t" and following is not None:
            out.append("het")
        else:
            out.append(STREET_TYPE_WORDS.get(word, word))
        i += 1
    return out
