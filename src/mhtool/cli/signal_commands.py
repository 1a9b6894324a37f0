"""`mhtool signaal ...`: log a signal, show and list them, and move them along the meldroute."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from mhtool.cli import annulment_commands, enrich_commands, lifecycle_commands
from mhtool.cli.app_options import DATE_OPTION, JSON_OPTION, REF_ARG, past_date_or_today
from mhtool.cli.context import state

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import TextIO

    from mhtool.domain.meldroute import StepInput
    from mhtool.domain.signal_input import NewSignal
    from mhtool.services.earlier_records import EntityCheck
    from mhtool.services.signals import SignalListing
    from mhtool.store.connection import Store

app = typer.Typer(
    help="Signalen vastleggen, bekijken en door de meldroute bewegen.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def interactive() -> bool:
    """Forms only where a person sits at a real terminal; scripts and CI get flag errors."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def asked(value: str | None, question: str) -> str:
    """A missing required text is asked for at a terminal; a script gets the service's error."""
    if value is None and interactive():
        from mhtool.cli.prompts import ask_text

        return ask_text(question, required=True)
    return value or ""


@app.command("nieuw")
def new(
    ctx: typer.Context,
    datum: Annotated[
        str | None, typer.Option("--datum", help="Ontvangstdatum (dd-mm-jjjj); standaard vandaag.")
    ] = None,
    gemeente: Annotated[
        str | None, typer.Option(help="Gemeente, bijvoorbeeld 'Dijk en Waard'.")
    ] = None,
    melder: Annotated[str | None, typer.Option(help="Naam van de melder.")] = None,
    afdeling: Annotated[
        str | None, typer.Option(help="Afdeling of organisatie van de melder.")
    ] = None,
    kanaal: Annotated[
        str | None,
        typer.Option(
            help="Hoe het signaal binnenkwam: mail, meldpunt, persoonlijk, telefoon, ketenpartner."
        ),
    ] = None,
    vorm: Annotated[
        list[str] | None,
        typer.Option(
            help="Vorm van uitbuiting (herhaalbaar): seksueel, arbeid, crimineel, "
            "orgaanverwijdering, onbekend."
        ),
    ] = None,
    acuut: Annotated[
        bool | None,
        typer.Option("--acuut/--niet-acuut", help="Is er acuut gevaar?", show_default=False),
    ] = None,
    omschrijving: Annotated[str | None, typer.Option(help="Wat is er gesignaleerd?")] = None,
    persoon: Annotated[
        list[str] | None,
        typer.Option(
            help="Persoon (herhaalbaar): 'naam=...; rol=slachtoffer|dader|betrokkene; "
            "geboren=dd-mm-jjjj of jjjj; nationaliteit=...'. Met 'id=N' koppelt u een bekende persoon."
        ),
    ] = None,
    adres: Annotated[
        list[str] | None,
        typer.Option(
            help="Adres (herhaalbaar): 'straat=...; nummer=12a; postcode=1701AB; plaats=...'. "
            "Met 'id=N' koppelt u een bekend adres."
        ),
    ] = None,
    organisatie: Annotated[
        list[str] | None,
        typer.Option(
            help="Organisatie (herhaalbaar): 'naam=...; kvk=12345678; sector=agrarisch'. "
            "Met 'id=N' koppelt u een bekende organisatie."
        ),
    ] = None,
    avim: Annotated[
        str | None,
        typer.Option(
            "--avim-geinformeerd",
            help="Bij acuut: wanneer AVIM is ingeschakeld ('dd-mm-jjjj uu:mm' of 'nu').",
        ),
    ] = None,
    koppel_bestaande: Annotated[
        bool,
        typer.Option(
            "--koppel-bestaande",
            help="Koppel personen, adressen en organisaties automatisch aan een exacte eerdere "
            "registratie (zelfde postcode en huisnummer, zelfde KvK-nummer, zelfde naam en "
            "geboortedatum) in plaats van een dubbele aan te maken.",
        ),
    ] = False,
    ja: Annotated[
        bool,
        typer.Option(
            "--ja", help="Bevestig een ongebruikelijke ontvangstdatum (meer dan een jaar terug)."
        ),
    ] = False,
    as_json: JSON_OPTION = False,
) -> None:
    """Leg een nieuw signaal vast (stap 1). Zonder opties in een terminal: een formulier.

    Vóór het opslaan zoekt mhtool eerdere registraties van de opgegeven personen, adressen en
    organisaties en meldt die (op stderr); in het formulier kunt u direct koppelen.
    """
    from mhtool.cli import render
    from mhtool.domain.signal_input import (
        build_signal,
        parse_address,
        parse_moment,
        parse_organisation,
        parse_person,
    )
    from mhtool.services.signals import log_signal

    st = state(ctx)
    new_passphrase: str | None = None
    required_missing = gemeente is None or melder is None or omschrijving is None or kanaal is None
    if required_missing and interactive():
        from mhtool.cli.prompts import signal_form
        from mhtool.domain.municipalities import resolve_municipality
        from mhtool.services.earlier_records import check_input
        from mhtool.services.signals import check_recordable, recordable_municipalities

        # The form looks up earlier records as you type, in an existing file only: a form
        # broken off with Ctrl-C must not leave a new, empty database behind.
        allowed: frozenset[str] | None = None
        if st.server() is not None:
            server_store = st.store()  # a server database always exists
            earlier: Store | None = server_store
            allowed = recordable_municipalities(server_store, st.user)
            if gemeente is not None:
                check_recordable(allowed, resolve_municipality(gemeente))
        else:
            path, source = st.database_path()
            earlier = st.store() if path.exists() else None
        if earlier is None:
            from mhtool.cli.first_run import offer_encryption

            new_passphrase = offer_encryption(path, source)

        new_signal = signal_form(
            received_on=datum,
            municipality=gemeente,
            reporter=melder,
            department=afdeling,
            channel=kanaal,
            forms=vorm,
            acute=acuut,
            description=omschrijving,
            persons=[parse_person(p) for p in persoon or []],
            addresses=[parse_address(a) for a in adres or []],
            organisations=[parse_organisation(o) for o in organisatie or []],
            lookup=(lambda item: check_input(earlier, item).hits) if earlier else None,
            unusual_date_confirmed=ja,
            municipalities=allowed,
        )
        store = st.store(create=True, new_passphrase=new_passphrase)
    else:
        _require_flags(
            {
                "--gemeente": gemeente,
                "--melder": melder,
                "--kanaal": kanaal,
                "--omschrijving": omschrijving,
            }
        )
        new_signal = build_signal(
            received_on="vandaag" if datum is None else datum,
            municipality=gemeente or "",
            reporter=melder or "",
            reporter_department=afdeling or "",
            channel=kanaal or "",
            forms=vorm or [],
            acute=bool(acuut),
            description=omschrijving or "",
            persons=[parse_person(p) for p in persoon or []],
            addresses=[parse_address(a) for a in adres or []],
            organisations=[parse_organisation(o) for o in organisatie or []],
            avim_informed_at=parse_moment(avim, "AVIM geïnformeerd") if avim is not None else None,
        )
        from mhtool.cli.confirmation import confirm_unusual
        from mhtool.domain.dates import unusual_receipt

        confirm_unusual(ja, unusual_receipt(new_signal.received_on), "--datum")
        # Only valid input opens (and on first use creates) the database.
        if st.server() is None:
            path, source = st.database_path()
            if not path.exists() and interactive():
                from mhtool.cli.first_run import offer_encryption

                new_passphrase = offer_encryption(path, source)
        store = st.store(create=True, new_passphrase=new_passphrase)
        new_signal = _earlier_records_notice(store, new_signal, koppel_bestaande)
    detail = log_signal(store, new_signal, st.user)
    render.signal_outcome(
        detail,
        as_json,
        f"Signaal {detail.summary.ref} vastgelegd (stap 1 ontvangst).",
        "bold green",
    )
    if as_json:
        if detail.summary.acute and not detail.summary.avim_informed_at:
            # A script's stdout is JSON only; the person running it still sees the route.
            render.error_console().print(
                render.text(
                    f"ACUUT: schakel direct AVIM (politie) in en leg het vast met "
                    f"'mhtool signaal avim {detail.summary.ref}'.",
                    "bold red",
                )
            )
        return
    if detail.summary.acute:
        render.show_avim_route(detail)
    render.console().print(
        render.text(f"Volgende stap: mhtool signaal stap {detail.summary.ref} --controle '...'")
    )


