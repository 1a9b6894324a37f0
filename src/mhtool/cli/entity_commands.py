"""`mhtool persoon|adres|organisatie toon ID`: one person, address or organisation across all
signals. `person_app` is shared: other commands about persons (inzage, verwijder) join it."""

from __future__ import annotations

import typer

from mhtool.cli import entity_correction_commands, person_rights_commands
from mhtool.cli.app_options import ID_ARG, JSON_OPTION
from mhtool.cli.context import state

person_app = typer.Typer(
    help="Personen: alles wat over één persoon bekend is.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
address_app = typer.Typer(
    help="Adressen: alles wat over één adres bekend is.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
organisation_app = typer.Typer(
    help="Organisaties: alles wat over één organisatie bekend is.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _show(ctx: typer.Context, entity: str, entity_id: str, as_json: bool) -> None:
    from mhtool.cli import render, search_render
    from mhtool.domain.signal_input import parse_id
    from mhtool.services.timelines import entity_timeline

    st = state(ctx)
    what = {"person": "Persoon", "address": "Adres", "organisation": "Organisatie"}[entity]
    number = parse_id(entity_id, what)
    timeline = entity_timeline(st.store(), entity, number, st.user)
    if as_json:
        render.print_json(timeline.as_json())
    else:
        search_render.timeline(timeline)


@person_app.command("toon")
def show_person(ctx: typer.Context, id_: ID_ARG, as_json: JSON_OPTION = False) -> None:
    """Toon een persoon met alle signalen waarin die voorkomt, als tijdlijn."""
    _show(ctx, "person", id_, as_json)


@address_app.command("toon")
def show_address(ctx: typer.Context, id_: ID_ARG, as_json: JSON_OPTION = False) -> None:
    """Toon een adres met alle signalen waarin het voorkomt, als tijdlijn."""
    _show(ctx, "address", id_, as_json)


@organisation_app.command("toon")
def show_organisation(ctx: typer.Context, id_: ID_ARG, as_json: JSON_OPTION = False) -> None:
    """Toon een organisatie met alle signalen waarin die voorkomt, als tijdlijn."""
    _show(ctx, "organisation", id_, as_json)


# inzage and verwijder (the AVG rights) live in their own module but belong to `persoon`.
person_rights_commands.register(person_app)
# wijzig (corrections) too, for persons, addresses and organisations alike.
entity_correction_commands.register(person_app, address_app, organisation_app)
