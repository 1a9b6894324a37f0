"""docs/cli.md is generated from the commands' own help; a stale copy fails here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "scripts" / "cli_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("cli_reference", module)
    spec.loader.exec_module(module)
    return module


def test_docs_cli_md_matches_the_commands_help() -> None:
    generator = load_generator()
    expected: str = generator.generate()
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == expected, (
        "docs/cli.md is out of date with the commands' help; regenerate it with "
        f"'{generator.REGENERATE}' (from the repository root) and commit the result."
    )


def test_reference_covers_every_command_with_its_options() -> None:
    import typer.main

    from mhtool.cli.app import app

    text = load_generator().generate()
    root = typer.main.get_command(app)
    ctx = root.make_context("mhtool", [], resilient_parsing=True)
    for name in root.list_commands(ctx):  # type: ignore[attr-defined]
        command = root.get_command(ctx, name)  # type: ignore[attr-defined]
        assert f"`mhtool {name}`" in text
        for sub in getattr(command, "commands", {}):
            assert f"`mhtool {name} {sub}`" in text
    assert "--avim-geinformeerd" in text and "Gebruik: mhtool signaal nieuw [OPTIES]" in text


def test_check_mode_names_the_regenerate_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    generator = load_generator()
    stale = tmp_path / "cli.md"
    stale.write_text("# oud\n", encoding="utf-8")
    monkeypatch.setattr(generator, "REFERENCE", stale)
    assert generator.main(["--check"]) == 1
    assert "python scripts/cli_reference.py" in capsys.readouterr().err
    assert stale.read_text(encoding="utf-8") == "# oud\n"
    assert generator.main([]) == 0
    assert stale.read_text(encoding="utf-8") == generator.generate()
    assert generator.main(["--check"]) == 0