def _earlier_records_notice(store: Store, new_signal: NewSignal, link: bool) -> NewSignal:
    """Show earlier matches on stderr (stdout stays clean for --json); with --koppel-bestaande
    link each item to its single exact match."""
    from mhtool.cli import render, search_render
    from mhtool.services.earlier_records import check_new_signal, link_exact_matches

    checks = check_new_signal(store, new_signal)
    linked_checks = []
    EXISTING = {
        "person": "bestaande persoon",
        "address": "bestaand adres",
        "organisation": "bestaande organisatie",
    }
    if link:
        new_signal, linked = link_exact_matches(new_signal, checks)
        for check, target in linked:
            linked_checks.append(check)
            render.error_console().print(
                render.text(
                    f"Gekoppeld aan {EXISTING[check.kind]} {target} ({check.searched}).",
                    "bold",
                )
            )
    remaining = [c for c in checks if c not in linked_checks]
    if search_render.checks_notice(remaining, stderr=True):
        advice = (
            "Geen daarvan is exact (zelfde postcode en huisnummer, KvK-nummer, of naam met "
            "volledige geboortedatum), dus er is niet gekoppeld"
            if link
            else "Koppelen aan een exacte overeenkomst kan met --koppel-bestaande"
        )
        render.error_console().print(
            render.text(
                f"Het signaal wordt opgeslagen met nieuwe registraties. {advice}; zelf koppelen "
                "kan met 'id=N' in --persoon/--adres/--organisatie."
            )
        )
    return new_signal


