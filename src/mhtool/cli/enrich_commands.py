"""`mhtool signaal verrijk` and `mhtool signaal wijzig`: completing and correcting a signal."""

from __future__ import annotations

from typing import Annotated

import typer

from mhtool.cli.app_options import JSON_OPTION, REF_ARG


def register(signal_app: typer.Typer) -> None:
    signal_app.command("verrijk")(enrich)
    signal_app.command("wijzig")(correct)


def enrich(
    ctx: typer.Context,
    ref: REF_ARG,
    persoon: Annotated[
        list[str] | None,
        typer.Option(help="Persoon (herhaalbaar), zoals bij 'signaal nieuw': 'naam=...; rol=...'."),
    ] = None,
    adres: Annotated[
        list[str] | None,
        typer.Option(help="Adres (herhaalbaar): 'straat=...; nummer=...; postcode=...'."),
    ] = None,
    organisatie: Annotated[
        list[str] | None,
        typer.Option(help="Organisatie (herhaalbaar): 'naam=...; kvk=...; sector=...'."),
    ] = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Voeg personen, adressen of organisaties toe aan een signaal (verrijken)."""
    from mhtool.cli import render
    from mhtool.cli.context import state
    from mhtool.domain.signal_input import parse_address, parse_organisation, parse_person
    from mhtool.services.enrichment import enrich_signal

    st = state(ctx)
    detail = enrich_signal(
        st.store(),
        ref,
        [parse_person(p) for p in persoon or []],
        [parse_address(a) for a in adres or []],
        [parse_organisation(o) for o in organisatie or []],
        st.user,
    )
    render.signal_outcome(
        detail,
        as_json,
        f"Signaal {detail.summary.ref} verrijkt: nu {render.count(len(detail.persons), 'persoon')}, "
        f"{render.count(len(detail.addresses), 'adres')}, "
        f"{render.count(len(detail.organisations), 'organisatie')}.",
    )


def correct(
    ctx: typer.Context,
    ref: REF_ARG,
    reden: Annotated[
        str | None, typer.Option(help="Waarom het wordt gecorrigeerd (verplicht).")
    ] = None,
    datum: Annotated[
        str | None,
        typer.Option(
            help="Juiste ontvangstdatum (dd-mm-jjjj). Het signaalnummer blijft; statistiek en "
            "lijsten volgen de nieuwe datum."
        ),
    ] = None,
    gemeente: Annotated[str | None, typer.Option(help="Juiste gemeente.")] = None,
    melder: Annotated[str | None, typer.Option(help="Juiste naam van de melder.")] = None,
    afdeling: Annotated[str | None, typer.Option(help="Juiste afdeling van de melder.")] = None,
    kanaal: Annotated[str | None, typer.Option(help="Juist kanaal.")] = None,
    vorm: Annotated[
        list[str] | None, typer.Option(help="Juiste vorm(en); vervangt alle vormen (herhaalbaar).")
    ] = None,
    omschrijving: Annotated[str | None, typer.Option(help="Juiste omschrijving.")] = None,
    acuut: Annotated[
        bool | None,
        typer.Option(
            "--acuut/--niet-acuut", help="Was het signaal toch (niet) acuut?", show_default=False
        ),
    ] = None,
    rol: Annotated[
        str | None,
        typer.Option(
            help="Juiste rol van een gekoppelde persoon in dit signaal: 'id=3; rol=dader'."
        ),
    ] = None,
    ja: Annotated[
        bool,
        typer.Option("--ja", help="Bevestig een ontvangstdatum van meer dan een jaar terug."),
    ] = False,
    as_json: JSON_OPTION = False,
) -> None:
    """Corrigeer een fout in een signaal; de oude waarde blijft in de historie staan."""
    from mhtool.cli import render
    from mhtool.cli.context import state
    from mhtool.domain.signal_correction import build_correction
    from mhtool.errors import ValidationError
    from mhtool.services.enrichment import correct_signal

    st = state(ctx)
    if rol is not None:
        from mhtool.domain.signal_input import parse_fields, parse_id
        from mhtool.services.entity_correction import correct_role

        others = (datum, gemeente, melder, afdeling, kanaal, vorm, omschrijving, acuut)
        if any(v is not None for v in others):
            raise ValidationError("Corrigeer --rol apart van de andere velden.")
        fields = parse_fields(rol, "Rol", ("id", "rol"))
        if not fields.get("id") or not fields.get("rol"):
            raise ValidationError("Geef --rol als 'id=3; rol=dader' (id van de persoon en de rol).")
        detail = correct_role(
            st.store(), ref, parse_id(fields["id"], "Persoon"), fields["rol"], reden or "", st.user
        )
        render.signal_outcome(detail, as_json, f"Signaal {detail.summary.ref} gecorrigeerd.")
        return
    correction = build_correction(
        received_on=datum,
        municipality=gemeente,
        reporter=melder,
        reporter_department=afdeling,
        channel=kanaal,
        forms=vorm,
        description=omschrijving,
        acute=acuut,
    )
    if correction.received_on is not None:
        from mhtool.cli.confirmation import confirm_unusual
        from mhtool.domain.dates import unusual_receipt

        confirm_unusual(ja, unusual_receipt(correction.received_on), "--datum")
    detail = correct_signal(st.store(), ref, correction, reden or "", st.user)
    render.signal_outcome(detail, as_json, f"Signaal {detail.summary.ref} gecorrigeerd.")
    if not as_json and detail.summary.acute and not detail.summary.avim_informed_at:
        render.show_avim_route(detail)
