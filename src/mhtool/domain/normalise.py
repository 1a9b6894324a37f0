"""Normalised keys stored next to what the user typed, so the same address, person or
organisation is found again however it was spelt.

Every key is computed once, at insert time; searches compare keys, never raw text.
"""

from __future__ import annotations

import re
import unicodedata

from mhtool.domain.street_names import canonical_street_words
from mhtool.errors import ValidationError

# Letter pairs PostNL never issues (they recall the SA, SD and SS of 1940-1945).
NEVER_ISSUED_LETTERS = frozenset({"SA", "SD", "SS"})
_POSTCODE = re.compile(r"^([1-9][0-9]{3})([A-Z]{2})$")

# Letters that NFKD does not decompose into a base letter plus an accent.
_TRANSLITERATE = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "þ": "th",
        "ð": "d",
    }
)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def postcode_key(text: str) -> str:
    """'1701 ab' -> '1701AB'; raises on anything that is not a Dutch postcode."""
    value = re.sub(r"\s+", "", text).upper()
    match = _POSTCODE.match(value)
    if not match:
        raise ValidationError(
            f"Postcode '{text.strip()}' is ongeldig; gebruik vier cijfers en twee letters, "
            "bijvoorbeeld 1701 AB."
        )
    if match.group(2) in NEVER_ISSUED_LETTERS:
        raise ValidationError(
            f"Postcode '{text.strip()}' bestaat niet: de lettercombinaties SA, SD en SS worden "
            "nooit uitgegeven. Controleer de postcode."
        )
    return value


def split_house_number(number: str, addition: str = "") -> tuple[int, str]:
    """'12a', '12-A', '12 a' (or '12' plus addition 'a') -> (12, 'A'); '12/1' -> (12, '1')."""
    shown = f"{number.strip()} {addition.strip()}".strip()
    if not shown:
        raise ValidationError("Huisnummer ontbreekt; geef het huisnummer, bijvoorbeeld 12a.")
    match = re.fullmatch(r"(\d+)\s*[-/]?\s*([A-Z0-9]{0,6})", shown.upper())
    if not match:
        raise ValidationError(
            f"Huisnummer '{shown}' is ongeldig; gebruik een getal met eventueel een toevoeging, "
            "bijvoorbeeld 12a of 12-1."
        )
    digits, extra = match.groups()
    if len(digits) > 5:
        raise ValidationError(
            f"Huisnummer '{shown}' is te lang; een huisnummer heeft hoogstens vijf cijfers. "
            "Schrijf een toevoeging met een streepje, bijvoorbeeld 12-1."
        )
    value = int(digits)
    if value == 0:
        raise ValidationError("Huisnummer 0 bestaat niet; controleer het huisnummer.")
    return value, extra


# Ways of writing the same addition: a floor in Roman numerals ("14-II" is "14-2") and the
# ground-floor door ("14 hs", "14 huis", "14H"). Single V and X stay letters: as additions they
# are letters far more often than a fifth or tenth floor.
_ROMAN_FLOORS = {"I": "1", "II": "2", "III": "3", "IV": "4", "VI": "6", "VII": "7", "VIII": "8"}
_ADDITION_WORDS = {"HS": "H", "HUIS": "H", "IX": "9", **_ROMAN_FLOORS}


def addition_key(addition: str) -> str:
    """The comparable form of a house-number addition: 'ii' -> '2', 'hs' -> 'H', '-a' -> 'A'.

    The addition as written is kept for display; searches compare this key."""
    value = "".join(c for c in strip_accents(addition).upper() if c.isalnum())
    return _ADDITION_WORDS.get(value, value)


def house_key(number: int, addition: str) -> str:
    """(12, 'A') -> '12a'; (12, '1') and (12, 'II') -> '12-1'/'12-2', so it never equals house
    number 121; the addition in its comparable form (see addition_key)."""
    extra = addition_key(addition).lower()
    if extra[:1].isdigit():
        return f"{number}-{extra}"
    return f"{number}{extra}"


def house_number_display(number: int, addition: str) -> str:
    """How a Dutch address writes a house number: '14-2', '14-II', '14 hs', '12a', '12-A1'.

    A numeric addition always keeps its separator (14-2 is not house 142); one letter sits
    against the number; a word such as 'hs' or 'bis' follows after a space; anything else
    (mixed letters and digits) after a hyphen.
    """
    extra = addition.strip()
    if not extra:
        return str(number)
    if extra[0].isdigit():
        return f"{number}-{extra}"
    if len(extra) > 1 and re.fullmatch(r"[ivxIVX]+", extra):
        return f"{number}-{extra.upper()}"  # a floor in Roman numerals: 14-II is 14-2
    if extra.isalpha():
        return f"{number}{extra.lower()}" if len(extra) == 1 else f"{number} {extra.lower()}"
    return f"{number}-{extra}"


