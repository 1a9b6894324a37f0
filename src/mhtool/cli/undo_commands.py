"""`mhtool ongedaan`: show the user's last change, ask, and take it back."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from mhtool.cli.app_options import JSON_OPTION
from mhtool.cli.confirmation import YES_OPTION
from mhtool.cli.context import state

if TYPE_CHECKING:
    from mhtool.services.undo import UndoPlan, UndoStep

_WHAT = {
    "signal": "signaal",
    "person": "persoon",
    "address": "adres",
    "organisation": "organisatie",
    "note": "notitie",
    "step_event": "stap in het verloop",
    "follow_up_action": "vervolgactie",
    "outcome": "uitkomst",
}


# The command a change came from, named after its main history row.
_COMMANDS = {
    "aangemaakt": "nieuw signaal vastgelegd",
    "notitie": "notitie toegevoegd",
    "verrijkt": "signaal verrijkt",
    "gecorrigeerd": "gecorrigeerd",
    "rol-gecorrigeerd": "rol gecorrigeerd",
    "heropend": "signaal heropend",
    "avim-geinformeerd": "AVIM-melding vastgelegd",
}


# Search keys follow the text they are made from; the preview shows the text only.
_SEARCH_KEYS = frozenset(
    {
        "name_key",
        "given_key",
        "initial",
        "surname_key",
        "street_key",
        "house_key",
        "city_key",
        "core_key",
    }
)


def _step_line(plan: UndoPlan, step: UndoStep) -> str:
    from mhtool.cli.render import describe_changes

    number = plan.ref if step.entity == "signal" and plan.ref else step.entity_id
    what = f"{_WHAT.get(step.entity, step.entity)} {number}"
    if step.kind == "verwijder":
        if step.entity == "signal":
            return (
                f"signaal {plan.ref or step.entity_id} wordt verwijderd (het nummer wordt niet "
                "opnieuw uitgegeven)"
            )
        return f"{what} wordt verwijderd"
    if step.kind == "ontkoppel":
        return f"{what} wordt losgekoppeld van signaal {plan.ref}"
    shown = {k: v for k, v in step.changes.items() if k not in _SEARCH_KEYS}
    return f"{what}: {describe_changes(shown)}"


def _show(plan: UndoPlan, user: str) -> None:
    from mhtool.cli import render
    from mhtool.domain.views import HISTORY_ACTIONS

    action = _COMMANDS.get(plan.action) or HISTORY_ACTIONS.get(plan.action, plan.action)
    about = f" van signaal {plan.ref}" if plan.ref else ""
    lines = [
        f"Laatste wijziging van {user} ({render.format_moment(plan.at)}): {action}{about}.",
        "Ongedaan maken betekent:",
        *(f"  - {_step_line(plan, s)}" for s in plan.steps),
    ]
    render.console().print(render.text("\n".join(lines)))


def undo(
    ctx: typer.Context,
    ja: YES_OPTION = False,
    as_json: JSON_OPTION = False,
) -> None:
    """Maak uw laatste wijziging in deze database ongedaan (na bevestiging).

    Een nieuw signaal, stap, notitie, verrijking, correctie, vervallen verklaring of heropening
    wordt teruggedraaid; dat komt zelf in de historie en het auditlog. Niet als iemand anders
    daarna op hetzelfde signaal heeft voortgebouwd, en nooit bij het verwijderen van een
    persoon of het vernietigen van signalen. Nog eens 'mhtool ongedaan' neemt de wijziging
    daarvoor terug.
    """
    from mhtool.cli import render
    from mhtool.cli.signal_commands import interactive
    from mhtool.errors import AbortedError, ValidationError
    from mhtool.services.undo import preview_undo, undo_last_change

    st = state(ctx)
    store = st.store()
    plan = preview_undo(store, st.user)
    if not as_json:
        _show(plan, st.user)
    if not ja:
        # With --json the preview is not shown: never ask to confirm what was not seen.
        if as_json or not interactive():
            raise ValidationError(
                "Bevestig met --ja dat u deze wijziging ongedaan wilt maken; er is niets gewijzigd."
            )
        from mhtool.cli.prompts import confirm

        if not confirm("Deze wijziging ongedaan maken?", default=False):
            raise AbortedError("Afgebroken; er is niets gewijzigd.")
    done = undo_last_change(store, st.user, plan.change_id)
    if as_json:
        render.print_json(done.as_json())
    else:
        render.console().print(render.text("Ongedaan gemaakt.", "bold green"))
