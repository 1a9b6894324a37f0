"""The meldroute of plan §6.3 as data, and the one function that decides whether a move is allowed.

A signal normally moves one step forward. Skipping forward or going back is allowed only with a
reason, and is recorded as such. A closed signal (step 5) is read-only; only `heropen` with a
reason brings it back. What each step asks for is in `STEP_REQUIREMENTS`, so the form, the flags,
the docs and the tests all read the same table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from mhtool.domain.enums import Conclusion, Measure, Partner, Step
from mhtool.errors import NotAllowedError, ValidationError


class MoveKind(StrEnum):
    RECEIVED = "ontvangst"
    ADVANCE = "stap"
    SKIP = "overslaan"
    BACK = "terug"
    REOPEN = "heropen"
    AVIM = "avim"
    ANNUL = "vervallen"
    RESTORE = "hersteld"


@dataclass(frozen=True)
class StepRequirement:
    """What must be recorded when a signal *arrives* in a step."""

    description: str
    needs_check_outcome: bool = False
    partners_one_of: frozenset[Partner] = frozenset()
    needs_conclusion: bool = False
    needs_feedback_answer: bool = False


STEP_REQUIREMENTS: dict[Step, StepRequirement] = {
    Step.RECEIVED: StepRequirement("signaal ontvangen van de melder"),
    Step.RECORDED: StepRequirement(
        "uitkomst van de controle op eerdere registraties (persoon, organisatie, adres)",
        needs_check_outcome=True,
    ),
    Step.DISCUSSED_LOCAL: StepRequirement(
        "besproken met politie (OE wijk) en/of zorgcoördinator",
        partners_one_of=frozenset({Partner.OE_WIJK, Partner.CARE_COORDINATOR}),
    ),
    Step.DISCUSSED_REGIONAL: StepRequirement(
        "besproken met RIEC en/of HvO Querido",
        partners_one_of=frozenset({Partner.RIEC, Partner.QUERIDO}),
    ),
    Step.CLOSED: StepRequirement(
        "conclusie, terugkoppeling aan de melder en uitkomsten voor de jaarcijfers",
        needs_conclusion=True,
        needs_feedback_answer=True,
    ),
}


@dataclass(frozen=True)
class StepInput:
    """What the officer supplies when moving a signal; fields a step does not need stay empty."""

    on_date: dt.date
    target: Step | None = None
    note: str = ""
    reason: str = ""
    check_outcome: str = ""
    partners: tuple[Partner, ...] = ()
    conclusion: Conclusion | None = None
    feedback_given: bool | None = None
    feedback_on: dt.date | None = None
    criminal_case: bool | None = None
    shelter_arranged: bool | None = None
    measures: tuple[Measure, ...] = field(default=())
    follow_up: str = ""
    follow_up_due: dt.date | None = None
    follow_up_partner: Partner | None = None
    no_avim_reason: str = ""

    def __post_init__(self) -> None:
        # `--maatregel apv --maatregel apv` means apv once, as a repeated --vorm does.
        object.__setattr__(self, "partners", tuple(dict.fromkeys(self.partners)))
        object.__setattr__(self, "measures", tuple(dict.fromkeys(self.measures)))
        if self.feedback_given is False and self.feedback_on is not None:
            raise ValidationError(
                "--terugkoppeling-datum past niet bij --geen-terugkoppeling; laat een van beide weg."
            )


@dataclass(frozen=True)
class Move:
    kind: MoveKind
    from_step: Step | None
    to_step: Step | None


def refuse_if_closed(step: int) -> None:
    """A closed signal is read-only: every change goes through `heropen` with a reason."""
    if step == Step.CLOSED:
        raise NotAllowedError(
            "Dit signaal is afgerond en kan niet meer wijzigen; gebruik 'mhtool signaal heropen' "
            "met een reden."
        )


def refuse_if_annulled(ref: str, annulled_on: str | None) -> None:
    """An annulled signal ('vervallen') is kept as it was; it changes again only after the
    annulment is undone (`signaal vervallen --herstel`) with a reason."""
    if annulled_on:
        raise NotAllowedError(
            f"Signaal {ref} is vervallen en kan niet wijzigen; herstel het eerst met "
            f"'mhtool signaal vervallen {ref} --herstel --reden ...'."
        )


def plan_move(current: Step, given: StepInput, step_since: dt.date | None = None) -> Move:
    """Decide the move from `current` for `given`, or raise a Dutch error saying what is missing."""
    refuse_if_closed(current)
    target = given.target if given.target is not None else Step(current + 1)
    if target == current:
        raise ValidationError(f"Het signaal staat al in {current.label}.")
    if target == current + 1:
        kind = MoveKind.ADVANCE
    elif target > current:
        kind = MoveKind.SKIP
    else:
        kind = MoveKind.BACK
    if kind is not MoveKind.ADVANCE and not given.reason.strip():
        verb = "overslaan van stappen" if kind is MoveKind.SKIP else "teruggaan"
        raise ValidationError(
            f"Voor het {verb} naar {target.label} is een reden verplicht (--reden)."
        )
    if step_since is not None and given.on_date < step_since:
        raise ValidationError(
            "De datum van deze stap ligt vóór de datum van de vorige stap; controleer --datum."
        )
    check_no_foreign_options(target if kind is not MoveKind.BACK else None, given)
    if kind is not MoveKind.BACK:
        check_requirements(target, given)
    return Move(kind, current, target)


def check_no_foreign_options(target: Step | None, given: StepInput) -> None:
    """Refuse options that belong to another step instead of silently dropping them.

    `target` is None when going back: then no step's data is recorded at all.
    """
    belongs = {
        "--controle": (bool(given.check_outcome.strip()), {Step.RECORDED}),
        "--partner": (
            bool(given.partners),
            {Step.DISCUSSED_LOCAL, Step.DISCUSSED_REGIONAL},
        ),
        "--conclusie": (given.conclusion is not None, {Step.CLOSED}),
        "--terugkoppeling": (given.feedback_given is not None, {Step.CLOSED}),
        "--terugkoppeling-datum": (given.feedback_on is not None, {Step.CLOSED}),
        "--strafrechtelijk": (given.criminal_case is not None, {Step.CLOSED}),
        "--opvang": (given.shelter_arranged is not None, {Step.CLOSED}),
        "--maatregel": (bool(given.measures), {Step.CLOSED}),
        "--actie": (bool(given.follow_up.strip()), {Step.CLOSED}),
        "--actie-voor": (given.follow_up_due is not None, {Step.CLOSED}),
        "--actie-partner": (given.follow_up_partner is not None, {Step.CLOSED}),
        "--geen-avim": (bool(given.no_avim_reason.strip()), {Step.CLOSED}),
    }
    for option, (was_given, steps) in belongs.items():
        if was_given and target not in steps:
            home = " of ".join(sorted(s.label for s in steps))
            where = f"bij {target.label}" if target is not None else "bij teruggaan"
            raise ValidationError(
                f"{option} hoort bij {home}, niet {where}; laat de optie weg of kies de "
                "juiste stap met --naar."
            )


def check_requirements(target: Step, given: StepInput) -> None:
    need = STEP_REQUIREMENTS[target]
    if need.needs_check_outcome and not given.check_outcome.strip():
        raise ValidationError(
            f"Voor {target.label} is de uitkomst van de controle op eerdere registraties "
            "verplicht (--controle)."
        )
    if need.partners_one_of and not need.partners_one_of.intersection(given.partners):
        names = " en/of ".join(sorted(p.label for p in need.partners_one_of))
        codes = " of ".join(sorted(p.value for p in need.partners_one_of))
        raise ValidationError(
            f"Voor {target.label} geeft u op met wie het is besproken: {names} (--partner {codes})."
        )
    if need.needs_conclusion and given.conclusion is None:
        codes = ", ".join(Conclusion.codes())
        raise ValidationError(f"Voor afronding is een conclusie verplicht (--conclusie: {codes}).")
    if need.needs_feedback_answer and given.feedback_given is None:
        raise ValidationError(
            "Voor afronding geeft u aan of er terugkoppeling aan de melder is gegeven "
            "(--terugkoppeling of --geen-terugkoppeling)."
        )
    if given.feedback_on is not None and given.feedback_on > given.on_date:
        raise ValidationError(
            "De datum van de terugkoppeling ligt na de datum van afronding; rond af met "
            "--geen-terugkoppeling en leg de latere terugkoppeling vast met 'mhtool signaal "
            "uitkomst SIGNAAL --terugkoppeling --datum ...'."
        )


def check_avim_at_closing(acute: bool, avim_informed_at: str | None, given: StepInput) -> None:
    """Acute means AVIM (plan flowchart): an acute signal closes only with an AVIM time, or with
    a stated reason why AVIM was not engaged."""
    if not acute:
        if given.no_avim_reason.strip():
            raise ValidationError(
                "--geen-avim hoort bij een acuut signaal; dit signaal is niet acuut, laat de optie "
                "weg."
            )
        return
    if avim_informed_at and given.no_avim_reason.strip():
        raise ValidationError(
            "AVIM is voor dit signaal al ingeschakeld vastgelegd; laat --geen-avim weg."
        )
    if not avim_informed_at and not given.no_avim_reason.strip():
        raise ValidationError(
            "Dit acute signaal heeft nog geen AVIM-tijdstip; leg eerst vast wanneer AVIM is "
            "ingeschakeld ('mhtool signaal avim'), of geef met --geen-avim de reden waarom niet."
        )


def check_follow_up(given: StepInput) -> None:
    """A due date or partner without the action itself would be lost; a due date before the
    closing day cannot be met."""
    if not given.follow_up.strip() and (
        given.follow_up_due is not None or given.follow_up_partner is not None
    ):
        raise ValidationError(
            '--actie-voor en --actie-partner horen bij --actie; geef ook --actie "..." op.'
        )
    if given.follow_up_due is not None and given.follow_up_due < given.on_date:
        raise ValidationError("De datum bij --actie-voor ligt vóór de datum van afronding.")


def plan_reopen(current: Step, reason: str, previous_step: Step | None) -> Move:
    if current is not Step.CLOSED:
        raise NotAllowedError(
            f"Alleen een afgerond signaal kan worden heropend; dit signaal staat in {current.label}."
        )
    if not reason.strip():
        raise ValidationError("Voor heropenen is een reden verplicht (--reden).")
    target = previous_step if previous_step and previous_step is not Step.CLOSED else Step(4)
    return Move(MoveKind.REOPEN, current, target)
