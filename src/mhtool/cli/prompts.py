"""The interactive forms: the only module that imports questionary.

Every answer is checked with the same domain functions the flags use, inline, so a typo is
corrected on the spot. Ctrl-C anywhere raises KeyboardInterrupt before anything is stored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import questionary
import typer

from mhtool.domain.dates import (
    format_date,
    parse_birth,
    parse_past_date,
    parse_receipt_date,
    unusual_receipt,
)
from mhtool.domain.enums import (
    Channel,
    Conclusion,
    Form,
    LabelledEnum,
    Measure,
    Partner,
    Role,
    Sector,
    Step,
)
from mhtool.domain.meldroute import STEP_REQUIREMENTS, StepInput
from mhtool.domain.municipalities import MUNICIPALITIES, resolve_municipality
from mhtool.domain.normalise import kvk_key, postcode_key, split_house_number
from mhtool.domain.signal_input import (
    AddressInput,
    NewSignal,
    OrganisationInput,
    PersonInput,
    build_address,
    build_organisation,
    build_person,
    build_signal,
    check_born_before,
    parse_moment,
)
from mhtool.domain.views import SignalDetail
from mhtool.errors import MhtoolError, ValidationError

if TYPE_CHECKING:
    from mhtool.services.search_hits import SearchHit

Entity = PersonInput | AddressInput | OrganisationInput
E = TypeVar("E", PersonInput, AddressInput, OrganisationInput)


def _validator(check: Callable[[str], Any], optional: bool = False) -> Callable[[str], bool | str]:
    def validate(answer: str) -> bool | str:
        if optional and not answer.strip():
            return True
        try:
            check(answer)
        except MhtoolError as error:
            from mhtool.cli.render import safe

            return safe(error.message)
        return True

    return validate


def _required(what: str) -> Callable[[str], bool | str]:
    return lambda answer: True if answer.strip() else f"{what} is verplicht."


def ask_text(message: str, *, required: bool = False, default: str = "") -> str:
    answer: str = questionary.text(
        message, default=default, validate=_required("Dit veld") if required else None
    ).unsafe_ask()
    return answer.strip()


def _choices(enum: type[LabelledEnum], only: set[str] | None = None) -> list[questionary.Choice]:
    return [
        questionary.Choice(title=m.label, value=m.value)
        for m in enum
        if only is None or m.value in only
    ]


SELECT_HINT = "(pijltjestoetsen, enter kiest)"
CHECKBOX_HINT = "(pijltjestoetsen, spatie kiest, enter bevestigt)"
_YES = {"j", "ja", "y", "yes"}
_NO = {"n", "nee", "no"}


def _confirm(message: str, default: bool = False) -> bool:
    """A Dutch yes/no question: questionary's own confirm only knows y/n and 'Yes'/'No'.

    On Enter the answer is written out as 'ja' or 'nee' before it is accepted, so the line left
    on the screen shows what was chosen, also when Enter alone took the default."""
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

    hint = "(J/n)" if default else "(j/N)"

    def validate(answer: str) -> bool | str:
        value = answer.strip().lower()
        return True if not value or value in _YES | _NO else "Antwoord met j (ja) of n (nee)."

    bindings = KeyBindings()

    @bindings.add("enter")
    def _spell_out(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        value = buffer.text.strip().lower()
        if not value or value in _YES | _NO:
            buffer.text = "ja" if (value in _YES if value else default) else "nee"
        buffer.validate_and_handle()

    answer = questionary.text(
        f"{message} {hint}", validate=validate, key_bindings=bindings
    ).unsafe_ask()
    value = str(answer).strip().lower()
    return default if not value else value in _YES


def _resolving_text(
    message: str, default: str, parse: Callable[[str], Any], show: Callable[[Any], str]
) -> str:
    """A text answer that is parsed on Enter and left on the screen resolved: 'gisteren' stays
    visible as '28-11-2026', so the officer sees the date that is stored, not the word typed."""
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

    bindings = KeyBindings()

    @bindings.add("enter")
    def _resolve(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        with contextlib.suppress(MhtoolError):  # if not, the validator shows what is wrong
            buffer.text = show(parse(buffer.text))
        buffer.validate_and_handle()

    answer: str = questionary.text(
        message, default=default, validate=_validator(parse), key_bindings=bindings
    ).unsafe_ask()
    return answer


def _show_moment(moment: dt.datetime) -> str:
    return moment.strftime("%d-%m-%Y %H:%M")


def _select(message: str, choices: list[questionary.Choice]) -> Any:
    return questionary.select(message, choices=choices, instruction=SELECT_HINT).unsafe_ask()


def _checkbox(
    message: str, choices: list[questionary.Choice], *, nothing: str = "niets", **extra: Any
) -> list[Any]:
    """questionary's checkbox, with the answer left on the screen in Dutch: the chosen titles,
    or `nothing` (questionary itself shows "done (2 selections)")."""
    from questionary.prompts import common as checkbox_module

    build_layout = checkbox_module.create_inquirer_layout

    def dutch_layout(ic: Any, get_prompt_tokens: Callable[[], Any], **kwargs: Any) -> Any:
        def tokens() -> Any:
            parts: list[tuple[str, str]] = list(get_prompt_tokens())
            if not ic.is_answered:
                return parts
            titles = [str(choice.title) for choice in ic.get_selected_values()]
            shown = ", ".join(titles) if titles else nothing
            return [(style, shown if "answer" in style else text) for style, text in parts]

        return build_layout(ic, tokens, **kwargs)

    # The layout is built inside questionary.checkbox(); swapped only for that call.
    checkbox_module.create_inquirer_layout = dutch_layout
    try:
        question = questionary.checkbox(
            message, choices=choices, instruction=CHECKBOX_HINT, **extra
        )
    finally:
        checkbox_module.create_inquirer_layout = build_layout
    return list(question.unsafe_ask())


def signal_form(
    *,
    received_on: str | None,
    municipality: str | None,
    reporter: str | None,
    department: str | None,
    channel: str | None,
    forms: list[str] | None,
    acute: bool | None,
    description: str | None,
    persons: list[PersonInput],
    addresses: list[AddressInput],
    organisations: list[OrganisationInput],
    lookup: Callable[[Entity], Sequence[SearchHit]] | None = None,
    unusual_date_confirmed: bool = False,
    municipalities: frozenset[str] | None = None,
) -> NewSignal:
    """Ask for every field not given as a flag, then confirm before anything is saved.

    With `lookup`, every person, address and organisation entered is searched at once; earlier
    matches are shown and the officer may link to one instead of creating a duplicate.
    With `municipalities` (a server login's own gemeenten) only those are offered and accepted.
    """
    from mhtool.cli.render import console, count, text

    today = format_date(dt.date.today())
    if received_on is None:
        received_on = _resolving_text(
            "Ontvangstdatum (dd-mm-jjjj):",
            today,
            lambda a: parse_receipt_date(a, "Ontvangstdatum"),
            format_date,
        )
    received = parse_receipt_date("vandaag" if received_on is None else received_on)
    while (
        not unusual_date_confirmed
        and (unusual := unusual_receipt(received))
        and not _confirm(f"{unusual}. Klopt dat?")
    ):
        received_on = _resolving_text(
            "Ontvangstdatum (dd-mm-jjjj):",
            today,
            lambda a: parse_receipt_date(a, "Ontvangstdatum"),
            format_date,
        )
        received = parse_receipt_date(received_on)
    if municipality is None:
        from mhtool.services.signals import check_recordable

        municipality = questionary.autocomplete(
            "Gemeente:",
            choices=sorted(municipalities) if municipalities else list(MUNICIPALITIES),
            validate=_validator(
                lambda answer: check_recordable(municipalities, resolve_municipality(answer))
            ),
            match_middle=True,
        ).unsafe_ask()
    if reporter is None:
        reporter = ask_text("Melder (naam):", required=True)
    if department is None:
        department = ask_text("Afdeling of organisatie van de melder (mag leeg):")
    if channel is None:
        channel = _select("Hoe kwam het signaal binnen?", _choices(Channel))
    if forms is None:
        forms = _checkbox(
            "Vorm(en) van uitbuiting:",
            _choices(Form),
            validate=lambda chosen: True if chosen else "Kies ten minste één vorm, of 'onbekend'.",
        )
    if acute is None:
        acute = _confirm("Is er acuut gevaar?", default=False)
    avim_at: dt.datetime | None = None
    if acute:
        console().print(
            text("ACUUT → schakel direct AVIM (politie) in en bepaal wie wat doet.", "bold red")
        )
        if _confirm("Is AVIM al ingeschakeld?", default=False):
            moment = _resolving_text(
                "Wanneer (dd-mm-jjjj uu:mm, of 'nu')?",
                "nu",
                lambda a: parse_moment(a, "AVIM ingeschakeld"),
                _show_moment,
            )
            avim_at = parse_moment(moment, "AVIM ingeschakeld")
    if description is None:
        description = ask_text("Omschrijving van het signaal:", required=True)

    persons = list(persons)
    while _confirm("Een persoon toevoegen?" if not persons else "Nog een persoon toevoegen?"):
        person = _until_valid(lambda: _person_form(received), "deze persoon")
        if person is not None:
            persons.append(_offer_link(person, lookup))
    addresses = list(addresses)
    while _confirm("Een adres toevoegen?" if not addresses else "Nog een adres toevoegen?"):
        address = _until_valid(_address_form, "dit adres")
        if address is not None:
            addresses.append(_offer_link(address, lookup))
    organisations = list(organisations)
    while _confirm(
        "Een organisatie toevoegen?" if not organisations else "Nog een organisatie toevoegen?"
    ):
        organisation = _until_valid(_organisation_form, "deze organisatie")
        if organisation is not None:
            organisations.append(_offer_link(organisation, lookup))

    signal = build_signal(
        received_on="vandaag" if received_on is None else received_on,
        municipality=municipality or "",
        reporter=reporter or "",
        reporter_department=department or "",
        channel=channel or "",
        forms=forms or [],
        acute=bool(acute),
        description=description or "",
        persons=persons,
        addresses=addresses,
        organisations=organisations,
        avim_informed_at=avim_at,
    )
    console().print(
        text(
            f"Signaal uit {signal.municipality}, ontvangen {format_date(signal.received_on)}, "
            f"{count(len(signal.persons), 'persoon')}, {count(len(signal.addresses), 'adres')}, "
            f"{count(len(signal.organisations), 'organisatie')}."
        )
    )
    if not _confirm("Opslaan?", default=True):
        raise typer.Abort()
    return signal


def _offer_link(item: E, lookup: Callable[[Entity], Sequence[SearchHit]] | None) -> E:
    """Show earlier matches for what was just entered and let the officer link to one."""
    if lookup is None:
        return item
    hits = list(lookup(item))
    if not hits:
        return item
    from mhtool.cli.render import console, safe, text
    from mhtool.cli.search_render import hit_line

    what = {PersonInput: "deze persoon", AddressInput: "dit adres"}.get(
        type(item), "deze organisatie"
    )
    out = console()
    out.print(text(f"  Eerdere registraties gevonden voor {what}:", "bold yellow"))
    # The whole match is printed (wrapped at any width) before the choice, whose lines a
    # terminal of 80 columns would cut: a choice shortens the name, never the signals.
    for number, hit in enumerate(hits, start=1):
        out.print(text(f"  {number}. {hit_line(hit)}"))
    # Creating a new record is the default: a wrong link merges two people's histories.
    choices = [questionary.Choice(title="Nee, nieuw vastleggen", value=0)]
    choices += [questionary.Choice(title=safe(_link_title(h)), value=h.entity_id) for h in hits]
    picked = questionary.select(
        "  Koppelen aan een bestaande registratie?", choices=choices, instruction=SELECT_HINT
    ).unsafe_ask()
    if not picked:
        return item
    return dataclasses.replace(item, existing_id=int(picked))


CHOICE_WIDTH = 74  # what fits after questionary's pointer in an 80-column terminal


def _link_title(hit: SearchHit) -> str:
    """'Koppelen aan persoon 1: Jan de Vries (geb. ...) (MH-2026-0001)', within CHOICE_WIDTH."""
    head, refs = f"Koppelen aan {hit.kind} {hit.entity_id}: ", f" ({_refs(hit)})"
    room = max(CHOICE_WIDTH - len(head) - len(refs), 10)
    label = hit.label if len(hit.label) <= room else hit.label[: room - 1].rstrip() + "…"
    return head + label + refs


def _refs(hit: SearchHit, shown: int = 2) -> str:
    """'MH-2026-0001, MH-2025-0007 en 3 meer': short enough for a choice line."""
    refs = [s.ref for s in hit.signals]
    more = f" en {len(refs) - shown} meer" if len(refs) > shown else ""
    return ", ".join(refs[:shown]) + more


def _until_valid(form: Callable[[], E], what: str) -> E | None:
    """Each field is checked as it is typed, but some checks need several fields (an address
    needs a street or a postcode): then say what is wrong and offer to fill in that part again
    or to leave it out, instead of throwing away the whole form. None means: left out."""
    from mhtool.cli.render import console, text

    while True:
        try:
            return form()
        except ValidationError as error:
            console().print(text(f"  {error.message}", "bold red"))
            if not _confirm(f"  {what.capitalize()} opnieuw invullen? (nee: weglaten)", True):
                return None


def _person_form(received: dt.date) -> PersonInput:
    name = ask_text("  Naam:", required=True)
    born = questionary.text(
        "  Geboortedatum (dd-mm-jjjj) of alleen jaar (mag leeg):",
        validate=_validator(parse_birth, optional=True),
    ).unsafe_ask()
    role = _select("  Rol:", _choices(Role))
    nationality = ask_text("  Nationaliteit (mag leeg):")
    person = build_person(name, role, born, nationality)
    check_born_before([person], received)
    return person


def _address_form() -> AddressInput:
    street = ask_text("  Straat:")
    number = questionary.text(
        "  Huisnummer met toevoeging (bijv. 12a):",
        validate=_validator(split_house_number),
    ).unsafe_ask()
    postcode = questionary.text(
        "  Postcode (bijv. 1701 AB, mag leeg als de straat bekend is):",
        validate=_validator(postcode_key, optional=True),
    ).unsafe_ask()
    city = ask_text("  Plaats:")
    return build_address(street, number, "", postcode, city)


def _organisation_form() -> OrganisationInput:
    name = ask_text("  Naam van de organisatie:", required=True)
    kvk = questionary.text(
        "  KvK-nummer (8 cijfers, mag leeg):", validate=_validator(kvk_key, optional=True)
    ).unsafe_ask()
    sector = _select("  Sector:", [questionary.Choice("onbekend", ""), *_choices(Sector)])
    return build_organisation(name, kvk, sector)


def complete_step(current: SignalDetail, given: StepInput) -> StepInput:
    """Ask only for what the target step requires and the flags did not give."""
    step = current.summary.step
    if step is Step.CLOSED:
        return given  # the service refuses with the right message
    target = given.target or Step(step + 1)
    changes: dict[str, Any] = {}
    if target != step + 1 and not given.reason.strip():
        changes["reason"] = ask_text(f"Reden om naar {target.label} te gaan:", required=True)
    if target < step:
        return dataclasses.replace(given, **changes)
    need = STEP_REQUIREMENTS[target]
    if need.needs_check_outcome and not given.check_outcome.strip():
        changes["check_outcome"] = ask_text(
            "Uitkomst controle eerdere registraties (persoon, organisatie, adres):", required=True
        )
    if need.partners_one_of and not need.partners_one_of.intersection(given.partners):
        picked = _checkbox(
            "Met wie is het signaal besproken?",
            _choices(Partner),
            validate=lambda chosen: (
                True
                if need.partners_one_of.intersection(Partner(c) for c in chosen)
                else "Kies ten minste: " + " of ".join(p.label for p in need.partners_one_of)
            ),
        )
        changes["partners"] = tuple(Partner(p) for p in picked)
    if need.needs_conclusion and given.conclusion is None:
        changes["conclusion"] = Conclusion(_select("Conclusie:", _choices(Conclusion)))
    if need.needs_feedback_answer:
        feedback = given.feedback_given
        if feedback is None:
            feedback = _confirm("Is er terugkoppeling aan de melder gegeven?", default=True)
            changes["feedback_given"] = feedback
        if feedback and given.feedback_on is None:
            answer = _resolving_text(
                "Datum terugkoppeling (dd-mm-jjjj):",
                format_date(given.on_date),
                lambda a: parse_past_date(a, "Datum terugkoppeling"),
                format_date,
            )
            changes["feedback_on"] = parse_past_date(answer, "Datum terugkoppeling")
        if given.criminal_case is None:
            changes["criminal_case"] = _confirm("Strafrechtelijk opgepakt?", default=False)
        if given.shelter_arranged is None:
            changes["shelter_arranged"] = _confirm(
                "Opvang voor slachtoffer geregeld?", default=False
            )
        if not given.measures:
            # Enter alone means 'geen'; 'geen' together with a measure is a contradiction.
            picked = _checkbox(
                "Bestuurlijke maatregel(en):",
                [questionary.Choice("geen", ""), *_choices(Measure)],
                nothing="geen",
                validate=lambda chosen: (
                    True
                    if not ("" in chosen and len(chosen) > 1)
                    else "Kies 'geen' of een of meer maatregelen, niet allebei."
                ),
            )
            picked = [m for m in picked if m]
            changes["measures"] = tuple(Measure(m) for m in picked)
        changes.update(_closing_follow_up(current, given, changes))
    return dataclasses.replace(given, **changes)


def _closing_follow_up(
    current: SignalDetail, given: StepInput, changes: dict[str, Any]
) -> dict[str, Any]:
    """Closing, as the flowchart asks: acute without an AVIM time needs a reason, and
    'verder onderzoek' gets a follow-up action (empty: mhtool's standard one)."""
    from mhtool.domain.lifecycle import DEFAULT_FOLLOW_UP

    asked: dict[str, Any] = {}
    s = current.summary
    if s.acute and not s.avim_informed_at and not given.no_avim_reason.strip():
        asked["no_avim_reason"] = ask_text(
            "Acuut signaal zonder AVIM-tijdstip. Waarom is AVIM niet ingeschakeld? (Ctrl-C om "
            f"eerst 'mhtool signaal avim {s.ref}' te doen)",
            required=True,
        )
    conclusion = changes.get("conclusion", given.conclusion)
    if conclusion is Conclusion.FURTHER_INQUIRY and not given.follow_up.strip():
        asked["follow_up"] = ask_text(
            f"Vervolgactie (leeg: '{DEFAULT_FOLLOW_UP}', termijn volgens de norm):"
        )
    return asked


def confirm(message: str, default: bool = False) -> bool:
    """A Dutch yes/no question for commands outside the forms (opschonen, verwijderen)."""
    return _confirm(message, default=default)
