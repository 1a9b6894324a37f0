"""The lazy command registry: the same commands, help and order as building them all eagerly,
and `--help` or one command builds nothing it does not need."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer.main
from typer._click.utils import make_default_short_help

from mhtool.cli.command_registry import COMMANDS, LazyGroup, all_commands, summary_of


def root_group() -> LazyGroup:
    from mhtool.cli.app import app

    group = typer.main.get_command(app)
    assert isinstance(group, LazyGroup)
    return group


def test_every_summary_is_the_first_sentence_of_the_real_help() -> None:
    group = root_group()
    for entry in COMMANDS:
        real = group.commands[entry.name]
        assert entry.summary == summary_of(real), entry.name
        for limit in range(10, 120):  # what --help shows at any terminal width
            assert make_default_short_help(entry.summary, limit) == real.get_short_help_str(
                limit
            ), (entry.name, limit)


def test_group_help_lists_what_building_every_command_would_list() -> None:
    """The stand-ins used for the command list give the same lines as the built commands."""
    for path, command in all_commands(root_group()):
        if not isinstance(command, LazyGroup):
            continue
        for name, stand_in in command.summaries.items():
            built = command.commands[name]
            for limit in (30, 45, 80):
                assert stand_in.get_short_help_str(limit) == built.get_short_help_str(limit), (
                    f"{path} {name}"
                )


def test_the_tree_has_every_command_once_in_registration_order() -> None:
    paths = [path for path, _ in all_commands(root_group())]
    assert len(paths) == len(set(paths))
    assert [p.split()[1] for p in paths if len(p.split()) == 2] == [e.name for e in COMMANDS]
    for expected in (
        "mhtool signaal verrijk",
        "mhtool signaal wijzig",
        "mhtool persoon inzage",
        "mhtool persoon verwijder",
        "mhtool bewaartermijn zet",
        "mhtool audit controleer",
    ):
        assert expected in paths


def test_no_cli_module_imports_the_entry_point() -> None:
    """cli/app.py imports the registry; command modules reach the state through cli/context.py,
    so there is no import circle."""
    import ast
    from pathlib import Path

    import mhtool.cli

    folder = Path(mhtool.cli.__file__).parent
    for path in folder.glob("*.py"):
        if path.name == "app.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "mhtool.cli.app", path.name
                if node.module == "mhtool.cli":
                    assert "app" not in [a.name for a in node.names], path.name


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (("--help",), ("mhtool.cli.signal_commands", "mhtool.cli.search_commands")),
        (("zoek", "--help"), ("mhtool.cli.signal_commands", "mhtool.cli.general_commands")),
        (("meldroute",), ("mhtool.cli.signal_commands", "sqlite_utils", "rich.table")),
    ],
)
def test_a_command_imports_only_its_own_module(
    args: tuple[str, ...], absent: tuple[str, ...]
) -> None:
    code = (
        "import sys; sys.argv = ['mhtool', *sys.argv[1:]]\n"
        "from mhtool.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('geladen:' + ','.join(m for m in {absent!r} if m in sys.modules), file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )
    assert result.stderr.strip().splitlines()[-1] == "geladen:", result.stderr


def test_signal_help_builds_no_signal_command() -> None:
    """`mhtool signaal --help` lists the commands from their help texts alone."""
    import contextlib
    import io

    group = root_group()
    signal = group.commands["signaal"]
    assert isinstance(signal, LazyGroup)
    ctx = signal.make_context("signaal", ["--help"], resilient_parsing=True)
    with contextlib.redirect_stdout(io.StringIO()):
        signal.get_help(ctx)
    assert signal.commands._built == {}  # type: ignore[attr-defined]
