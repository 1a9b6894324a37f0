"""Which municipalities a report covers, from what the officer typed after `--gemeente`.

Besides single names the officer can type the regions the policy plan reports on: `driehoek`
(Heerhugowaard: Dijk en Waard, Hollands Kroon, Koggenland) and `nhn` (Noord-Holland Noord),
or `alle`.
"""

from __future__ import annotations

from collections.abc import Iterable

from mhtool.domain.municipalities import (
    DRIEHOEK_HEERHUGOWAARD,
    NOORD_HOLLAND_NOORD,
    resolve_municipality,
)
from mhtool.errors import ValidationError

REGIONS: dict[str, tuple[str, ...]] = {
    "driehoek": DRIEHOEK_HEERHUGOWAARD,
    "driehoek heerhugowaard": DRIEHOEK_HEERHUGOWAARD,
    "nhn": NOORD_HOLLAND_NOORD,
    "noord-holland noord": NOORD_HOLLAND_NOORD,
}
ALL = "alle"


def parse_municipalities(values: Iterable[str] | None) -> tuple[str, ...] | None:
    """None when nothing was typed, () for 'alle', else the sorted official names."""
    given = list(values or [])
    if any(not raw.strip() for raw in given):
        raise ValidationError(
            "--gemeente is leeg; geef een gemeente, 'driehoek', 'nhn' of 'alle', of laat de optie "
            "weg."
        )
    typed = [v.strip() for raw in given for v in raw.split(",") if v.strip()]
    if not typed:
        return None
    found: set[str] = set()
    for value in typed:
        key = " ".join(value.lower().split())
        if key == ALL:
            return ()
        if key in REGIONS:
            found.update(REGIONS[key])
        else:
            found.add(resolve_municipality(value))
    return tuple(sorted(found))


def region_name(municipalities: tuple[str, ...]) -> str:
    """How a selection is called in a title: the plan's region names where they fit."""
    if not municipalities:
        return "alle gemeenten"
    chosen = set(municipalities)
    if chosen == set(NOORD_HOLLAND_NOORD):
        return "Noord-Holland Noord"
    if chosen == set(DRIEHOEK_HEERHUGOWAARD):
        return "driehoek Heerhugowaard"
    return ", ".join(municipalities)
