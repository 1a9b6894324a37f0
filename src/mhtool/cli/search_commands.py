"""`mhtool zoek`: find earlier persons, addresses, organisations and words in signals."""

from typing import Annotated

import typer

from mhtool.cli.app_options import JSON_OPTION
from mhtool.cli.context import state
from mhtool.errors import ExitCode


def zoek(
    ctx: typer.Context,
    tekst: Annotated[
        str | None,
        typer.Argument(
            help="Vrije zoektekst: een naam, adres, postcode, KvK-nummer of woorden uit "
            "omschrijvingen en notities.",
            show_default=False,
        ),
    ] = None,
    persoon: Annotated[
        str | None, typer.Option(help="Zoek een persoon op naam, bijvoorbeeld 'J. de Vries'.")
    ] = None,
    geboren: Annotated[
        str | None, typer.Option(help="Bij --persoon: geboortedatum (dd-mm-jjjj) of jaar.")
    ] = None,
    adres: Annotated[
        str | None,
        typer.Option(help="Zoek een adres, bijvoorbeeld 'Dorpsstraat 12a, Heerhugowaard'."),
    ] = None,
    postcode: Annotated[str | None, typer.Option(help="Postcode, bijvoorbeeld 1701AB.")] = None,
    huisnummer: Annotated[
        str | None, typer.Option(help="Huisnummer met toevoeging, bijvoorbeeld 12a.")
    ] = None,
    organisatie: Annotated[str | None, typer.Option(help="Zoek een organisatie op naam.")] = None,
    kvk: Annotated[str | None, typer.Option(help="Zoek een organisatie op KvK-nummer.")] = None,
    signaal: Annotated[
        str | None,
        typer.Option(
            help="Controle van stap 2: zoek eerdere registraties van alle personen, adressen en "
            "organisaties van dit signaal."
        ),
    ] = None,
    max_: Annotated[
        int, typer.Option("--max", min=1, max=500, help="Hoogstens zoveel resultaten.")
    ] = 20,
    as_json: JSON_OPTION = False,
) -> int:
    """Zoek eerdere signalen met dezelfde of een gelijkende persoon, adres of organisatie.

    Vindt ook andere schrijfwijzen (Dorpsstraat 12a = dorpsstr. 12-a, 1701 ab = 1701AB,
    J. de Vries = Jan de Vries, tikfouten, accenten) en toont waarom iets gevonden is.
    Afsluitcode 3 als er niets gevonden is.
    """
    from mhtool.cli import render

    st = state(ctx)
    store = st.store()
    if signaal is not None:
        from mhtool.cli import search_render
        from mhtool.services.search import check_signal

        checks = check_signal(store, signaal, st.user)
        if as_json:
            render.print_json([c.as_json() for c in checks])
        elif not checks:
            print("Dit signaal heeft geen personen, adressen of organisaties.")
        elif search_render.checks_notice(checks, stderr=False) == 0:
            searched = "; ".join(c.searched for c in checks)
            print(render.safe(f"Geen eerdere registraties gevonden voor: {searched}"))
        return ExitCode.OK if any(c.hits for c in checks) else ExitCode.NOT_FOUND
    from mhtool.services.search import search

    result = search(
        store,
        text=tekst or "",
        person=persoon or "",
        birth=geboren or "",
        address=adres or "",
        postcode=postcode or "",
        house_number=huisnummer or "",
        organisation=organisatie or "",
        kvk=kvk or "",
        limit=max_,
        user=st.user,
    )
    if as_json:
        render.print_json(result.as_json())
    elif not result.hits:
        print(render.safe("Niets gevonden. Gezocht: " + "; ".join(result.searched) + "."))
    else:
        from mhtool.cli import search_render

        search_render.hits_list(result.hits)
        print(f"{render.count(len(result.hits), 'resultaat')}, beste eerst (score 100 = exact).")
    return ExitCode.OK if result.hits else ExitCode.NOT_FOUND
