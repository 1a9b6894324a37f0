"""`mhtool signaal vervallen`: annul a signal registered by mistake, or undo that."""

from __future__ import annotations

from typing import Annotated

import typer

from mhtool.cli.app_options import JSON_OPTION, REF_ARG
from mhtool.cli.context import state


def register(signal_app: typer.Typer) -> None:
    signal_app.command("vervallen")(annul)


def annul(
    ctx: typer.Context,
    ref: REF_ARG,
    reden: Annotated[
        str | None,
        typer.Option(help="Waarom het signaal vervalt of wordt hersteld (verplicht)."),
    ] = None,
    herstel: Annotated[
        bool,
        typer.Option("--herstel", help="Maak het vervallen ongedaan: het signaal telt weer mee."),
    ] = False,
    as_json: JSON_OPTION = False,
) -> None:
    """Verklaar een per vergissing vastgelegd signaal vervallen (of herstel het met --herstel).

    Een vervallen signaal blijft met de hele historie in de database en het nummer wordt nooit
    opnieuw uitgegeven. Het telt niet mee in lijsten, statistiek en het weekrapport, en kan
    niet wijzigen tot het is hersteld. Het krijgt de bewaartermijn van 'geen mensenhandel',
    gerekend vanaf de dag van vervallen; daarna verdwijnt het met 'mhtool opschonen'.
    """
    from mhtool.cli import render
    from mhtool.cli.signal_commands import asked
    from mhtool.services.annulment import annul_signal, restore_signal

    st = state(ctx)
    reason = asked(reden, "Reden:")
    if herstel:
        detail = restore_signal(st.store(), ref, reason, st.user)
        message = f"Signaal {detail.summary.ref} is hersteld en telt weer mee."
    else:
        detail = annul_signal(st.store(), ref, reason, st.user)
        from mhtool.domain.dates import format_date

        message = (
            f"Signaal {detail.summary.ref} is vervallen; het blijft in de database maar telt "
            "niet meer mee, en wordt vernietigd na "
            f"{format_date(detail.summary.destroy_on)} (bewaartermijn 'geen mensenhandel'). "
            f"Herstellen: mhtool signaal vervallen {detail.summary.ref} --herstel --reden ..."
        )
    render.signal_outcome(detail, as_json, message)
