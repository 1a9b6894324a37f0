"""`mhtool persoon|adres|organisatie wijzig ID`: correct a person, address or organisation."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from mhtool.cli.app_options import ID_ARG, JSON_OPTION
from mhtool.cli.context import state

REASON = Annotated[str | None, typer.Option(help="Waarom het wordt gecorrigeerd (verplicht).")]


def register(person_app: typer.Typer, address_app: typer.Typer, org_app: typer.Typer) -> None:
    person_app.command("wijzig")(correct_person)
    address_app.command("wijzig")(correct_address)
    org_app.command("wijzig")(correct_organisation)


def _done(what: str, number: int, row: dict[str, Any], as_json: bool) -> None:
    from mhtool.cli import render

    if as_json:
        from mhtool.services.timelines import entity_facts

        entity = {"Persoon": "person", "Adres": "address", "Organisatie": "organisation"}[what]
        render.print_json(entity_facts(entity, row))
    else:
        render.console().print(
            render.text(f"{what} {number} gecorrigeerd; de oude waarde staat in de historie.")
        )


def correct_person(
    ctx: typer.Context,
    id_: ID_ARG,
    reden: REASON = None,
    naam: Annotated[str | None, typer.Option(help="Juiste naam.")] = None,
    geboren: Annotated[
        str | None, typer.Option(help="Juiste geboortedatum (dd-mm-jjjj) of alleen het jaar.")
    ] = None,
    nationaliteit: Annotated[str | None, typer.Option(help="Juiste nationaliteit.")] = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Corrigeer de naam, geboortedatum of nationaliteit van een persoon (in alle signalen).

    De rol van een persoon in één signaal corrigeert u met 'mhtool signaal wijzig ... --rol'.
    """
    from mhtool.domain.signal_input import parse_id
    from mhtool.services.entity_correction import correct_person as correct

    st = state(ctx)
    number = parse_id(id_, "Persoon")
    row = correct(
        st.store(),
        number,
        reden or "",
        st.user,
        name=naam,
        birth=geboren,
        nationality=nationaliteit,
    )
    _done("Persoon", number, row, as_json)


def correct_address(
    ctx: typer.Context,
    id_: ID_ARG,
    reden: REASON = None,
    straat: Annotated[str | None, typer.Option(help="Juiste straat.")] = None,
    nummer: Annotated[
        str | None, typer.Option(help="Juist huisnummer met toevoeging, zoals 14-2 of 12a.")
    ] = None,
    postcode: Annotated[str | None, typer.Option(help="Juiste postcode.")] = None,
    plaats: Annotated[str | None, typer.Option(help="Juiste plaats.")] = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Corrigeer de straat, het huisnummer, de postcode of de plaats van een adres."""
    from mhtool.domain.signal_input import parse_id
    from mhtool.services.entity_correction import correct_address as correct

    st = state(ctx)
    number = parse_id(id_, "Adres")
    row = correct(
        st.store(),
        number,
        reden or "",
        st.user,
        street=straat,
        number=nummer,
        postcode=postcode,
        city=plaats,
    )
    _done("Adres", number, row, as_json)


def correct_organisation(
    ctx: typer.Context,
    id_: ID_ARG,
    reden: REASON = None,
    naam: Annotated[str | None, typer.Option(help="Juiste naam.")] = None,
    kvk: Annotated[str | None, typer.Option(help="Juist KvK-nummer (8 cijfers).")] = None,
    sector: Annotated[str | None, typer.Option(help="Juiste sector.")] = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Corrigeer de naam, het KvK-nummer of de sector van een organisatie."""
    from mhtool.domain.signal_input import parse_id
    from mhtool.services.entity_correction import correct_organisation as correct

    st = state(ctx)
    number = parse_id(id_, "Organisatie")
    row = correct(st.store(), number, reden or "", st.user, name=naam, kvk=kvk, sector=sector)
    _done("Organisatie", number, row, as_json)
