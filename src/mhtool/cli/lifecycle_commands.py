"""The case after step 5: `signaal actie`, `signaal actie-klaar`, `signaal uitkomst`, `agenda`
and `normen`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mhtool.cli.app_options import DATE_OPTION, JSON_OPTION, REF_ARG, past_date_or_today
from mhtool.cli.context import state
from mhtool.domain.dates import format_date

if TYPE_CHECKING:
    from mhtool.services.lifecycle import Agenda, NormView


norms_app = typer.Typer(
    help="Normen per stap (doorlooptijd in dagen), vast te stellen door de gemeente.",
    invoke_without_command=True,
    rich_markup_mode=None,
)


def register_signal(signal_app: typer.Typer) -> None:
    """`signaal actie`, `actie-klaar` and `uitkomst`; `agenda` and `normen` are top-level
    commands listed in cli/command_registry.py."""
    signal_app.command("actie")(add_action)
    signal_app.command("actie-klaar")(finish_action)
    signal_app.command("uitkomst")(record_outcome)


def add_action(
    ctx: typer.Context,
    ref: REF_ARG,
    omschrijving: Annotated[str, typer.Argument(help="Wat er moet gebeuren.")],
    voor: Annotated[
        str, typer.Option("--voor", help="Uiterlijke datum (dd-mm-jjjj).", show_default=False)
    ],
    partner: Annotated[
        str | None,
        typer.Option(help="Met of bij welke partner, bijvoorbeeld om, comensha, veilig-thuis."),
    ] = None,
    datum: DATE_OPTION = None,
    ja: Annotated[
        bool,
        typer.Option("--ja", help="Bevestig een uiterlijke datum meer dan een jaar vooruit."),
    ] = False,
    as_json: JSON_OPTION = False,
) -> None:
    """Geef een signaal een vervolgactie (actie/vervolg). Het signaal telt als open tot de actie
    klaar is, ook als het al is afgerond."""
    from mhtool.cli import render
    from mhtool.cli.confirmation import confirm_unusual
    from mhtool.domain.dates import parse_date, unusual_due
    from mhtool.domain.enums import Partner
    from mhtool.domain.signal_input import parse_choice
    from mhtool.services.lifecycle import add_action as add

    due = parse_date(voor, "Datum bij --voor")
    chosen = parse_choice(Partner, partner, "Partner") if partner is not None else None
    on_date = past_date_or_today(datum)
    confirm_unusual(ja, unusual_due(due, "--voor"), "--voor")
    st = state(ctx)
    detail, seq = add(st.store(), ref, omschrijving, due, chosen, on_date, st.user)
    render.signal_outcome(
        detail,
        as_json,
        f"Actie {seq} vastgelegd voor {detail.summary.ref}, uiterlijk {format_date(due)}.",
    )


def finish_action(
    ctx: typer.Context,
    ref: REF_ARG,
    nummer: Annotated[int, typer.Argument(help="Nummer van de actie (zie 'signaal toon').")],
    toelichting: Annotated[str | None, typer.Option(help="Wat eruit kwam.")] = None,
    datum: DATE_OPTION = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Meld een vervolgactie als klaar."""
    from mhtool.cli import render
    from mhtool.services.lifecycle import finish_action as finish

    st = state(ctx)
    detail = finish(
        st.store(),
        ref,
        nummer,
        past_date_or_today(datum),
        toelichting or "",
        st.user,
    )
    still_open = sum(1 for a in detail.actions if a.done_on is None)
    render.signal_outcome(
        detail,
        as_json,
        f"Actie {nummer} van {detail.summary.ref} is klaar; "
        + (f"nog {still_open} open." if still_open else f"status: {detail.summary.status.label}."),
    )


