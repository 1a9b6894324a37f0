"""Generate docs/cli.md, the command reference, from the commands' own --help texts.

Why a script and not a hand-written page: the reference then cannot drift from the code. The
test tests/test_cli_reference.py regenerates the text and fails when docs/cli.md differs, naming
the command below. Why not cog: cog would add a dependency to regenerate one file, and the text
is produced by walking click's command tree, which needs no templating.

    python scripts/cli_reference.py           # rewrite docs/cli.md
    python scripts/cli_reference.py --check   # exit 1 when docs/cli.md is out of date

The help is rendered at a fixed width, independent of the terminal, so the file is the same on
every machine.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "cli.md"
REGENERATE = "python scripts/cli_reference.py"
WIDTH = 80

HEADER = f"""\
# Opdrachtenoverzicht

Alle opdrachten van mhtool met hun eigen hulptekst (`mhtool OPDRACHT --help`). Dit bestand wordt
gemaakt uit de code; wijzig het niet met de hand maar draai `{REGENERATE}`.
"""


def _commands(command: Any, ctx: Any, path: list[str]) -> list[tuple[list[str], Any, Any]]:
    """Every command below `command`, depth first in the order `--help` lists them."""
    found = [(path, command, ctx)]
    list_commands = getattr(command, "list_commands", None)
    if list_commands is None:
        return found
    for name in list_commands(ctx):
        sub = command.get_command(ctx, name)
        if sub is None or sub.hidden:
            continue
        sub_ctx = sub.make_context(name, [], parent=ctx, resilient_parsing=True)
        found.extend(_commands(sub, sub_ctx, [*path, name]))
    return found


def generate() -> str:
    """The text docs/cli.md should hold for the code as it is now."""
    import typer.main

    from mhtool.cli import dutch_click
    from mhtool.cli.app import app

    dutch_click.install()
    root = typer.main.get_command(app)
    root_ctx = root.make_context(
        "mhtool", [], resilient_parsing=True, terminal_width=WIDTH, max_content_width=WIDTH
    )
    parts = [HEADER]
    for path, command, ctx in _commands(root, root_ctx, ["mhtool"]):
        help_text = command.get_help(ctx).rstrip()
        heading = "#" * min(len(path) + 1, 4)
        parts.append(f"{heading} `{' '.join(path)}`\n\n```text\n{help_text}\n```\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    text = generate()
    current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    if "--check" in argv:
        if current != text:
            print(f"docs/cli.md is out of date; regenerate it with: {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    if current != text:
        REFERENCE.write_text(text, encoding="utf-8", newline="\n")
        print("docs/cli.md rewritten.")
    else:
        print("docs/cli.md is up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
