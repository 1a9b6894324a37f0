"""`mhtool bewaartermijn ...` and `mhtool opschonen`: how long closed signals are kept, and
destroying them once that term has passed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mhtool.cli.app_options import JSON_OPTION
from mhtool.cli.confirmation import YES_OPTION, confirm_irreversible
from mhtool.cli.context import state

if TYPE_CHECKING:
    from mhtool.domain.retention import DueSignal

terms_app = typer.Typer(
    help="Bewaartermijnen per conclusie (vastgesteld door de archivaris van de gemeente).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@terms_app.command("toon")
def show_terms(ctx: typer.Context, as_json: JSON_OPTION = False) -> None:
    """Toon de bewaartermijn per conclusie en of de archivaris die heeft vastgesteld."""
    from mhtool.cli import render
    from mhtool.services.retention import show_terms as terms_of

    terms = terms_of(state(ctx).store())
    if as_json:
        render.print_json([t.as_json() for t in terms])
        return
    out = render.console()
    for t in terms:
        source = (
            f"vastgesteld door {t.set_by} op {render.format_moment(t.set_at)}"
            if t.confirmed
            else "standaardwaarde, nog niet vastgesteld door de archivaris"
        )
        out.print(render.text(f"{t.conclusion.label}: {t.years} jaar na afronding ({source})"))
    out.print(
        "Een vervallen signaal krijgt de termijn van 'geen mensenhandel', gerekend vanaf de dag "
        "dat het vervallen is."
    )
    if not all(t.confirmed for t in terms):
        out.print(
            "Let op: standaardwaarden zijn een voorstel. Laat de archivaris de termijnen "
            "vaststellen en leg ze vast met 'mhtool bewaartermijn zet'."
        )


@terms_app.command("zet")
def set_term(
    ctx: typer.Context,
    conclusie: Annotated[
        str, typer.Option(help="De conclusie: geen, verder-onderzoek of duiding.")
    ],
    jaren: Annotated[int, typer.Option(help="Aantal jaren na afronding (1-100).")],
    as_json: JSON_OPTION = False,
) -> None:
    """Leg de bewaartermijn voor één conclusie vast; afgeronde signalen krijgen een nieuwe
    vernietigingsdatum (bij 'geen' ook vervallen signalen)."""
    from mhtool.cli import render
    from mhtool.domain.enums import Conclusion
    from mhtool.domain.signal_input import parse_choice
    from mhtool.services.retention import set_term as store_term

    st = state(ctx)
    term = store_term(
        st.store(create=True), parse_choice(Conclusion, conclusie, "Conclusie"), jaren, st.user
    )
    if as_json:
        render.print_json(term.as_json())
        return
    render.console().print(
        render.text(f"Bewaartermijn voor '{term.conclusion.label}' is nu {term.years} jaar.")
    )


def purge(
    ctx: typer.Context,
    proef: Annotated[
        bool, typer.Option("--proef", help="Toon alleen wat zou verdwijnen; verwijder niets.")
    ] = False,
    ja: YES_OPTION = False,
    as_json: JSON_OPTION = False,
) -> None:
    """Vernietig afgeronde en vervallen signalen waarvan de bewaartermijn voorbij is, met alles
    wat alleen bij die signalen hoort."""
    from mhtool.cli import render
    from mhtool.services.retention import finish_compaction, preview_purge
    from mhtool.services.retention import purge as destroy

    st = state(ctx)
    store = st.store()
    preview = preview_purge(store, st.user)
    out = render.console()
    if not proef and not preview.signals:
        finish_compaction(store)
    if proef or not preview.signals:
        if as_json:
            render.print_json(preview.as_json())
            return
        if preview.signals:
            _print_due(preview.signals)
            out.print(
                f"{render.count(len(preview.signals), 'signaal')} "
                f"{'zou' if len(preview.signals) == 1 else 'zouden'} worden vernietigd. "
                "Er is niets verwijderd (--proef)."
            )
        else:
            out.print("Er zijn geen signalen die nu vernietigd kunnen worden.")
        _print_waiting(preview.waiting)
        _print_held(preview.held)
        return
    confirm_irreversible(
        ja,
        "Dit signaal definitief vernietigen?"
        if len(preview.signals) == 1
        else f"Deze {render.count(len(preview.signals), 'signaal')} definitief vernietigen?",
        f"{render.count(len(preview.signals), 'signaal')} "
        f"{'kan' if len(preview.signals) == 1 else 'kunnen'} worden vernietigd; bevestig met --ja, "
        "of start 'mhtool opschonen' in een terminal. Bekijk eerst de lijst met --proef.",
        before_asking=lambda: _print_due(preview.signals),
    )
    report = destroy(store, st.user, only=frozenset(s.ref for s in preview.signals))
    if as_json:
        render.print_json(report.as_json())
        return
    out.print(
        render.text(
            f"{render.count(len(report.signals), 'signaal')} vernietigd: "
            + ", ".join(s.ref for s in report.signals)
            + ". Vastgelegd in het auditlog."
        )
    )
    _print_waiting(report.waiting)
    _print_held(report.held)


def _print_held(held: tuple[DueSignal, ...]) -> None:
    """Signals past their term with an open follow-up action are open work: kept for now."""
    if not held:
        return
    from mhtool.cli import render

    render.console().print(
        render.text(
            f"{render.count(len(held), 'signaal')} ("
            + ", ".join(s.ref for s in held)
            + (") heeft" if len(held) == 1 else ") hebben")
            + " een open vervolgactie en "
            + ("blijft" if len(held) == 1 else "blijven")
            + " bewaard tot die klaar is ('mhtool signaal actie-klaar')."
        )
    )


def _print_waiting(waiting: tuple[DueSignal, ...]) -> None:
    """Signals past a placeholder term are kept until the archivist confirms that term."""
    if not waiting:
        return
    from mhtool.cli import render

    one = len(waiting) == 1
    render.console().print(
        render.text(
            f"{render.count(len(waiting), 'signaal')} ("
            + ", ".join(s.ref for s in waiting)
            + f") {'is' if one else 'zijn'} over een bewaartermijn die de archivaris nog niet "
            f"heeft vastgesteld; {'dat blijft' if one else 'die blijven'} bewaard. Zie 'mhtool "
            "bewaartermijn toon'."
        )
    )


def _print_due(signals: tuple[DueSignal, ...]) -> None:
    from mhtool.cli import render
    from mhtool.domain.dates import format_date

    table = render.compact_table()
    for column in ("Signaal", "Afgerond of vervallen", "Vernietigingsdatum"):
        table.add_column(column)
    for s in signals:
        table.add_row(
            render.text(s.ref),
            render.text(
                f"vervallen {format_date(s.annulled_on)}"
                if s.annulled_on
                else format_date(s.closed_on)
            ),
            render.text(format_date(s.destroy_on)),
        )
    render.console().print(table)
