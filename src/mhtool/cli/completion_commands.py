"""`mhtool aanvulling`: the shell code for Tab completion, shown or installed."""

from __future__ import annotations

from typing import Annotated

import typer


def completion_command(
    shell: Annotated[
        str | None,
        typer.Argument(
            metavar="SHELL",
            help="bash, zsh, fish of powershell; standaard de shell die u nu gebruikt.",
            show_default=False,
        ),
    ] = None,
    installeer: Annotated[
        bool,
        typer.Option(
            "--installeer",
            help="Zet de aanvulling in de opstartbestanden van de shell in plaats van haar te "
            "tonen; werkt in elke nieuwe terminal.",
        ),
    ] = False,
) -> None:
    """Toon of installeer aanvullen met Tab (opdrachten, opties, signaalnummers, gemeenten).

    Zelf installeren: bash: mhtool aanvulling bash > ~/.mhtool-aanvulling.sh en
    'source ~/.mhtool-aanvulling.sh' in ~/.bashrc; zsh en fish: idem met hun eigen
    opstartbestand; PowerShell: mhtool aanvulling powershell | Out-String | Invoke-Expression
    in uw $PROFILE.
    """
    from mhtool.cli.completion import SHELLS, detect_shell, install, script
    from mhtool.cli.render import console, text
    from mhtool.errors import MhtoolError, ValidationError

    chosen = (shell or detect_shell() or "").strip().lower()
    if not chosen:
        raise ValidationError(
            "Kan niet zien welke shell u gebruikt; geef hem op: bash, zsh, fish of powershell."
        )
    if chosen not in SHELLS:
        raise ValidationError(f"Onbekende shell '{shell}'; kies bash, zsh, fish of powershell.")
    if not installeer:
        typer.echo(script(chosen))
        return
    try:
        path = install(chosen)
    except (OSError, typer.Exit) as error:
        raise MhtoolError(
            f"De aanvulling voor {chosen} kon niet worden geïnstalleerd "
            f"({type(error).__name__}); gebruik 'mhtool aanvulling {chosen}' en zet de uitvoer "
            "zelf in het opstartbestand van de shell."
        ) from None
    console().print(
        text(f"Aanvulling voor {chosen} geïnstalleerd in {path}; open een nieuwe terminal.")
    )