def _show_step2_check(checks: list[EntityCheck] | None, given: StepInput) -> StepInput:
    """Before the officer writes the step-2 conclusion, show what the automatic check finds;
    with nothing found the conclusion is filled in and not asked."""
    import dataclasses

    from mhtool.cli import render, search_render
    from mhtool.services.earlier_records import NO_EARLIER_RECORDS

    if checks is None:
        return given
    if search_render.checks_notice(checks, stderr=False) == 0:
        render.console().print(render.text("Automatische controle: " + NO_EARLIER_RECORDS + "."))
        if not given.check_outcome.strip():
            return dataclasses.replace(given, check_outcome=NO_EARLIER_RECORDS)
    return given


def _require_flags(values: dict[str, str | None]) -> None:
    from mhtool.errors import ValidationError

    missing = [flag for flag, value in values.items() if value is None]
    if missing:
        raise ValidationError(
            "Niet alles is ingevuld: geef " + ", ".join(missing) + " op, of start "
            "'mhtool signaal nieuw' in een terminal voor het formulier."
        )


@app.command("toon")
def show(ctx: typer.Context, ref: REF_ARG, as_json: JSON_OPTION = False) -> None:
    """Toon alles over één signaal, met het volledige verloop en de historie."""
    from mhtool.cli import render
    from mhtool.services.signals import show_signal

    st = state(ctx)
    detail = show_signal(st.store(), ref, st.user)
    if as_json:
        render.print_json(detail.as_json())
    else:
        render.signal_detail(detail)
        if detail.summary.acute and not detail.summary.avim_informed_at:
            render.show_avim_route(detail)


