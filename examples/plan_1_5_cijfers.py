"""Fill a database with a FICTITIOUS data set that reproduces the figures of the policy plan §1.5.

    python examples/plan_1_5_cijfers.py --db /tmp/plan.db
    python examples/plan_1_5_cijfers.py --db postgresql://…/leeg   # an empty server database
    mhtool --db /tmp/plan.db statistiek --tabel jaarcijfers --jaar 2022-2023
    mhtool --db /tmp/plan.db statistiek --tabel driehoek --jaar 2022-2023

Plan §1.5 (signals for Noord-Holland Noord at HvO Querido):

    Jaar                                          2022  2023
    Aantal ontvangen signalen Noord-Holland Noord   93    48
    Strafrechtelijk opgepakt                         8    10
    Opvang slachtoffers                              5     5

    Jaar            2022  2023
    Dijk en Waard      2    15
    Hollands Kroon     2     2
    Koggenland         5     1

Nobody in here exists: persons are called "Fictief Persoon NNN", organisations "Voorbeeldbedrijf
NNN", streets "Voorbeeldstraat". Every signal goes through the real services (validation, the
meldroute rules, history), exactly as `mhtool signaal nieuw` and `mhtool signaal stap` do.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from mhtool.domain.enums import Conclusion, Partner, Step
from mhtool.domain.meldroute import StepInput
from mhtool.domain.municipalities import DRIEHOEK_HEERHUGOWAARD, NOORD_HOLLAND_NOORD
from mhtool.domain.signal_input import (
    build_address,
    build_organisation,
    build_person,
    build_signal,
)
from mhtool.services.database import (
    open_database,
    open_server_database,
    resolve_database_path,
    server_target,
)
from mhtool.services.signals import advance_signal, log_signal
from mhtool.store.connection import Store

USER = "voorbeeld"

# Signals per municipality and year: the driehoek as in the plan, the rest of Noord-Holland
# Noord filled up so the regional totals are 93 (2022) and 48 (2023).
DRIEHOEK = {
    2022: {"Dijk en Waard": 2, "Hollands Kroon": 2, "Koggenland": 5},
    2023: {"Dijk en Waard": 15, "Hollands Kroon": 2, "Koggenland": 1},
}
TOTALS = {2022: 93, 2023: 48}
CRIMINAL = {2022: 8, 2023: 10}
SHELTER = {2022: 5, 2023: 5}
STILL_OPEN_2023 = 4  # the last few 2023 signals are still being handled

FORMS = ("arbeid", "seksueel", "crimineel", "arbeid", "onbekend", "seksueel")
CHANNELS = ("mail", "meldpunt", "persoonlijk", "telefoon", "ketenpartner")
SECTORS = ("agrarisch", "horeca", "schoonmaak", "uitzendbureau", "bouw", "huisvesting")


def municipalities_for(year: int) -> list[str]:
    """One entry per signal of `year`, spread evenly over the year's municipalities."""
    plan = dict(DRIEHOEK[year])
    others = [g for g in NOORD_HOLLAND_NOORD if g not in DRIEHOEK_HEERHUGOWAARD]
    remaining = TOTALS[year] - sum(plan.values())
    for index in range(remaining):
        name = others[index % len(others)]
        plan[name] = plan.get(name, 0) + 1
    spread: list[str] = []
    for name in sorted(plan):
        spread += [name] * plan[name]
    return spread


