"""The installed `mhtool` console script in a subprocess, as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Backend

pytestmark = pytest.mark.slow


def mhtool_command() -> list[str]:
    installed = shutil.which("mhtool", path=str(Path(sys.executable).parent))
    assert installed, "mhtool is not installed next to this Python; run the README test command"
    return [installed]


def run(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MHTOOL_DB": str(db), "COLUMNS": "200"}
    env.pop("MHTOOL_DEBUG", None)
    return subprocess.run(
        [*mhtool_command(), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_a_signal_through_the_whole_route(backend: Backend) -> None:
    """The installed program, on a file and on a PostgreSQL server."""
    db = backend.target
    created = run(
        db,
        "signaal",
        "nieuw",
        "--datum",
        "02-11-2026",
        "--gemeente",
        "Dijk en Waard",
        "--melder",
        "Balie",
        "--kanaal",
        "persoonlijk",
        "--vorm",
        "arbeid",
        "--omschrijving",
        "Zes mannen in één kamer",
        "--adres",
        "straat=Middenweg; nummer=5; postcode=1704 AA; plaats=Heerhugowaard",
        "--json",
    )
    assert created.returncode == 0, created.stderr
    ref = json.loads(created.stdout)["id"]
    assert ref == "MH-2026-0001"
    for args in (
        ("--controle", "geen eerdere registraties"),
        ("--partner", "oe-wijk"),
        (
            "--naar",
            "5",
            "--reden",
            "geen vermoeden",
            "--conclusie",
            "geen",
            "--geen-terugkoppeling",
        ),
    ):
        moved = run(db, "signaal", "stap", ref, *args)
        assert moved.returncode == 0, moved.stderr
    shown = run(db, "signaal", "toon", ref)
    assert shown.returncode == 0
    assert "geen mensenhandel" in shown.stdout
    assert "overgeslagen naar stap 5" in shown.stdout
    listed = json.loads(run(db, "signaal", "lijst", "--afgerond", "--json").stdout)
    assert [s["id"] for s in listed] == [ref]


def test_errors_are_dutch_without_traceback(tmp_path: Path) -> None:
    text_file = tmp_path / "notities.txt"
    text_file.write_text("geen database")
    result = run(text_file, "signaal", "lijst")
    assert result.returncode == 4
    assert result.stderr.startswith("Fout: ")
    assert "Traceback" not in result.stderr
    assert text_file.read_text() == "geen database"


def test_help_and_version(tmp_path: Path) -> None:
    helped = run(tmp_path / "x.db", "--help")
    assert helped.returncode == 0
    assert "Gebruik: mhtool" in helped.stdout and "signaal" in helped.stdout
    version = run(tmp_path / "x.db", "--versie")
    assert version.stdout.startswith("mhtool ")
    assert not (tmp_path / "x.db").exists()


def test_python_dash_m_works(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mhtool", "meldroute"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "stap 5 afronding" in result.stdout


def test_cli_import_stays_light() -> None:
    """Heavy modules are imported by the commands that need them, never at start-up."""
    code = (
        "import sys, mhtool.cli.app; "
        "heavy = [m for m in ('questionary', 'sqlite_utils', 'tabulate', 'rich.table', "
        "'prompt_toolkit', 'rapidfuzz', 'openpyxl', 'sqlcipher3', 'psycopg') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("args", [("--help",), ("signaal", "nieuw", "--help"), ("signaal",)])
def test_help_loads_no_rich_at_all(args: tuple[str, ...]) -> None:
    """Help is click's plain formatter in Dutch; typer.rich_utils would pull rich.markdown,
    markdown_it and pygments into every start (≈ 70 ms)."""
    code = (
        "import sys; sys.argv = ['mhtool', *sys.argv[1:]]\n"
        "from mhtool.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('rich', 'typer.rich_utils', 'markdown_it', 'pygments', "
        "'sqlite_utils', 'questionary') if m in sys.modules]\n"
        "print('geladen:' + ','.join(heavy), file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )
    assert "Gebruik: mhtool" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "geladen:"


@pytest.mark.parametrize("args", [("signaal", "lijst"), ("info",)])
def test_commands_do_not_need_questionary(tmp_path: Path, args: tuple[str, ...]) -> None:
    code = (
        "import sys, runpy; sys.argv = ['mhtool', *sys.argv[1:]]; "
        "from mhtool.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('questionary' in sys.modules, file=sys.stderr)"
    )
    env = {**os.environ, "MHTOOL_DB": str(tmp_path / "q.db")}
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.stderr.strip().endswith("False"), result.stderr
