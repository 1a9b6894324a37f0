"""Deciding whether a stored person, address or organisation is the one being searched for.

Pure functions: a query is parsed into normalised parts, a stored record (its keys as the store
holds them) is scored against it, and every score comes with the Dutch reasons an officer reads
to judge the match. The store only narrows the candidates; the decision is made here, so the
search command, the check at step 2 and the form of `signaal nieuw` agree on what matches.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from mhtool.domain.normalise import (
    TUSSENVOEGSELS,
    addition_key,
    city_key,
    house_key,
    kvk_key,
    name_key,
    organisation_core_key,
    person_name_parts,
    person_name_words,
    street_key,
)
from mhtool.errors import ValidationError

MAX_QUERY = 200
_MAX_NAME_WORDS = 4  # words of a name tried as its surname (each costs an index probe)
MIN_SCORE = 60
# Thresholds: a score at or above EXACT is a match the tool may link on its own.
EXACT = 100

_POSTCODE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{3})\s?([A-Za-z]{2})(?![A-Za-z])")
# A house number and its addition: '14-2', '14/2', '14-II', '14a', '14 A', '14 hs', '14 huis',
# '14 III', and '14 2' when a comma, the end or a place name follows (else '2' may be more).
_HOUSE_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(\d{1,5})"
    r"(?:\s*[-/]\s*([A-Za-z0-9]{1,4})"
    r"|\s*((?i:huis|hs|bis|viii|vii|iii|ii|iv|vi|ix)|[A-Za-z]{1,2})"
    r"|\s+(\d{1,3})(?=\s*(?:,|$)|\s+[A-Za-z]))?"
    r"(?![A-Za-z0-9])"
)
_BIRTH_DATE_IN_TEXT = re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_KVK_IN_TEXT = re.compile(r"(?<!\d)(\d{8})(?!\d)")
_WORD = re.compile(r"\w+", re.UNICODE)


def clean_query(text: str, what: str = "Zoekopdracht") -> str:
    """Trim and bound a query; an empty query is refused with a message, not searched."""
    value = " ".join(text.replace("\x00", " ").split())
    if not value:
        raise ValidationError(f"{what} is leeg; geef een naam, adres, postcode of woord op.")
    if len(value) > MAX_QUERY:
        raise ValidationError(
            f"{what} is te lang (meer dan {MAX_QUERY} tekens); zoek op een kortere tekst."
        )
    return value


def allowed_typos(term: str) -> int:
    """How many edits still count as 'the same word misspelt'; short words allow fewer."""
    if len(term) <= 3:
        return 0
    if len(term) <= 7:
        return 1
    return 2


_ratio: Callable[[str, str], float] | None = None


def similarity(a: str, b: str) -> float:
    """0-100: how alike two keys are (rapidfuzz's normalised Indel similarity)."""
    global _ratio
    if a == b:
        return 100.0
    if not a or not b:
        return 0.0
    if _ratio is None:  # imported on first use only: rapidfuzz is not needed to start up
        from rapidfuzz.fuzz import ratio

        _ratio = ratio
    return float(_ratio(a, b))


# --- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameReading:
    """One way of reading a name query for an index lookup: `key` as the stored surname (or
    given) key; `initials`: first letters the stored name's other part may start with (empty:
    any); `given`: the given key to prefer when the candidates are too many."""

    key: str
    initials: tuple[str, ...]
    given: str


@dataclass(frozen=True)
class PersonQuery:
    text: str
    name_key: str
    given_key: str
    initial: str
    surname_key: str
    birth_date: dt.date | None = None
    birth_year: int | None = None

    @cached_property
    def name_tokens(self) -> list[str]:
        return sorted(self.name_key.split())

    @cached_property
    def _words(self) -> tuple[list[str], bool]:
        """The name's words (particles left out), at most _MAX_NAME_WORDS: the first ones and
        always the last, which is the surname as written."""
        words, one_word = person_name_words(self.text)
        if len(words) > _MAX_NAME_WORDS:
            words = [*words[: _MAX_NAME_WORDS - 1], words[-1]]
        return words, one_word

    @cached_property
    def surname_readings(self) -> tuple[NameReading, ...]:
        """Each way the query can name a stored surname: as written first, then every other
        word of two letters or more, so "Kowalczyk Agnieszka" also reads as surname Kowalczyk,
        and a Vietnamese, Chinese or Hungarian name is found in either order."""
        words, one_word = self._words
        last = len(words) - 1
        # The surname as written is always read (also one letter: 'X'); another word only
        # when it is no initial.
        if one_word or len(words) == 1:
            return tuple(
                NameReading(w, (), "") for i, w in enumerate(words) if len(w) > 1 or i == last
            )
        readings = []
        for i in sorted(range(len(words)), key=lambda i: i != last):
            if len(words[i]) > 1 or i == last:
                others = words[:i] + words[i + 1 :]
                given = words[0] if i == last else words[last]
                readings.append(NameReading(words[i], tuple(sorted({o[0] for o in others})), given))
        return tuple(readings)

    @cached_property
    def given_readings(self) -> tuple[NameReading, ...]:
        """For a stored name written surname first ("Kowalczyk Agnieszka", whose given key is
        'kowalczyk'): a word of the query as the stored *given* key, with the first letters
        the stored surname may start with (`initials`). Only needed when the query gives
        initials or one word: for a full name the stored surname is one of the query's words,
        which `surname_readings` tries."""
        words, one_word = self._words
        initials = tuple(sorted({w for w in words if len(w) == 1}))
        if not (initials or one_word or len(words) == 1):
            return ()
        return tuple(NameReading(w, initials, "") for w in words if len(w) > 1)

    @cached_property
    def birth_iso(self) -> str:
        return self.birth_date.isoformat() if self.birth_date else ""

    def describe(self) -> str:
        born = ""
        if self.birth_date:
            born = f", geboren {self.birth_date.strftime('%d-%m-%Y')}"
        elif self.birth_year:
            born = f", geboren {self.birth_year}"
        return f"persoon '{self.text}'{born}"


@dataclass(frozen=True)
class AddressQuery:
    text: str
    street_key: str
    house_number: int | None
    house_addition: str
    postcode: str
    city_key: str

    @property
    def house_key(self) -> str:
        return house_key(self.house_number, self.house_addition) if self.house_number else ""

    def describe(self) -> str:
        return f"adres '{self.text}'"


@dataclass(frozen=True)
class OrganisationQuery:
    text: str
    name_key: str
    core_key: str
    kvk: str

    def describe(self) -> str:
        return f"organisatie '{self.text}'" + (f" (KvK {self.kvk})" if self.kvk else "")


def person_query(
    name: str, birth_date: dt.date | None = None, birth_year: int | None = None
) -> PersonQuery:
    """A person query; a birth date or year written inside the name text is taken out of it."""
    text = clean_query(name, "Naam")
    match = _BIRTH_DATE_IN_TEXT.search(text)
    if match and birth_date is None:
        day, month, year = (int(g) for g in match.groups())
        try:
            birth_date = dt.date(year, month, day)
        except ValueError:
            raise ValidationError(
                f"Geboortedatum {match.group(0)} bestaat niet; controleer dag en maand."
            ) from None
        text = (text[: match.start()] + text[match.end() :]).strip()
    year_match = _YEAR_IN_TEXT.search(text)
    if year_match and birth_year is None and birth_date is None:
        birth_year = int(year_match.group(1))
        text = (text[: year_match.start()] + text[year_match.end() :]).strip()
    if birth_date is not None:
        birth_year = birth_date.year
    given, initial, surname = person_name_parts(text)
    if not surname:
        raise ValidationError("Geef bij het zoeken op een persoon ten minste een achternaam op.")
    return PersonQuery(text, name_key(text), given, initial, surname, birth_date, birth_year)


def address_query(
    text: str = "", *, postcode: str = "", house_number: str = "", city: str = ""
) -> AddressQuery:
    """Parse 'Dorpstraat 12 A', 'dorpsstr. 12-a, Heerhugowaard' or '1701 ab 12a'."""
    from mhtool.domain.normalise import postcode_key, split_house_number

    rest = " ".join(text.split())
    if len(rest) > MAX_QUERY:
        # Bounded like every other query, so a pasted megabyte is neither searched nor echoed.
        raise ValidationError(
            f"Het adres is te lang (meer dan {MAX_QUERY} tekens); zoek op een kortere tekst."
        )
    found_postcode = ""
    if postcode.strip():
        found_postcode = postcode_key(postcode)
    else:
        match = _POSTCODE_IN_TEXT.search(rest)
        if match:
            found_postcode = f"{match.group(1)}{match.group(2).upper()}"
            rest = (rest[: match.start()] + " " + rest[match.end() :]).strip()
    number: int | None = None
    addition = ""
    if house_number.strip():
        number, addition = split_house_number(house_number)
    street_text, city_text = rest, city
    match = _HOUSE_IN_TEXT.search(rest)
    if match:
        if number is None:
            number = int(match.group(1))
            addition = (match.group(2) or match.group(3) or match.group(4) or "").upper()
            if number == 0:
                raise ValidationError("Huisnummer 0 bestaat niet; controleer het huisnummer.")
        street_text = rest[: match.start()]
        if not city_text:
            city_text = rest[match.end() :]
    if not match and not city_text and "," in street_text:
        street_text, _, city_text = street_text.partition(",")  # 'Dorpsstraat, Heerhugowaard'
    street_text = street_text.strip(" ,")
    city_text = city_text.strip(" ,")
    if not street_text and not found_postcode:
        raise ValidationError(
            "Geef bij het zoeken op een adres een straat of een postcode op, bijvoorbeeld "
            "'Dorpsstraat 12a' of '1701 AB 12a'."
        )
    return AddressQuery(
        text=" ".join(p for p in (text.strip(), postcode.strip(), house_number.strip()) if p),
        street_key=street_key(street_text),
        house_number=number,
        house_addition=addition,
        postcode=found_postcode,
        city_key=city_key(city_text),
    )


def organisation_query(name: str = "", kvk: str = "") -> OrganisationQuery:
    text = " ".join(name.split())
    kvk_value = kvk_key(kvk) if kvk.strip() else ""
    if not kvk_value:
        match = _KVK_IN_TEXT.search(text)
        if match:
            kvk_value = match.group(1)
            text = (text[: match.start()] + text[match.end() :]).strip()
    if not text and not kvk_value:
        raise ValidationError("Geef bij het zoeken op een organisatie een naam of KvK-nummer op.")
    if len(text) > MAX_QUERY:
        raise ValidationError(f"De naam is te lang (meer dan {MAX_QUERY} tekens).")
    return OrganisationQuery(
        text=" ".join(p for p in (text, kvk_value) if p),
        name_key=name_key(text),
        core_key=organisation_core_key(text) if text else "",
        kvk=kvk_value,
    )


@dataclass(frozen=True)
class FreeQuery:
    """What a bare `mhtool zoek TEKST` may mean; each part is searched, results merged."""

    text: str
    person: PersonQuery | None
    address: AddressQuery | None
    organisation: OrganisationQuery | None
    words: tuple[str, ...]


def free_query(text: str) -> FreeQuery:
    value = clean_query(text)
    address: AddressQuery | None = None
    # Also without a digit: 'zoek Dorpsstraat' is how a step-2 check on a street starts.
    if not _KVK_IN_TEXT.fullmatch(value.replace(" ", "")):
        try:
            address = address_query(value)
        except ValidationError:
            address = None
    person: PersonQuery | None = None
    letters = "".join(c for c in value if c.isalpha())
    if letters and (address is None or not address.house_number):
        try:
            person = person_query(value)
        except ValidationError:
            person = None
    organisation: OrganisationQuery | None = None
    try:
        organisation = organisation_query(value) if letters or _KVK_IN_TEXT.search(value) else None
    except ValidationError:
        organisation = None
    return FreeQuery(value, person, address, organisation, fts_words(value))


# Words so common in Dutch text that requiring them only slows the search down.
_STOPWORDS = frozenset(
    ("de", "het", "een", "en", "van", "in", "op", "te", "met", "voor", "aan", "bij", "is")
    + ("er", "of", "die", "dat", "door", "naar", "om", "uit", "als", "ook", "zijn", "wordt")
)


def fts_words(text: str, limit: int = 8) -> tuple[str, ...]:
    """Plain words only: whatever the user typed, nothing reaches FTS5 as query syntax.
    Stopwords are dropped unless nothing else is left."""
    words = list(dict.fromkeys(w.casefold() for w in _WORD.findall(text) if len(w) <= 50))
    content = [w for w in words if w not in _STOPWORDS]
    return tuple(content or words)[:limit]


def fts_all_of_any(groups: list[list[str]]) -> str:
    """'("kwekerij") AND ("tulpkas" OR "tulpkaas")': every group must match, any word in it.
    Words hold no quotes (keys are letters, digits and spaces only); any that do are dropped."""
    parts = []
    for group in groups:
        words = [f'"{w}"' for w in group if w and '"' not in w]
        if words:
            parts.append("(" + " OR ".join(words) + ")")
    return " AND ".join(parts)


def fts_match_expression(words: tuple[str, ...]) -> str:
    """Each word as a quoted FTS5 string (words hold no quotes), all required."""
    return " ".join(f'"{w}"' for w in words if '"' not in w)


# --- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """`score` 100 means the searched text is found exactly (the footer of `zoek` says so);
    `exact` means more: the match identifies the record (name with birth date, KvK-number,
    postcode with house number), the only kind mhtool may link on its own. A name alone, even
    spelt exactly, scores 100 without being `exact`: namesakes exist."""

    score: int
    reasons: tuple[str, ...]
    identifies: bool | None = None  # None: a score of 100 identifies
    # Where the match stands among equal scores: the same name scores 100 with or without
    # agreeing birth data, but at 1M persons there are dozens of such namesakes, and the one
    # whose birth year agrees must come before those without birth data. None: the score.
    standing: float | None = None

    @property
    def exact(self) -> bool:
        return self.score >= EXACT if self.identifies is None else self.identifies

    @property
    def rank(self) -> float:
        return float(self.score) if self.standing is None else self.standing


def _clamp(value: float) -> int:
    return max(0, min(100, round(value)))


def _word_score(a: str, b: str) -> float:
    """How well two name words agree; an initial agrees (90) with a word it starts."""
    if len(a) == 1 or len(b) == 1:
        return 90.0 if a[0] == b[0] else 0.0
    return similarity(a, b)


def _name_as_written(q: PersonQuery, given_key: str, surname_key: str) -> tuple[float, list[str]]:
    """The query's given name against the stored given name, surname against surname."""
    reasons: list[str] = []
    surname = similarity(q.surname_key, surname_key)
    if q.given_key and given_key:
        given = _word_score(q.given_key, given_key)
        name_score = 0.55 * surname + 0.45 * given
        if given == 90.0 and surname == 100.0:
            reasons.append("zelfde achternaam, voorletter komt overeen")
        elif given == 0.0:
            reasons.append("andere voornaam of voorletter")
    else:
        name_score = 0.9 * surname
        if surname == 100.0:
            reasons.append("zelfde achternaam")
    if not reasons or reasons[0] == "andere voornaam of voorletter":
        reasons.insert(0, "vergelijkbare naam (spelling)")
    return name_score, reasons


def _name_swapped(
    q: PersonQuery, given_key: str, surname_key: str, later_words: list[str]
) -> tuple[float, list[str]]:
    """The query read the other way round: its last word against the stored first (given)
    word, its first word against the stored surname, or an initial against any later word
    ("T. Tran" for "Tran Thi Lan"). The pair holding an initial counts as the given name, so
    "Kowalczyk A." and "A. Kowalczyk" weigh as they would in the written order."""
    if not q.given_key:
        # One word against the stored first word: a given name, or a family name written
        # first ("Nguyen" for "Nguyen Van Minh"); no order to speak of.
        if not given_key or len(q.surname_key) == 1:
            return 0.0, []
        first = similarity(q.surname_key, given_key)
        reason = "voornaam of vooraan geschreven achternaam"
        reason = f"zelfde {reason}" if first == 100.0 else f"vergelijkbare {reason} (spelling)"
        return _SWAPPED * 0.9 * first, [reason]
    pairs = [(q.given_key, surname_key)]
    if len(q.given_key) == 1 and later_words:
        pairs = [(q.given_key, max(later_words, key=lambda w: _word_score(q.given_key, w)))]
    if given_key:
        pairs.append((q.surname_key, given_key))
    scores = sorted(
        ((_word_score(a, b), min(len(a), len(b)) == 1) for a, b in pairs),
        key=lambda pair: pair[1],  # the full-word pair first: it stands for the surname
    )
    given: float | None = None
    if len(scores) == 1:  # a one-word stored name: only the surname can agree
        surname, initial = scores[0]
        name_score = 0.0 if initial else 0.9 * surname
    else:
        (surname, _), (given, _) = scores
        name_score = 0.55 * surname + 0.45 * given
    if surname == 100.0 and given == 90.0:
        reasons = ["zelfde achternaam, voorletter komt overeen"]
    elif surname == 100.0 and given is None:
        reasons = ["zelfde achternaam"]
    else:
        reasons = ["vergelijkbare naam (spelling)"]
    return _SWAPPED * name_score, [*reasons, "naam in andere volgorde"]


# A name in the other order is the same person less surely than one in the order written, so
# it ranks below it and is never exact (never linked without the officer).
_SWAPPED = 0.96


def score_person(
    q: PersonQuery,
    *,
    name_key_: str,
    given_key: str,
    surname_key: str,
    birth_date: str | None,
    birth_year: int | None,
) -> Match | None:
    reasons: list[str]
    same_words = len(name_key_) == len(q.name_key) and sorted(name_key_.split()) == q.name_tokens
    # Also 'de Vries, Jan' against 'Jan de Vries': the comma says which word is the surname.
    same_name = same_words and (q.given_key, q.surname_key) == (given_key, surname_key)
    if same_name:
        name_score, reasons = 100.0, ["zelfde naam"]
    elif same_words:
        name_score, reasons = _SWAPPED * 100.0, ["zelfde naam in andere volgorde"]
    else:
        name_score, reasons = _name_as_written(q, given_key, surname_key)
        later_words = [w for w in name_key_.split()[1:] if w not in TUSSENVOEGSELS]
        swapped_score, swapped_reasons = _name_swapped(q, given_key, surname_key, later_words)
        if swapped_score > name_score:
            name_score, reasons = swapped_score, swapped_reasons
    # The name gives at most 88; agreeing birth data lifts a match above namesakes without it.
    bonus = 0.0
    exact = False
    if q.birth_date and birth_date:  # ISO strings compare as dates
        if q.birth_iso == birth_date:
            bonus = 12
            reasons.append("zelfde geboortedatum")
            exact = same_name
        elif q.birth_date.year == birth_year:
            bonus = -15
            reasons.append("andere geboortedatum in hetzelfde jaar")
        else:
            bonus = -30
            reasons.append("andere geboortedatum")
    elif q.birth_year and birth_year:
        if q.birth_year == birth_year:
            bonus = 8
            reasons.append(
                "zelfde geboortejaar (volledige geboortedatum niet in beide registraties)"
            )
        else:
            bonus = -30
            reasons.append("ander geboortejaar")
    score = _clamp(0.88 * name_score + bonus)
    if name_score < 70 or score < MIN_SCORE:
        return None
    if same_name and bonus >= 0:  # the name exactly, and nothing of the birth data disagrees
        return Match(EXACT, tuple(reasons), identifies=exact, standing=0.88 * name_score + bonus)
    return Match(EXACT if exact else min(score, EXACT - 1), tuple(reasons))


def score_address(
    q: AddressQuery,
    *,
    street_key_: str,
    house_number: int,
    house_addition: str,
    postcode: str,
    city_key_: str,
) -> Match | None:
    # Number and addition are compared apart: house key '892' is both 892 and 89-2.
    same_house = q.house_number == house_number and (
        addition_key(q.house_addition) == addition_key(house_addition)  # 14-II is 14-2
    )
    reasons: list[str] = []
    if q.postcode and q.postcode == postcode:
        if q.house_number is None:
            base = 70.0
            reasons.append("zelfde postcode")
        elif same_house:
            return Match(EXACT, ("zelfde postcode en huisnummer",))
        elif q.house_number == house_number:
            base = 85.0
            reasons.append("zelfde postcode en huisnummer, andere toevoeging")
        else:
            return None
    elif q.street_key:
        street = similarity(q.street_key, street_key_)
        if street < 75:
            return None
        spelled = "zelfde straat" if street == 100 else "vergelijkbare straatnaam (spelling)"
        if q.house_number is None:
            base = 0.7 * street
            reasons.append(spelled)
        elif q.house_number != house_number:
            return None
        elif same_house:
            base = 0.95 * street
            reasons.append(f"{spelled} en zelfde huisnummer")
        else:
            base = 0.85 * street
            reasons.append(f"{spelled}, zelfde huisnummer met andere toevoeging")
        if q.postcode and postcode and q.postcode != postcode:
            base -= 25
            reasons.append("andere postcode")
    else:
        return None
    if q.city_key and city_key_:
        if similarity(q.city_key, city_key_) >= 85:
            reasons.append("zelfde plaats")
        else:
            base -= 35
            reasons.append("andere plaats")
    score = _clamp(base)
    if score < MIN_SCORE:
        return None
    exact_by_street = (
        q.street_key == street_key_
        and same_house
        and bool(q.city_key)
        and q.city_key == city_key_
        and not (q.postcode and postcode and q.postcode != postcode)
    )
    return Match(EXACT if exact_by_street else min(score, EXACT - 1), tuple(reasons))


def _part_of_name(query_key: str, core_key: str) -> float | None:
    """'Tulp' or 'de tulp' in 'Kwekerij De Tulp B.V.': every meaningful word of the query (not
    a particle, three letters or more) stands, perhaps misspelt, in the name. Scores 60-85, by
    how much of the name the query covers, so a fuller name ranks above a fragment."""
    words = [w for w in query_key.split() if len(w) >= 3 and w not in TUSSENVOEGSELS]
    stored = core_key.split()
    if not words or not stored:
        return None
    if any(max(similarity(w, s) for s in stored) < 85 for w in words):
        return None
    covered = sum(len(w) for w in words) / max(1, sum(len(s) for s in stored))
    return MIN_SCORE + 25 * min(1.0, covered)


def score_organisation(
    q: OrganisationQuery, *, name_key_: str, core_key: str, kvk: str
) -> Match | None:
    if q.kvk and q.kvk == kvk:
        reasons = ["zelfde KvK-nummer"]
        if q.core_key and q.core_key == core_key:
            reasons.append("zelfde naam")
        return Match(EXACT, tuple(reasons))
    if not q.core_key:
        return None
    name = similarity(q.core_key, core_key)
    if name >= 75:
        reasons = ["zelfde naam" if name == 100 else "vergelijkbare naam (spelling)"]
        base = 100.0 if name == 100 else 0.9 * name
    else:
        part = _part_of_name(q.core_key, core_key)
        if part is None:
            return None
        reasons, base = ["deel van de naam"], part
    if q.kvk and kvk:
        base -= 40
        reasons.append("ander KvK-nummer")
    score = _clamp(base)
    # The same name exactly scores 100 but never identifies: only the KvK-number does.
    return Match(score, tuple(reasons), identifies=False) if score >= MIN_SCORE else None
