"""`mhtool persoon inzage` and `mhtool persoon verwijder`: the AVG rights of one person.

`register()` adds both commands to whichever `persoon` sub-app the root uses, so they sit next
to `persoon toon` from the search commands.
"""

from __future__ import annotations

from typing import Annotated

import typer

from mhtool.cli.app_options import JSON_OPTION
from mhtool.cli.confirmation import YES_OPTION, confirm_irreversible
from mhtool.cli.context import state

PERSON_ID = Annotated[
    str, typer.Argument(metavar="ID", help="Id van de persoon (zie 'mhtool signaal toon').")
]


def register(person_app: typer.Typer) -> None:
    person_app.command("inzage")(access)
    person_app.command("verwijder")(erase)


def access(
    ctx: typer.Context,
    persoon_id: PERSON_ID,
    uitvoer: Annotated[
        str | None,
        typer.Option(
            "--uitvoer",
            help="Pad van het JSON-bestand; standaard inzage-persoon-ID-DATUM.json in de huidige map.",
            show_default=False,
        ),
    ] = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Maak een inzageoverzicht (art. 15 AVG): alles wat over deze persoon is vastgelegd, als
    JSON-bestand dat alleen u kunt lezen."""
    from pathlib import Path

    from mhtool.cli import render
    from mhtool.domain.signal_input import parse_id
    from mhtool.services.person_rights import export_person

    person = parse_id(persoon_id, "Persoon")
    st = state(ctx)
    export = export_person(st.store(), person, Path(uitvoer) if uitvoer else None, st.user)
    if as_json:
        render.print_json(export.as_json())
        return
    render.console().print(
        render.text(
            f"Inzageoverzicht van persoon {export.person_id} "
            f"({render.count(len(export.signals), 'signaal')}) geschreven naar {export.path}. "
            "Controleer het vóór verstrekking op gegevens van anderen."
        )
    )


def erase(
    ctx: typer.Context,
    persoon_id: PERSON_ID,
    reden: Annotated[
        str,
        typer.Option(
            help="Waarom: avg-verzoek, onjuist, dubbel of bezwaar. De toelichting hoort in het "
            "dossier van het verzoek.",
        ),
    ],
    kenmerk: Annotated[
        str,
        typer.Option(help="Kenmerk van het verzoek of dossier, bijvoorbeeld AVG-2026-014."),
    ] = "",
    ja: YES_OPTION = False,
    as_json: JSON_OPTION = False,
) -> None:
    """Verwijder een persoon volledig (art. 17 AVG): uit alle tabellen, de historie en de
    zoekindex; de naam wordt ook uit omschrijvingen en notities gehaald."""
    from mhtool.cli import render
    from mhtool.domain.person_rights import check_dossier, parse_reason
    from mhtool.domain.signal_input import parse_id
    from mhtool.services.person_rights import erase_person

    person = parse_id(persoon_id, "Persoon")
    reason = parse_reason(reden)
    dossier = check_dossier(kenmerk)
    st = state(ctx)
    confirm_irreversible(
        ja,
        f"Persoon {person} definitief verwijderen?",
        "Verwijderen kan niet ongedaan worden gemaakt; bevestig met --ja, of start de opdracht "
        "in een terminal.",
    )
    report = erase_person(st.store(), person, reason, dossier, st.user)
    if as_json:
        render.print_json(report.as_json())
        return
    render.console().print(
        render.text(
            f"Persoon {report.person_id} is verwijderd"
            + (f" uit {', '.join(report.signals)}" if report.signals else "")
            + f"; de naam is uit {render.count(report.scrubbed_texts, 'tekst')} gehaald. "
            f"Reden ({reason.label}) staat in het auditlog."
        )
    )
    if report.name_removed_elsewhere:
        render.console().print(
            render.text(
                "De naam is ook weggehaald uit de tekst van "
                f"{', '.join(report.name_removed_elsewhere)} (staat in de historie daarvan).",
            )
        )
    if report.to_review:
        render.console().print(
            render.text(
                "Niet gewijzigd, want de naam kan daar ook iemand anders in deze database zijn: "
                f"{'; '.join(report.to_review)}. Controleer deze plaatsen met 'mhtool signaal "
                "toon' en corrigeer waar nodig.",
                "bold yellow",
            )
        )
    if report.own_gemeenten_only:
        render.console().print(
            render.text(
                "Let op: op de server ziet u alleen de signalen van uw eigen gemeenten; of de "
                "naam ook in teksten van andere gemeenten staat, kan alleen de beheerder nagaan "
                "(als eigenaar van de database).",
                "bold yellow",
            )
        )
    if report.first_name_left_in:
        render.console().print(
            render.text(
                "Let op: de voornaam alleen staat nog in teksten van "
                f"{', '.join(report.first_name_left_in)} (die kan ook van iemand anders zijn); "
                "controleer ze met 'mhtool signaal toon' en corrigeer waar nodig.",
                "bold yellow",
            )
        )
