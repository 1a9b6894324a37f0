"""The municipalities a signal can belong to, with the regions the policy plan reports on.

The list holds every municipality of the province Noord-Holland (2024 boundaries). The plan's
tables group them as the *driehoek Heerhugowaard* and *Noord-Holland Noord* (veiligheidsregio).
"""

from __future__ import annotations

import difflib
import unicodedata

from mhtool.errors import ValidationError

DRIEHOEK_HEERHUGOWAARD: tuple[str, ...] = ("Dijk en Waard", "Hollands Kroon", "Koggenland")

NOORD_HOLLAND_NOORD: tuple[str, ...] = (
    "Alkmaar",
    "Bergen (NH)",
    "Castricum",
    "Den Helder",
    "Dijk en Waard",
    "Drechterland",
    "Enkhuizen",
    "Heiloo",
    "Hollands Kroon",
    "Hoorn",
    "Koggenland",
    "Medemblik",
    "Opmeer",
    "Schagen",
    "Stede Broec",
    "Texel",
    "Uitgeest",
)

_REST_OF_NOORD_HOLLAND: tuple[str, ...] = (
    "Aalsmeer",
    "Amstelveen",
    "Amsterdam",
    "Beverwijk",
    "Blaricum",
    "Bloemendaal",
    "Diemen",
    "Edam-Volendam",
    "Gooise Meren",
    "Haarlem",
    "Haarlemmermeer",
    "Heemskerk",
    "Heemstede",
    "Hilversum",
    "Huizen",
    "Landsmeer",
    "Laren",
    "Oostzaan",
    "Ouder-Amstel",
    "Purmerend",
    "Uithoorn",
    "Velsen",
    "Waterland",
    "Wijdemeren",
    "Wormerland",
    "Zaanstad",
    "Zandvoort",
)

MUNICIPALITIES: tuple[str, ...] = tuple(sorted(NOORD_HOLLAND_NOORD + _REST_OF_NOORD_HOLLAND))


def _key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in plain.casefold() if c.isalnum())


_BY_KEY: dict[str, str] = {_key(m): m for m in MUNICIPALITIES}
# Former municipalities and main towns people still type; they map to today's municipality.
_ALIASES = {
    "Bergen": "Bergen (NH)",
    "Bergen NH": "Bergen (NH)",
    "Heerhugowaard": "Dijk en Waard",
    "Langedijk": "Dijk en Waard",
    "Anna Paulowna": "Hollands Kroon",
    "Niedorp": "Hollands Kroon",
    "Wieringen": "Hollands Kroon",
    "Wieringermeer": "Hollands Kroon",
    "Schermer": "Alkmaar",
    "Graft-De Rijp": "Alkmaar",
    "Zeevang": "Edam-Volendam",
    "Beemster": "Purmerend",
    "Weesp": "Amsterdam",
    "Haarlemmerliede en Spaarnwoude": "Haarlemmermeer",
    "Harenkarspel": "Schagen",
    "Zijpe": "Schagen",
    "Wervershoof": "Medemblik",
    "Andijk": "Medemblik",
}
for _alias, _name in _ALIASES.items():
    _BY_KEY[_key(_alias)] = _name


def resolve_municipality(name: str) -> str:
    """Return the official spelling, accepting any case, spacing, hyphens or accents."""
    cleaned = name.strip()
    if not cleaned:
        raise ValidationError("Geef een gemeente op, bijvoorbeeld 'Dijk en Waard'.")
    found = _BY_KEY.get(_key(cleaned))
    if found:
        return found
    suggestions = difflib.get_close_matches(_key(cleaned), list(_BY_KEY), n=3, cutoff=0.6)
    names = sorted({_BY_KEY[s] for s in suggestions})
    if names:
        hint = "Bedoelt u " + " of ".join(f"'{n}'" for n in names) + "?"
    else:
        hint = "Zie 'mhtool gemeenten' voor de lijst."
    raise ValidationError(f"Onbekende gemeente '{cleaned}'. {hint}")
