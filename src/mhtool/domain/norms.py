"""The norms (doorlooptijden) of the meldroute and after it, with their default days.

Apart from domain/lifecycle.py because the agenda's reminder after every command needs only
these defaults, and importing the whole lifecycle (its enums and dataclasses) cost every
command, `zoek` included, a few milliseconds of start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from mhtool.errors import ValidationError


# Norms (doorlooptijd) in days. The defaults are placeholders: the municipality sets its own
# with `mhtool normen zet`. Only the B8 reflection period comes from the plan (bijlage 5:
# Vreemdelingenwet 2000 art. 8 onder k, "maximaal drie maanden").
@dataclass(frozen=True)
class Norm:
    code: str
    label: str
    default_days: int
    max_days: int = 3650

    def check(self, days: int) -> int:
        if not 1 <= days <= self.max_days:
            raise ValidationError(
                f"Norm '{self.code}' van {days} dagen kan niet; kies 1 tot en met "
                f"{self.max_days} dagen."
            )
        return days


NORMS: tuple[Norm, ...] = (
    Norm("stap-1", "stap 1 ontvangst: binnen zoveel dagen naar stap 2", 2),
    Norm("stap-2", "stap 2 vastleggen en verrijken: binnen zoveel dagen besproken", 7),
    Norm(
        "stap-3", "stap 3 bespreken met politie en zorgcoördinator: binnen zoveel dagen verder", 14
    ),
    Norm("stap-4", "stap 4 bespreken met RIEC / HvO Querido: binnen zoveel dagen afgerond", 30),
    Norm("vervolgactie", "standaard termijn van een vervolgactie bij 'verder onderzoek'", 30),
    Norm("terugkoppeling", "terugkoppeling aan de melder: binnen zoveel dagen na afronding", 14),
    Norm("bedenktijd", "bedenktijd B8 (maximaal drie maanden, Vreemdelingenwet art. 8k)", 90, 92),
    Norm("vooruitkijken", "agenda: acties en bedenktijden die binnen zoveel dagen aflopen", 7, 92),
)
NORMS_BY_CODE = {n.code: n for n in NORMS}
STEP_NORM = {1: "stap-1", 2: "stap-2", 3: "stap-3", 4: "stap-4"}