def address_one_line(
    street: str, house_number: int, house_addition: str, postcode: str, city: str
) -> str:
    """'Dorpsstraat 12a, 1701AB Heerhugowaard': how an address is shown on one line (here
    rather than on AddressInput, so labelling a search hit does not import the input forms)."""
    number = house_number_display(house_number, house_addition)
    parts = [f"{street} {number}".strip(), f"{postcode} {city}".strip()]
    return ", ".join(p for p in parts if p)


def street_key(text: str) -> str:
    """'Dorpsstr.' and 'dorpsstraat ' -> 'dorpsstraat'; 'Burg. v. Roijensingel' and
    'Burgemeester van Roijensingel' -> 'burgemeestervanroijensingel'. Accents, spaces and
    punctuation dropped; abbreviations as in domain.street_names."""
    return "".join(canonical_street_words(strip_accents(text).casefold()))


def name_key(text: str) -> str:
    """'  Jan  de Vriés' -> 'jan de vries': letters and single spaces only. An apostrophe inside
    a word joins it ("O'Brien", "d'Ancona" -> 'obrien', 'dancona'), so the 'O' is not taken for
    a first initial; a leading one ("'t Hof") stays a separator."""
    value = strip_accents(text).casefold()
    value = re.sub(r"(?<=[a-z0-9])['’`´](?=[a-z0-9])", "", value)
    value = re.sub(r"[^a-z0-9 ]+", " ", value)
    return re.sub(r"\s+", " ", value).strip()


def kvk_key(text: str) -> str:
    """A KvK-nummer is eight digits; spaces and dots are dropped."""
    value = re.sub(r"[\s.]", "", text)
    if not re.fullmatch(r"\d{8}", value):
        raise ValidationError(f"KvK-nummer '{text.strip()}' is ongeldig; het zijn acht cijfers.")
    return value


# Dutch and common foreign name particles: left out of the surname key, because one record says
# "van der Berg" and the next "v.d. Berg" or "Berg".
TUSSENVOEGSELS = frozenset(
    ("de", "der", "den", "van", "vd", "v", "d", "het", "t", "ter", "ten", "te", "op", "in")
    + ("la", "le", "el", "al", "du", "da", "di", "von", "zu")
)
_LEGAL_FORMS = re.compile(r"\b(?:b ?v|n ?v|v ?o ?f|c ?v|holding|eenmanszaak)\b")


def person_name_words(name: str) -> tuple[list[str], bool]:
    """The name's words in reading order without particles, and whether it was written as
    one word. 'de Vries, Jan' -> (['jan', 'vries'], False): a comma says the surname came first.
    """
    head, comma, tail = name.partition(",")
    if comma and tail.strip():
        name = f"{tail} {head}"
    tokens: list[tuple[str, bool]] = []  # (key, written as a capital initial)
    for word in name.split():
        initials = _CAPITAL_INITIALS.fullmatch(word) is not None
        tokens.extend((key, initials) for key in name_key(word).split())
    core = [key for key, initials in tokens if initials or key not in TUSSENVOEGSELS]
    return core or [key for key, _ in tokens], len(name.split()) == 1


# 'T.', 'D.', 'V.' and 'T.J.' are initials: written as capitals with a dot they are no particle
# ("'t", "d'", "v."), so 'T. Tran' keeps its initial.
_CAPITAL_INITIALS = re.compile(r"(?:[A-Z]\.)+")


def person_name_parts(name: str) -> tuple[str, str, str]:
    """(given_key, initial, surname_key) of a person's name, for indexed fuzzy lookup.

    'Jan de Vries', 'J. de Vries' and 'de Vries, Jan' all give surname 'vries' and initial 'j';
    a lone word is taken as the surname, since that is what a searcher remembers.
    """
    core, one_word = person_name_words(name)
    if not core:
        return "", "", ""
    surname = core[-1]
    if len(core) == 1 or one_word:
        # One word, even hyphenated ("Ångström-Müller"): a surname, never a first name.
        return "", "", surname
    given = core[0]
    return given, given[0], surname


def city_key(text: str) -> str:
    """'Den Helder ' and 'den-helder' -> 'denhelder'."""
    return "".join(c for c in strip_accents(text).casefold() if c.isalnum())


def organisation_core_key(name: str) -> str:
    """Name key without the legal form: 'De Tulp B.V.' and 'de tulp' give 'de tulp'."""
    value = _LEGAL_FORMS.sub(" ", name_key(name))
    return re.sub(r"\s+", " ", value).strip() or name_key(name)