@app.command("lijst")
def list_(
    ctx: typer.Context,
    stap: Annotated[
        int | None, typer.Option(min=1, max=5, help="Alleen signalen in deze stap (1-5).")
    ] = None,
    gemeente: Annotated[str | None, typer.Option(help="Alleen deze gemeente.")] = None,
    vorm: Annotated[str | None, typer.Option(help="Alleen deze vorm van uitbuiting.")] = None,
    jaar: Annotated[
        int | None, typer.Option(min=1900, max=2999, help="Alleen signalen ontvangen in dit jaar.")
    ] = None,
    open_: Annotated[
        bool, typer.Option("--open", help="Alleen signalen die nog niet zijn afgerond.")
    ] = False,
    afgerond: Annotated[
        bool, typer.Option("--afgerond", help="Alleen afgeronde signalen.")
    ] = False,
    acuut: Annotated[bool, typer.Option("--acuut", help="Alleen acute signalen.")] = False,
    met_vervallen: Annotated[
        bool,
        typer.Option(
            "--met-vervallen", help="Toon ook vervallen signalen (gemarkeerd als VERVALLEN)."
        ),
    ] = False,
    limiet: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Toon hoogstens zoveel signalen (standaard 50 in de tabel; --json en --csv "
            "geven zonder --limiet alles).",
            show_default=False,
        ),
    ] = None,
    pagina: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Toon deze pagina van --limiet signalen (1 = de eerste).",
            show_default=False,
        ),
    ] = None,
    alles: Annotated[bool, typer.Option("--alles", help="Toon alle signalen.")] = False,
    as_json: JSON_OPTION = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Uitvoer als CSV (puntkomma's) voor een rekenblad.")
    ] = False,
) -> None:
    """Toon signalen, met het aantal dagen in de huidige stap.

    Open signalen eerst, die het langst in hun stap staan bovenaan; daarna afgeronde signalen,
    de laatst afgeronde eerst. De tabel toont er standaard 50, met het totaal eronder.
    """
    from mhtool.cli import list_output, render
    from mhtool.domain.enums import Form
    from mhtool.domain.municipalities import resolve_municipality
    from mhtool.domain.signal_input import parse_choice
    from mhtool.errors import ValidationError
    from mhtool.services.signals import DEFAULT_LIST_LIMIT, SignalFilter, listed_signals

    if as_json and as_csv:
        raise ValidationError("Kies --json of --csv, niet allebei.")
    if alles and (limiet is not None or pagina is not None):
        raise ValidationError("Kies --alles of --limiet/--pagina, niet allebei.")
    filters = SignalFilter(
        step=stap,
        municipality=resolve_municipality(gemeente) if gemeente is not None else None,
        form=parse_choice(Form, vorm, "Vorm").value if vorm is not None else None,
        year=jaar,
        open_only=open_,
        closed_only=afgerond,
        acute_only=acuut,
        with_annulled=met_vervallen,
    )
    machine = as_json or as_csv
    # Scripts get everything unless they ask for a page; a person gets one screenful.
    limit: int | None = DEFAULT_LIST_LIMIT
    if alles or (machine and limiet is None and pagina is None):
        limit = None
    elif limiet is not None:
        limit = limiet
    st = state(ctx)
    with listed_signals(st.store(), filters, st.user, page=pagina or 1, limit=limit) as listing:
        if as_json:
            lines = 16 * listing.expected
        elif as_csv:
            lines = listing.expected + 1
        else:
            lines = listing.expected + 5

        def write() -> None:
            with list_output.paged(lines) as out:
                if as_json:
                    list_output.write_json_array(out, (s.as_json() for s in listing.rows))
                elif as_csv:
                    list_output.write_csv(out, (s.as_json() for s in listing.rows))
                else:
                    _write_signal_table(out, listing, filters.used(), render.count)

        list_output.stop_quietly_on_closed_pipe(write)