def record_outcome(
    ctx: typer.Context,
    ref: REF_ARG,
    datum: Annotated[
        str | None, typer.Option(help="Wanneer het gebeurde (dd-mm-jjjj); standaard vandaag.")
    ] = None,
    terugkoppeling: Annotated[
        bool, typer.Option("--terugkoppeling", help="De melder heeft terugkoppeling gekregen.")
    ] = False,
    strafrechtelijk: Annotated[
        bool | None,
        typer.Option(
            "--strafrechtelijk/--niet-strafrechtelijk",
            help="Strafrechtelijk opgepakt (jaarcijfers).",
            show_default=False,
        ),
    ] = None,
    opvang: Annotated[
        bool | None,
        typer.Option("--opvang/--geen-opvang", help="Opvang geregeld.", show_default=False),
    ] = None,
    maatregel: Annotated[
        list[str] | None,
        typer.Option(
            help="Bestuurlijke maatregel (herhaalbaar), met --status; zie 'mhtool meldroute'."
        ),
    ] = None,
    status: Annotated[
        str | None, typer.Option(help="Status van de maatregel: overwogen, opgelegd, afgezien.")
    ] = None,
    verwijzing: Annotated[
        str | None,
        typer.Option(help="Doorverwezen naar deze partner (zorgorganisatie, veilig-thuis, ...)."),
    ] = None,
    reden: Annotated[str | None, typer.Option(help="Waarom deze verwijzing.")] = None,
    comensha: Annotated[
        bool, typer.Option("--comensha", help="Geregistreerd bij CoMensha (op --datum).")
    ] = False,
    bedenktijd: Annotated[
        bool,
        typer.Option("--bedenktijd", help="Bedenktijd (B8) gestart op --datum."),
    ] = False,
    tot: Annotated[
        str | None,
        typer.Option(help="Einde van de bedenktijd; standaard de norm (maximaal drie maanden)."),
    ] = None,
    notitie: Annotated[str | None, typer.Option(help="Toelichting.")] = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Leg een uitkomst vast na afronding, zonder te heropenen: terugkoppeling aan de melder,
    strafrechtelijk opgepakt, opvang, bestuurlijke maatregel, verwijzing, CoMensha-registratie
    of bedenktijd (B8)."""
    from mhtool.cli import render
    from mhtool.domain.dates import parse_date
    from mhtool.domain.enums import Measure, MeasureStatus, Partner
    from mhtool.domain.signal_input import parse_choice
    from mhtool.services.lifecycle import OutcomeInput
    from mhtool.services.lifecycle import record_outcome as record

    given = OutcomeInput(
        on_date=past_date_or_today(datum),
        feedback=terugkoppeling,
        criminal_case=strafrechtelijk,
        shelter=opvang,
        measures=tuple(parse_choice(Measure, m, "Maatregel") for m in maatregel or []),
        measure_status=parse_choice(MeasureStatus, status, "Status")
        if status is not None
        else None,
        referral_to=parse_choice(Partner, verwijzing, "Verwijzing")
        if verwijzing is not None
        else None,
        reason=reden or "",
        comensha=comensha,
        reflection_period=bedenktijd,
        reflection_until=parse_date(tot, "Datum bij --tot") if tot is not None else None,
        note=notitie or "",
    )
    st = state(ctx)
    detail = record(st.store(), ref, given, st.user)
    values = {"strafrechtelijk": given.criminal_case, "opvang": given.shelter}
    names = ", ".join(k.label_for(values.get(k.value)) for k in given.kinds)
    render.signal_outcome(
        detail, as_json, f"Uitkomst vastgelegd voor {detail.summary.ref}: {names}."
    )


def agenda(
    ctx: typer.Context,
    gemeente: Annotated[str | None, typer.Option(help="Alleen deze gemeente.")] = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Toon wat nu moet gebeuren, het dringendste eerst.

    Acuut zonder AVIM, vervolgacties over de datum, stappen langer dan de norm, bedenktijden
    (B8) die aflopen, terugkoppeling aan de melder die nog open staat en vervolgacties die
    binnenkort moeten.
    """
    from mhtool.cli import render
    from mhtool.domain.municipalities import resolve_municipality
    from mhtool.services.lifecycle import agenda as build

    municipality = resolve_municipality(gemeente) if gemeente is not None else None
    st = state(ctx)
    found = build(st.store(), st.user, municipality)
    if as_json:
        render.print_json(found.as_json())
        return
    _show_agenda(found)


def _show_agenda(found: Agenda) -> None:
    import datetime as dt

    from rich.table import Table

    from mhtool.cli import render
    from mhtool.domain.lifecycle import AgendaKind

    out = render.console()
    where = f" ({found.municipality})" if found.municipality else ""
    today = dt.date.fromisoformat(found.today)
    if not found.items:
        out.print(render.text(f"Niets op de agenda{where}: niets te laat, niets acuut."))
        return
    out.print(render.text(f"Agenda van {format_date(found.today)}{where}", "bold"))
    for kind in AgendaKind:
        items = [i for i in found.items if i.kind is kind]
        if not items:
            continue
        total = found.totals.get(kind, len(items))
        urgent = kind in (AgendaKind.ACUTE_WITHOUT_AVIM, AgendaKind.ACTION_OVERDUE)
        out.print(render.text(f"{kind.label} ({total})", "bold red" if urgent else "bold"))
        # A grid, so a long line wraps under its own text instead of at the left margin,
        # where it would read as a new item on an 80-column terminal.
        grid = Table.grid(padding=(0, 2, 0, 0))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for item in items:
            late = item.days_late(today)
            when = (
                f"{render.count(late, 'dag')} te laat"
                if late > 0
                else ("vandaag" if late == 0 else f"over {render.count(-late, 'dag')}")
            )
            if kind is AgendaKind.ACUTE_WITHOUT_AVIM:
                when = f"ontvangen {format_date(item.due_on)}"
            elif kind is AgendaKind.B8_ENDING and late > 0:
                when = f"{render.count(late, 'dag')} geleden afgelopen"
            grid.add_row(
                render.text(f"  {item.ref}"),
                render.text(item.municipality),
                render.text(f"{when}: {item.what}"),
            )
        out.print(grid)
        if total > len(items):
            out.print(render.text(f"  … en nog {total - len(items)}."))


@norms_app.callback()
def norms_root(ctx: typer.Context) -> None:
    """Zonder opdracht: toon de normen."""
    if ctx.invoked_subcommand is None:
        show_norms(ctx)


@norms_app.command("toon")
def show_norms(ctx: typer.Context, as_json: JSON_OPTION = False) -> None:
    """Toon de normen en of de gemeente ze heeft vastgesteld."""
    from mhtool.cli import render
    from mhtool.services.lifecycle import show_norms as norms_of

    views = norms_of(state(ctx).store())
    if as_json:
        render.print_json([v.as_json() for v in views])
        return
    _print_norms(views)


def _print_norms(views: list[NormView]) -> None:
    from mhtool.cli import render

    out = render.console()
    for v in views:
        source = (
            f"vastgesteld door {v.set_by} op {render.format_moment(v.set_at)}"
            if v.confirmed
            else "standaardwaarde, nog niet vastgesteld"
        )
        out.print(
            render.text(f"{v.norm.code}: {render.count(v.days, 'dag')} - {v.norm.label} ({source})")
        )
    if not all(v.confirmed for v in views):
        out.print(
            "Let op: standaardwaarden zijn een voorstel; alleen de bedenktijd (maximaal drie "
            "maanden) komt uit het beleidsplan. Stel ze vast met 'mhtool normen zet NORM DAGEN'."
        )


@norms_app.command("zet")
def set_norm(
    ctx: typer.Context,
    norm: Annotated[
        str, typer.Argument(help="De norm, bijvoorbeeld stap-2 (zie 'mhtool normen').")
    ],
    dagen: Annotated[int, typer.Argument(help="Aantal dagen.")],
    as_json: JSON_OPTION = False,
) -> None:
    """Stel één norm vast (in dagen)."""
    from mhtool.cli import render
    from mhtool.domain.lifecycle import parse_norm
    from mhtool.services.lifecycle import set_norm as store_norm

    chosen = parse_norm(norm)
    chosen.check(dagen)
    st = state(ctx)
    view = store_norm(st.store(create=True), chosen, dagen, st.user)
    if as_json:
        render.print_json(view.as_json())
        return
    render.console().print(
        render.text(f"Norm {view.norm.code} is nu {render.count(view.days, 'dag')}.")
    )