def log_one(store: Store, year: int, index: int, municipality: str, user: str) -> str:
    received = dt.date(year, 1, 2) + dt.timedelta(days=(index * 3) % 330)
    number = f"{year % 100:02d}{index:03d}"
    persons = [
        build_person(
            f"Fictief Persoon {number}",
            "slachtoffer",
            str(1960 + index % 45),
            "fictief",
            today=received,
        )
    ]
    addresses = (
        [build_address("Voorbeeldstraat", str(1 + index % 90), "", f"17{index % 90:02d} ZZ")]
        if index % 3 == 0
        else []
    )
    organisations = (
        [build_organisation(f"Voorbeeldbedrijf {number}", "", SECTORS[index % len(SECTORS)])]
        if index % 4 == 0
        else []
    )
    new = build_signal(
        received_on=received.isoformat(),
        municipality=municipality,
        reporter="Fictieve Melder",
        reporter_department="Voorbeeldafdeling",
        channel=CHANNELS[index % len(CHANNELS)],
        forms=[FORMS[index % len(FORMS)]],
        acute=index % 17 == 0,
        # Acute means AVIM at once (plan flowchart); an acute signal cannot close without it.
        avim_informed_at=dt.datetime.combine(received, dt.time(9, 30)) if index % 17 == 0 else None,
        description=f"Fictief voorbeeldsignaal {number}; geen echte personen.",
        persons=persons,
        addresses=addresses,
        organisations=organisations,
        today=dt.date.today(),
    )
    return log_signal(store, new, user).summary.ref


def walk_route(
    store: Store,
    ref: str,
    received: dt.date,
    user: str,
    *,
    close: bool,
    criminal: bool,
    shelter: bool,
) -> None:
    """Steps 2-4 always; step 5 with the outcomes the yearly figures count."""
    day = received
    moves = [
        StepInput(
            on_date=(day := day + dt.timedelta(days=2)),
            check_outcome="geen eerdere registraties",
        ),
        StepInput(on_date=(day := day + dt.timedelta(days=7)), partners=(Partner.OE_WIJK,)),
        StepInput(
            on_date=(day := day + dt.timedelta(days=14)),
            partners=(Partner.RIEC, Partner.QUERIDO),
        ),
    ]
    for move in moves:
        advance_signal(store, ref, move, user)
    if not close:
        return
    conclusion = Conclusion.TRAFFICKING if criminal or shelter else Conclusion.NO_TRAFFICKING
    advance_signal(
        store,
        ref,
        StepInput(
            on_date=day + dt.timedelta(days=10),
            target=Step.CLOSED,
            conclusion=conclusion,
            feedback_given=True,
            feedback_on=day + dt.timedelta(days=10),
            criminal_case=criminal,
            shelter_arranged=shelter,
        ),
        user,
    )


def evenly_spaced(total: int, wanted: int, offset: int) -> set[int]:
    """`wanted` signal numbers spread over the year (all of them closed ones)."""
    step = (total - STILL_OPEN_2023) // wanted
    return {offset + i * step for i in range(wanted)}


def fill(store: Store, user: str = USER) -> dict[int, int]:
    """Log and handle every signal of both years; returns signals per year."""
    made: dict[int, int] = {}
    for year in sorted(TOTALS):
        places = municipalities_for(year)
        criminal = evenly_spaced(len(places), CRIMINAL[year], offset=1)
        shelter = evenly_spaced(len(places), SHELTER[year], offset=3)
        for index, municipality in enumerate(places):
            ref = log_one(store, year, index, municipality, user)
            received = dt.date(year, 1, 2) + dt.timedelta(days=(index * 3) % 330)
            still_open = year == 2023 and index >= len(places) - STILL_OPEN_2023
            walk_route(
                store,
                ref,
                received,
                user,
                close=not still_open,
                criminal=index in criminal,
                shelter=index in shelter,
            )
            made[year] = made.get(year, 0) + 1
    return made


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db",
        help="databasebestand of lege serverdatabase (anders MHTOOL_DB of de standaardlocatie)",
    )
    args = parser.parse_args(argv)
    server = server_target(args.db)
    if server is not None:
        # On a server the login is the user in history and audit, as for every command.
        store = open_server_database(server[0])
        where = store.location
        if store.row("SELECT 1 AS found FROM signal LIMIT 1") is not None:
            store.close()
            raise SystemExit(f"{where} bevat al signalen; kies een lege database.")
    else:
        path, source = resolve_database_path(args.db)
        if Path(path).exists():
            raise SystemExit(f"{path} bestaat al; kies een nieuw bestand voor de voorbeelddata.")
        store = open_database(path, source)
        where = str(path)
    try:
        made = fill(store, store.user or USER)
    finally:
        store.close()
    print(f"{sum(made.values())} fictieve signalen vastgelegd in {where}: {made}")


if __name__ == "__main__":
    main()