def _write_signal_table(
    out: TextIO, listing: SignalListing, filtered: bool, count: Callable[[int, str], str]
) -> None:
    """The list as plain columns (codes instead of long labels, to fit 80 columns), the legend,
    and how many were shown out of how many."""
    import datetime as dt

    from mhtool.cli import list_output
    from mhtool.cli.list_output import Cell, Column
    from mhtool.cli.render import step_short
    from mhtool.domain.dates import format_date
    from mhtool.domain.enums import Step

    if listing.total == 0:
        out.write(
            "Geen signalen gevonden met deze filters.\n"
            if filtered
            else "Er zijn nog geen signalen (vervallen signalen toont --met-vervallen); leg er "
            "een vast met 'mhtool signaal nieuw'.\n"
        )
        return
    if listing.expected == 0:
        pages = -(-listing.total // (listing.limit or 1))
        out.write(
            f"Deze pagina is leeg: er {'is' if listing.total == 1 else 'zijn'} "
            f"{list_output.thousands(listing.total)} "
            f"{'signaal' if listing.total == 1 else 'signalen'}, "
            f"dat is {pages} {'pagina' if pages == 1 else 'pagina’s'} van {listing.limit}.\n"
        )
        return
    today = dt.date.today()
    waiting_for_avim = False

    def rows() -> Iterator[list[Cell]]:
        nonlocal waiting_for_avim
        for s in listing.rows:
            alert = s.acute and not s.avim_informed_at
            waiting_for_avim = waiting_for_avim or alert
            acute = ("ja ✓" if s.avim_informed_at else "ja !") if s.acute else "nee"
            yield [
                Cell(s.ref),
                Cell(format_date(s.received_on)),
                Cell(s.municipality),
                Cell(", ".join(s.forms)),
                Cell(acute, alert),
                Cell("VERVALLEN", True)
                if s.annulled
                else Cell(step_short(s.step, s.conclusion, s.open_actions)),
                Cell("" if s.step is Step.CLOSED or s.annulled else str(s.days_in_step(today))),
            ]

    colour = list_output.colour_wanted(out)
    columns = [Column(t) for t in ("Signaal", "Ontvangen", "Gemeente", "Vorm", "Acuut", "Stap")]
    list_output.write_table(out, [*columns, Column("Dagen", right=True)], rows(), colour)
    out.write("Dagen = dagen in de huidige stap; ✓ = AVIM ingeschakeld.\n")
    if waiting_for_avim:
        note = "! = acuut en AVIM nog niet ingeschakeld."
        out.write(f"\x1b[1;31m{note}\x1b[0m\n" if colour else note + "\n")
    out.write(_shown_line(listing, count) + "\n")


def _shown_line(listing: SignalListing, count: Callable[[int, str], str]) -> str:
    """'3 signalen.' when everything is shown; otherwise which part, and how to see more."""
    from mhtool.cli.list_output import thousands

    shown, total = listing.shown, listing.total
    if shown == total:
        return f"{count(total, 'signaal')}."
    first, last = listing.offset + 1, listing.offset + shown
    more = "--alles of --limiet N voor meer"
    where = (
        f"{thousands(shown)} van {thousands(total)} {'signaal' if total == 1 else 'signalen'}"
        if first == 1
        else f"Signalen {thousands(first)}-{thousands(last)} van {thousands(total)}"
    )
    if last >= total:
        return f"{where} (de laatste)."
    page = listing.offset // (listing.limit or 1) + 2
    return f"{where}; --pagina {page} voor de volgende {listing.limit}, {more}."


@app.command("stap")
def step(
    ctx: typer.Context,
    ref: REF_ARG,
    naar: Annotated[
        int | None,
        typer.Option(
            min=1, max=5, help="Doelstap; standaard de volgende. Overslaan of terug vraagt --reden."
        ),
    ] = None,
    datum: Annotated[
        str | None, typer.Option(help="Datum van deze stap (dd-mm-jjjj); standaard vandaag.")
    ] = None,
    notitie: Annotated[str | None, typer.Option(help="Toelichting bij deze stap.")] = None,
    reden: Annotated[
        str | None, typer.Option(help="Reden, verplicht bij overslaan of teruggaan.")
    ] = None,
    controle: Annotated[
        str | None,
        typer.Option(
            help="Stap 2: uitkomst van de controle op eerdere registraties (persoon, organisatie, adres)."
        ),
    ] = None,
    partner: Annotated[
        list[str] | None,
        typer.Option(
            help="Stap 3/4: met wie besproken (herhaalbaar): oe-wijk, zorgcoordinator, riec, querido, "
            "avim, veilig-thuis, nla, zvh, om, comensha, fairwork, nidos, ... (zie 'mhtool "
            "meldroute')."
        ),
    ] = None,
    conclusie: Annotated[
        str | None, typer.Option(help="Stap 5: geen, verder-onderzoek of duiding.")
    ] = None,
    terugkoppeling: Annotated[
        bool | None,
        typer.Option(
            "--terugkoppeling/--geen-terugkoppeling",
            help="Stap 5: is er terugkoppeling aan de melder gegeven?",
            show_default=False,
        ),
    ] = None,
    terugkoppeling_datum: Annotated[
        str | None,
        typer.Option("--terugkoppeling-datum", help="Stap 5: datum van de terugkoppeling."),
    ] = None,
    strafrechtelijk: Annotated[
        bool | None,
        typer.Option(
            "--strafrechtelijk/--niet-strafrechtelijk",
            help="Stap 5: strafrechtelijk opgepakt (jaarcijfers)?",
            show_default=False,
        ),
    ] = None,
    opvang: Annotated[
        bool | None,
        typer.Option(
            "--opvang/--geen-opvang",
            help="Stap 5: opvang voor slachtoffer geregeld?",
            show_default=False,
        ),
    ] = None,
    maatregel: Annotated[
        list[str] | None,
        typer.Option(
            help="Stap 5: bestuurlijke maatregel (herhaalbaar): apv, gemeentewet-172, wet-victoria, "
            "woningwet-17, wet-victor, bibob, omgevingsplan, goed-verhuurderschap, ... (zie "
            "'mhtool meldroute')."
        ),
    ] = None,
    actie: Annotated[
        str | None,
        typer.Option(
            help="Stap 5: vervolgactie (actie/vervolg). Bij --conclusie verder-onderzoek maakt "
            "mhtool er zelf een als u deze weglaat."
        ),
    ] = None,
    actie_voor: Annotated[
        str | None,
        typer.Option(
            "--actie-voor", help="Stap 5: uiterlijke datum van de actie; standaard de norm."
        ),
    ] = None,
    actie_partner: Annotated[
        str | None, typer.Option("--actie-partner", help="Stap 5: partner bij de actie.")
    ] = None,
    geen_avim: Annotated[
        str | None,
        typer.Option(
            "--geen-avim",
            help="Stap 5, acuut signaal zonder AVIM-tijdstip: waarom AVIM niet is ingeschakeld.",
        ),
    ] = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Zet een signaal door naar de volgende stap van de meldroute en leg vast wat die stap vraagt."""
    from mhtool.cli import render
    from mhtool.domain.dates import format_date, parse_date, parse_past_date
    from mhtool.domain.enums import Conclusion, Measure, Partner, Step
    from mhtool.domain.meldroute import StepInput
    from mhtool.domain.signal_input import parse_choice
    from mhtool.services.signals import advance_signal, prepare_step

    st = state(ctx)
    store = st.store()
    on_date = past_date_or_today(datum)
    given = StepInput(
        on_date=on_date,
        target=Step(naar) if naar is not None else None,
        note=notitie or "",
        reason=reden or "",
        check_outcome=controle or "",
        partners=tuple(parse_choice(Partner, p, "Partner") for p in partner or []),
        conclusion=parse_choice(Conclusion, conclusie, "Conclusie")
        if conclusie is not None
        else None,
        feedback_given=terugkoppeling,
        feedback_on=(
            parse_past_date(terugkoppeling_datum, "Datum terugkoppeling")
            if terugkoppeling_datum is not None
            else None
        ),
        criminal_case=strafrechtelijk,
        shelter_arranged=opvang,
        measures=tuple(parse_choice(Measure, m, "Maatregel") for m in maatregel or []),
        follow_up=actie or "",
        follow_up_due=parse_date(actie_voor, "Datum bij --actie-voor")
        if actie_voor is not None
        else None,
        follow_up_partner=parse_choice(Partner, actie_partner, "Partner bij de actie")
        if actie_partner is not None
        else None,
        no_avim_reason=geen_avim or "",
    )
    if actie is not None and not actie.strip():
        from mhtool.errors import ValidationError

        raise ValidationError("--actie is leeg; beschrijf de actie of laat de optie weg.")
    if geen_avim is not None and not geen_avim.strip():
        from mhtool.errors import ValidationError

        raise ValidationError(
            "--geen-avim is leeg; geef de reden waarom AVIM niet is ingeschakeld."
        )
    if interactive():
        from mhtool.cli.prompts import complete_step

        prepared = prepare_step(store, ref, given)
        given = _show_step2_check(prepared.checks, given)
        given = complete_step(prepared.current, given)
    detail = advance_signal(store, ref, given, st.user)
    message = f"Signaal {detail.summary.ref} staat nu in {detail.summary.step.label}."
    open_actions = [a for a in detail.actions if a.done_on is None]
    if detail.summary.step is Step.CLOSED and open_actions:
        # Closed yet open: say so, or the user believes the case is done.
        listed = ", ".join(
            f"vervolgactie {a.seq} (uiterlijk {format_date(a.due_on)})" for a in open_actions
        )
        message += f" Open: {listed}; het signaal blijft open tot die klaar is."
    render.signal_outcome(detail, as_json, message, "bold green")


@app.command("heropen")
def reopen(
    ctx: typer.Context,
    ref: REF_ARG,
    reden: Annotated[
        str | None, typer.Option(help="Waarom het signaal weer open gaat (verplicht).")
    ] = None,
    datum: DATE_OPTION = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Heropen een afgerond signaal; het gaat terug naar de stap vóór afronding."""
    from mhtool.cli import render
    from mhtool.services.signals import reopen_signal

    st = state(ctx)
    reason = asked(reden, "Reden voor heropenen:")
    detail = reopen_signal(
        st.store(),
        ref,
        reason,
        past_date_or_today(datum),
        st.user,
    )
    render.signal_outcome(
        detail,
        as_json,
        f"Signaal {detail.summary.ref} is heropend en staat in {detail.summary.step.label}.",
    )


@app.command("notitie")
def note(
    ctx: typer.Context,
    ref: REF_ARG,
    tekst: Annotated[
        str | None, typer.Argument(help="De notitie; zonder tekst vraagt mhtool erom.")
    ] = None,
    datum: DATE_OPTION = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Voeg een gedateerde notitie toe aan een signaal."""
    from mhtool.cli import render
    from mhtool.services.signals import add_note

    st = state(ctx)
    detail = add_note(
        st.store(),
        ref,
        asked(tekst, "Notitie:"),
        past_date_or_today(datum),
        st.user,
    )
    render.signal_outcome(detail, as_json, f"Notitie toegevoegd aan {detail.summary.ref}.")


@app.command("avim")
def avim_informed(
    ctx: typer.Context,
    ref: REF_ARG,
    op: Annotated[
        str | None,
        typer.Option(help="Wanneer AVIM is ingeschakeld: 'dd-mm-jjjj uu:mm'; standaard nu."),
    ] = None,
    reden: Annotated[
        str | None, typer.Option(help="Alleen om een eerder vastgelegd tijdstip te corrigeren.")
    ] = None,
    as_json: JSON_OPTION = False,
) -> None:
    """Leg vast wanneer AVIM (politie) is ingeschakeld bij een acuut signaal."""
    from mhtool.cli import render
    from mhtool.domain.signal_input import parse_moment
    from mhtool.services.signals import record_avim

    st = state(ctx)
    moment = parse_moment("nu" if op is None else op, "AVIM ingeschakeld")
    detail = record_avim(st.store(), ref, moment, st.user, reden or "")
    render.signal_outcome(
        detail,
        as_json,
        f"AVIM ingeschakeld vastgelegd voor {detail.summary.ref} "
        f"({render.format_moment(detail.summary.avim_informed_at)}).",
    )


# verrijk and wijzig live in their own module but belong to this group, after the others.
enrich_commands.register(app)
annulment_commands.register(app)
lifecycle_commands.register_signal(app)
