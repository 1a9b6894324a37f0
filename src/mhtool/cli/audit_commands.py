"""`mhtool audit ...`: read the audit log and verify that nobody changed or removed entries."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from mhtool.cli.app_options import JSON_OPTION

if TYPE_CHECKING:
    from mhtool.domain.audit import ChainCheck
from mhtool.cli.context import state

app = typer.Typer(
    help="Het auditlog: wie deed wat, wanneer, met welk signaal of welke persoon.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("toon")
def show(
    ctx: typer.Context,
    van: Annotated[str | None, typer.Option(help="Vanaf deze datum (dd-mm-jjjj).")] = None,
    tot: Annotated[str | None, typer.Option(help="Tot en met deze datum (dd-mm-jjjj).")] = None,
    actie: Annotated[
        str | None,
        typer.Option(
            help="Alleen deze actie, bijvoorbeeld 'signaal.toon', of een groep: 'signaal', "
            "'persoon', 'opschonen'."
        ),
    ] = None,
    signaal: Annotated[
        str | None, typer.Option(help="Alleen regels over dit signaal, bijvoorbeeld MH-2026-0001.")
    ] = None,
    persoon: Annotated[
        int | None, typer.Option(help="Alleen regels over de persoon met dit id.")
    ] = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Toon het auditlog (bekijken wordt zelf ook gelogd)."""
    from mhtool.cli import render
    from mhtool.domain.dates import parse_date
    from mhtool.domain.signal_ref import parse_ref
    from mhtool.errors import ValidationError
    from mhtool.services.audit import AuditFilter, check_period, show_audit_log

    since = parse_date(van, "Datum bij --van") if van is not None else None
    until = parse_date(tot, "Datum bij --tot") if tot is not None else None
    check_period(since, until)
    if signaal is not None and persoon is not None:
        raise ValidationError("Kies --signaal of --persoon, niet allebei.")
    object_type: str | None = None
    object_ids: tuple[str, ...] = ()
    if signaal is not None:
        object_type, object_ids = "signaal", (parse_ref(signaal),)
    elif persoon is not None:
        object_type, object_ids = "persoon", (str(persoon),)
    st = state(ctx)
    found = show_audit_log(
        st.store(),
        st.user,
        AuditFilter(
            since=since,
            until=until,
            action=actie.strip().lower() if actie else None,
            object_type=object_type,
            object_ids=object_ids,
        ),
    )
    if as_json:
        render.print_json([e.as_json() for e in found])
        return
    if not found and actie:
        from mhtool.services.audit import action_suggestion

        guess, groups = action_suggestion(st.store(), actie.strip().lower())
        if guess is not None:
            raise ValidationError(
                f"Actie '{actie.strip()}' komt niet voor in het auditlog; bedoelt u '{guess}'?"
            )
        if groups and actie.strip().lower() not in groups:
            render.console().print(
                render.text(
                    "Geen regels in het auditlog met deze filters. Groepen van acties in het "
                    f"log: {', '.join(groups)}."
                )
            )
            return
    if not found:
        filtered = any(v is not None for v in (van, tot, actie, signaal, persoon))
        render.console().print(
            "Geen regels in het auditlog met deze filters."
            if filtered
            else "Het auditlog is nog leeg."
        )
        return
    # Plain aligned lines that fit 80 columns: the object type is in the action
    # ("signaal.toon"), so only its id shows; details go on an indented line of their own.
    rows = [
        (str(e.id), render.format_moment(e.at), e.by_user, e.action, e.object_id or "–", e.result)
        for e in found
    ]
    header = ("id", "Tijdstip", "Door", "Actie", "Object", "Resultaat")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].rjust(widths[0])
        rest = [c.ljust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return render.safe("  ".join([first, *rest]).rstrip())

    print(line(header))
    print("─" * len(line(header)))
    for entry, row in zip(found, rows, strict=True):
        print(line(row))
        if entry.details:
            details = " ".join(
                f"{_DETAIL_NAMES.get(k, k)}={_detail_value(v)}"
                for k, v in sorted(entry.details.items())
            )
            print(render.safe(" " * (widths[0] + 2) + details))
    render.console().print(f"{render.count(len(found), 'regel')}.")


# The table shows the stored codes in Dutch; `--json` keeps them exactly as stored. Erasure
# counts are keyed by table name, errors by their class.
_DETAIL_NAMES = {
    "person": "personen",
    "address": "adressen",
    "organisation": "organisaties",
    "signal": "signalen",
    "signal_person": "persoonkoppelingen",
    "signal_address": "adreskoppelingen",
    "signal_organisation": "organisatiekoppelingen",
    "signal_form": "vormen",
    "signal_measure": "maatregelen",
    "step_event": "stappen",
    "note": "notities",
    "history": "historie",
}
_DETAIL_VALUES = {
    "validationerror": "ongeldige-invoer",
    "notfounderror": "niet-gevonden",
    "notallowederror": "niet-toegestaan",
    "notcompactederror": "niet-opgeschoond",
    "mhtoolerror": "fout",
}


def _detail_value(value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return _DETAIL_VALUES.get(str(value), str(value))


@app.command("controleer")
def verify(
    ctx: typer.Context,
    volledig: Annotated[
        bool,
        typer.Option(
            "--volledig",
            help="Reken de hele keten na, niet alleen wat er sinds de vorige geslaagde controle "
            "bij is gekomen.",
        ),
    ] = False,
    anker: Annotated[
        str | None,
        typer.Option(
            "--anker",
            help="Controleer ook tegen een eerder gepubliceerd anker (zoals 'mhtool audit anker' "
            "het toont, bijvoorbeeld 1234:9f2c…); rekent altijd de hele keten na.",
            show_default=False,
        ),
    ] = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Controleer de hashketen: is er een regel gewijzigd, verwijderd of het log ingekort?"""
    from mhtool.cli import render
    from mhtool.services.audit import verify_audit_log

    st = state(ctx)
    store = st.store()
    check = verify_audit_log(store, st.user, full=volledig, published=anker)
    if as_json:
        render.print_json(check.as_json())
    _refuse_broken(check, store.on_server)
    if not as_json:
        scope = (
            "de hele keten nagerekend"
            if check.checked_from <= 1
            else f"nagerekend vanaf regel {check.checked_from} (eerder al in orde; --volledig "
            "voor alles)"
        )
        render.console().print(
            render.text(
                f"Het auditlog is in orde: {render.count(check.rows, 'regel')}, de keten is "
                f"ongebroken; {scope}.\n"
                f"Laatste hash: {check.head_hash}"
                + ("\nHet gepubliceerde anker komt in de keten voor." if anker else "")
            )
        )
        render.console().print(
            f"Publiceer af en toe het anker buiten {_this(store.on_server)} ('mhtool audit "
            "anker'); dan valt ook een volledig herschreven keten op."
        )


def _this(on_server: bool) -> str:
    """How the messages name the database: a file, or a database on a server."""
    return "deze database" if on_server else "dit bestand"


def _refuse_broken(check: ChainCheck, on_server: bool) -> None:
    from mhtool.errors import DatabaseError

    if check.first_broken_id is not None:
        keep = "deze database zoals ze is" if on_server else "dit bestand zoals het is"
        raise DatabaseError(
            f"Het auditlog is aangetast vanaf regel {check.first_broken_id}: {check.problem}. "
            f"Bewaar {keep} en meld dit bij de informatiebeveiliging."
        )
    if not check.triggers_present:
        # On a server a trigger can also be switched off (ALTER TABLE ... DISABLE TRIGGER).
        gone = (
            "in de database uitgeschakeld of verwijderd"
            if on_server
            else ("uit het bestand verwijderd")
        )
        raise DatabaseError(
            f"De beveiliging van het auditlog (alleen toevoegen) is {gone}, al is de keten "
            "zelf intact; meld dit bij de informatiebeveiliging."
        )


@app.command("anker")
def anchor(ctx: typer.Context, as_json: JSON_OPTION = False) -> None:
    """Toon het anker (aantal regels en laatste hash) om buiten de database te bewaren."""
    from mhtool.cli import render
    from mhtool.services.audit import audit_anchor

    st = state(ctx)
    store = st.store()
    check, point = audit_anchor(store, st.user)
    _refuse_broken(check, store.on_server)
    assert point is not None
    if as_json:
        render.print_json({"regels": point.length, "hash": point.hash, "anker": point.text()})
        return
    print(point.text())
    sys.stderr.write(
        f"Bewaar dit anker buiten {_this(store.on_server)} (bijvoorbeeld in het zaaksysteem of "
        "een mail aan de informatiebeveiliging). Later: 'mhtool audit controleer --anker ANKER' laat zien of "
        "het log sindsdien is ingekort of herschreven.\n"
    )
