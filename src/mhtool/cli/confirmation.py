"""Asking before something that cannot be undone (opschonen, persoon verwijder), and before
storing a value that is valid but unusual (a receipt date more than a year ago).

Scripts say yes with `--ja`; without it and without a terminal the command refuses instead of
hanging on a question nobody can answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

YES_OPTION = Annotated[
    bool, typer.Option("--ja", help="Niet om bevestiging vragen (voor scripts).")
]


def confirm_irreversible(
    yes: bool,
    question: str,
    refusal: str,
    before_asking: Callable[[], None] | None = None,
) -> None:
    if yes:
        return
    from mhtool.cli.signal_commands import interactive
    from mhtool.errors import ValidationError

    if not interactive():
        raise ValidationError(refusal)
    if before_asking is not None:
        before_asking()
    from mhtool.cli.prompts import confirm
    from mhtool.errors import AbortedError

    if not confirm(question, default=False):
        raise AbortedError("Afgebroken; er is niets verwijderd.")


def confirm_unusual(yes: bool, unusual: str | None, what_to_fix: str) -> None:
    """A valid but unusual value (`unusual` says why) is stored only when confirmed: at a
    terminal by answering the question, in a script by `--ja`."""
    if unusual is None or yes:
        return
    from mhtool.cli.signal_commands import interactive
    from mhtool.errors import ValidationError

    if not interactive():
        raise ValidationError(
            f"{unusual}; klopt dat, geef dan --ja mee, anders corrigeer {what_to_fix}."
        )
    from mhtool.cli.prompts import confirm
    from mhtool.errors import AbortedError

    if not confirm(f"{unusual}. Klopt dat?", default=False):
        raise AbortedError("Afgebroken; er is niets opgeslagen.")
