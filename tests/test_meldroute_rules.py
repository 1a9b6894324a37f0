"""Every allowed and refused transition of the meldroute, on the pure domain rules."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from mhtool.domain.enums import Conclusion, Partner, Step
from mhtool.domain.meldroute import MoveKind, StepInput, plan_move, plan_reopen
from mhtool.errors import NotAllowedError, ValidationError

DAY = dt.date(2026, 11, 2)


def complete(requirements_of: Step, **extra: object) -> StepInput:
    """A StepInput that satisfies whatever `target` requires."""
    values: dict[str, object] = {"on_date": DAY, "target": requirements_of}
    per_step: dict[Step, dict[str, object]] = {
        Step.RECEIVED: {},
        Step.RECORDED: {"check_outcome": "geen eerdere registraties"},
        Step.DISCUSSED_LOCAL: {"partners": (Partner.OE_WIJK,)},
        Step.DISCUSSED_REGIONAL: {"partners": (Partner.QUERIDO,)},
        Step.CLOSED: {"conclusion": Conclusion.NO_TRAFFICKING, "feedback_given": True},
    }
    values.update(per_step[requirements_of])
    values.update(extra)
    return StepInput(**values)  # type: ignore[arg-type]


OPEN_STEPS = [s for s in Step if s is not Step.CLOSED]


@pytest.mark.parametrize("current", OPEN_STEPS)
def test_next_step_is_allowed_without_reason(current: Step) -> None:
    target = Step(current + 1)
    move = plan_move(current, complete(target))
    assert (move.kind, move.from_step, move.to_step) == (MoveKind.ADVANCE, current, target)


@pytest.mark.parametrize("current", OPEN_STEPS)
def test_default_target_is_the_next_step(current: Step) -> None:
    given = complete(Step(current + 1), target=None)
    assert plan_move(current, given).to_step == current + 1


SKIPS = [(c, t) for c, t in itertools.product(OPEN_STEPS, Step) if t > c + 1]
BACKS = [(c, t) for c, t in itertools.product(OPEN_STEPS, Step) if t < c]


@pytest.mark.parametrize(("current", "target"), SKIPS)
def test_skipping_requires_a_reason(current: Step, target: Step) -> None:
    with pytest.raises(ValidationError, match="reden verplicht"):
        plan_move(current, complete(target))
    move = plan_move(current, complete(target, reason="geen vermoeden meer"))
    assert move.kind is MoveKind.SKIP and move.to_step is target


@pytest.mark.parametrize(("current", "target"), BACKS)
def test_going_back_requires_a_reason_and_nothing_else(current: Step, target: Step) -> None:
    with pytest.raises(ValidationError, match="reden verplicht"):
        plan_move(current, StepInput(on_date=DAY, target=target))
    move = plan_move(current, StepInput(on_date=DAY, target=target, reason="fout gekozen"))
    assert move.kind is MoveKind.BACK and move.to_step is target


@pytest.mark.parametrize("current", OPEN_STEPS)
def test_staying_in_the_same_step_is_refused(current: Step) -> None:
    with pytest.raises(ValidationError, match="staat al in"):
        plan_move(current, StepInput(on_date=DAY, target=current, reason="x"))


@pytest.mark.parametrize("target", list(Step))
def test_closed_signal_is_read_only(target: Step) -> None:
    with pytest.raises(NotAllowedError, match="heropen"):
        plan_move(Step.CLOSED, complete(target, reason="x"))


def test_step_two_needs_the_check_outcome() -> None:
    with pytest.raises(ValidationError, match="--controle"):
        plan_move(Step.RECEIVED, StepInput(on_date=DAY))


@pytest.mark.parametrize(
    ("target", "wrong", "right"),
    [
        (Step.DISCUSSED_LOCAL, Partner.RIEC, Partner.CARE_COORDINATOR),
        (Step.DISCUSSED_REGIONAL, Partner.OE_WIJK, Partner.RIEC),
    ],
)
def test_discussion_steps_need_the_right_partner(
    target: Step, wrong: Partner, right: Partner
) -> None:
    current = Step(target - 1)
    with pytest.raises(ValidationError, match="--partner"):
        plan_move(current, StepInput(on_date=DAY, partners=(wrong,)))
    assert plan_move(current, StepInput(on_date=DAY, partners=(wrong, right))).to_step is target


def test_closing_needs_conclusion_and_feedback_answer() -> None:
    with pytest.raises(ValidationError, match="conclusie"):
        plan_move(Step.DISCUSSED_REGIONAL, StepInput(on_date=DAY, feedback_given=False))
    with pytest.raises(ValidationError, match="terugkoppeling"):
        plan_move(
            Step.DISCUSSED_REGIONAL,
            StepInput(on_date=DAY, conclusion=Conclusion.TRAFFICKING),
        )
    given = StepInput(on_date=DAY, conclusion=Conclusion.TRAFFICKING, feedback_given=False)
    assert plan_move(Step.DISCUSSED_REGIONAL, given).to_step is Step.CLOSED


def test_feedback_cannot_be_after_closing() -> None:
    given = complete(Step.CLOSED, feedback_on=DAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="terugkoppeling ligt na"):
        plan_move(Step.DISCUSSED_REGIONAL, given)


def test_step_date_cannot_precede_the_previous_step() -> None:
    with pytest.raises(ValidationError, match="vóór de datum van de vorige stap"):
        plan_move(Step.RECEIVED, complete(Step.RECORDED), step_since=DAY + dt.timedelta(days=1))


def test_reopen_only_from_closed_and_with_reason() -> None:
    with pytest.raises(NotAllowedError):
        plan_reopen(Step.DISCUSSED_LOCAL, "x", None)
    with pytest.raises(ValidationError, match="reden"):
        plan_reopen(Step.CLOSED, "  ", Step.DISCUSSED_LOCAL)
    move = plan_reopen(Step.CLOSED, "nieuwe informatie", Step.DISCUSSED_LOCAL)
    assert (move.kind, move.to_step) == (MoveKind.REOPEN, Step.DISCUSSED_LOCAL)


@pytest.mark.parametrize(
    ("current", "given", "option"),
    [
        (Step.RECEIVED, complete(Step.RECORDED, conclusion=Conclusion.TRAFFICKING), "--conclusie"),
        (Step.RECORDED, complete(Step.DISCUSSED_LOCAL, check_outcome="x"), "--controle"),
        (
            Step.DISCUSSED_LOCAL,
            complete(Step.DISCUSSED_REGIONAL, criminal_case=True),
            "--strafrechtelijk",
        ),
        (Step.DISCUSSED_REGIONAL, complete(Step.CLOSED, partners=(Partner.RIEC,)), "--partner"),
        (
            Step.DISCUSSED_LOCAL,
            StepInput(on_date=DAY, target=Step.RECEIVED, reason="x", partners=(Partner.RIEC,)),
            "--partner",
        ),
    ],
)
def test_options_of_another_step_are_refused_not_dropped(
    current: Step, given: StepInput, option: str
) -> None:
    with pytest.raises(ValidationError, match=f"^{option} hoort bij"):
        plan_move(current, given)
