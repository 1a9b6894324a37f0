"""Shell completion (Tab) for bash, zsh, fish and PowerShell: commands, options and values.

typer's own `--install-completion` is switched off (`add_completion=False`): it costs start-up
time and English option names. Instead `cli.app.main()` hands over to `complete()` only when the
shell sets `_MHTOOL_COMPLETE`, so a normal start pays one environment lookup. Both orders of the
instruction are accepted: typer's `complete_bash`/`source_bash` (what the scripts use) and click's
`bash_complete`/`bash_source`.

Values are completed by option name, for every command that has the option, so a new command
with `--gemeente` completes municipalities without further work: signal numbers (from the file,
read-only, never a passphrase prompt, never a new file), gemeenten, vormen, partners, kanalen,
maatregelen, conclusies, regio's and stappen.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

COMPLETE_VAR = "_MHTOOL_COMPLETE"
PROG_NAME = "mhtool"
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def requested() -> bool:
    return bool(os.environ.get(COMPLETE_VAR))


def typer_instruction(instruction: str) -> str | None:
    """'bash_source' or 'source_bash' -> 'source_bash' (typer's order); None if unknown."""
    first, _, second = instruction.strip().lower().partition("_")
    for action, shell in ((first, second), (second, first)):
        if action in ("source", "complete") and shell in SHELLS:
            return f"{action}_{shell}"
    return None


def detect_shell() -> str | None:
    """The user's shell: PowerShell on Windows, else the name in $SHELL."""
    if os.name == "nt":
        return "powershell"
    name = Path(os.environ.get("SHELL", "")).name.lower()
    return name if name in SHELLS else None


def script(shell: str) -> str:
    """The code a shell needs to ask mhtool for completions."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=shell)


def install(shell: str) -> Path:
    """Write the script where the shell loads it at start (typer's locations); the path."""
    from typer._completion_shared import install as typer_install

    return typer_install(shell=shell, prog_name=PROG_NAME, complete_var=COMPLETE_VAR)[1]


def complete(app: Any) -> int:
    """Answer the shell's completion request; the exit code for the process."""
    import sys

    import typer.main
    from typer._click.shell_completion import add_completion_class
    from typer._completion_classes import BashComplete, completion_init
    from typer.completion import shell_complete

    instruction = typer_instruction(os.environ.get(COMPLETE_VAR, ""))
    if instruction is None:
        sys.stderr.write(
            f"Fout: onbekende opdracht in {COMPLETE_VAR}; gebruik bijvoorbeeld 'complete_bash'.\n"
        )
        return 2

    class QuotingBashComplete(BashComplete):
        """bash inserts a completion as typed words: 'Dijk en Waard' must be escaped."""

        def format_completion(self, item: Any) -> str:
            return str(item.value).replace("\\", "\\\\").replace(" ", "\\ ")

        @staticmethod
        def _check_version() -> None:
            """typer starts a bash process to warn (in English) about bash < 4.4; the
            script is printed once, into a file, so that check is only a delay."""

    completion_init()
    add_completion_class(QuotingBashComplete, "bash")
    _complete_values_by_option_name()
    command = typer.main.get_command(app)
    return shell_complete(command, {}, PROG_NAME, COMPLETE_VAR, instruction)


def _complete_values_by_option_name() -> None:
    """Give every parameter whose option name is in VALUES its value completion."""
    from typer._click.core import Parameter

    original = Parameter.shell_complete
    if getattr(original, "_mhtool_values", False):
        return  # already in place (tests run many completions in one process)

    def shell_complete(self: Any, ctx: Any, incomplete: str) -> list[Any]:
        values = _values_for(self)
        if values is None:
            return original(self, ctx, incomplete)
        from typer._click.shell_completion import CompletionItem

        return [CompletionItem(value) for value in values(ctx, incomplete)]

    shell_complete._mhtool_values = True  # type: ignore[attr-defined]
    Parameter.shell_complete = shell_complete  # type: ignore[method-assign]


def _values_for(param: Any) -> Callable[[Any, str], list[str]] | None:
    if getattr(param, "param_type_name", "") == "argument":
        return _signal_refs if param.name == "ref" else None
    for name in getattr(param, "opts", ()):
        if name in VALUES:
            return VALUES[name]
    return None


def matching(candidates: Iterable[str], incomplete: str) -> list[str]:
    """Candidates that start with what was typed (any case); else those that contain it."""
    typed = incomplete.strip().lower()
    options = list(candidates)
    starts = [c for c in options if c.lower().startswith(typed)]
    return starts or [c for c in options if typed in c.lower()]


def _fixed(values: Callable[[], Iterable[str]]) -> Callable[[Any, str], list[str]]:
    return lambda ctx, incomplete: matching(values(), incomplete)


def _municipalities() -> Iterable[str]:
    from mhtool.domain.municipalities import MUNICIPALITIES

    return MUNICIPALITIES


def _codes(enum_name: str) -> Callable[[], Iterable[str]]:
    def codes() -> Iterable[str]:
        from mhtool.domain import enums

        return [member.value for member in getattr(enums, enum_name)]

    return codes


def _signal_refs(ctx: Any, incomplete: str) -> list[str]:
    """Signal numbers from the database the command line would use (--db, MHTOOL_DB, the
    default location); typed '2026-1' or 'mh-2026' is matched as 'MH-2026-...'."""
    from mhtool.services.database import signal_refs_for_completion

    typed = incomplete.strip().upper()
    if typed[:1].isdigit():
        typed = f"MH-{typed}"
    root = ctx.find_root() if ctx is not None else None
    db = root.params.get("db") if root is not None else None
    return signal_refs_for_completion(db if isinstance(db, str) and db.strip() else None, typed)


VALUES: dict[str, Callable[[Any, str], list[str]]] = {
    "--signaal": _signal_refs,
    "--gemeente": _fixed(_municipalities),
    "--vorm": _fixed(_codes("Form")),
    "--partner": _fixed(_codes("Partner")),
    "--actie-partner": _fixed(_codes("Partner")),
    "--verwijzing": _fixed(_codes("Partner")),
    "--status": _fixed(_codes("MeasureStatus")),
    "--kanaal": _fixed(_codes("Channel")),
    "--maatregel": _fixed(_codes("Measure")),
    "--conclusie": _fixed(_codes("Conclusion")),
    "--regio": _fixed(lambda: ("driehoek", "nhn")),
    "--stap": _fixed(lambda: ("1", "2", "3", "4", "5")),
    "--naar": _fixed(lambda: ("1", "2", "3", "4", "5")),
}
