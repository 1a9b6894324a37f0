"""The interactive form of `signaal nieuw` offers earlier matches and links on request.
questionary needs a real terminal, so the installed `mhtool` runs under a pty (pexpect)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

pytestmark = pytest.mark.slow

# Installed by the test command (pip install -e '.[test]'); a missing one must fail, not skip.
MHTOOL = shutil.which("mhtool", path=str(Path(sys.executable).parent))
DOWN = "\x1b[B"
FLAGS = [
    "--datum",
    "01-06-2025",
    "--gemeente",
    "Hoorn",
    "--melder",
    "X",
    "--afdeling",
    "Y",
    "--kanaal",
    "mail",
    "--vorm",
    "arbeid",
    "--niet-acuut",
    "--ja",  # the receipt date is more than a year ago
]


def _run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert MHTOOL is not None
    return subprocess.run(
        [MHTOOL, "--db", str(db), *args], capture_output=True, text=True, check=False
    )


def _form(db: Path, name: str, link_choice: str) -> None:
    assert MHTOOL is not None
    env = dict(os.environ, COLUMNS="200", PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(
        MHTOOL,
        ["--db", str(db), "signaal", "nieuw", *FLAGS],
        env=env,
        encoding="utf-8",
        timeout=15,
        dimensions=(40, 200),
    )
    child.expect("Omschrijving")
    child.sendline("Tweede signaal over dezelfde persoon")
    child.expect("persoon toevoegen")
    child.send("j\r")
    child.expect("Naam:")
    child.sendline(name)
    child.expect("Geboortedatum")
    child.sendline("")
    child.expect("Rol:")
    child.sendline("")
    child.expect("Nationaliteit")
    child.sendline("")
    child.expect("Eerdere registraties gevonden voor deze persoon")
    child.expect("Koppelen aan persoon 1: Jan de Vries")
    child.send(link_choice)
    child.expect("Nog een persoon")
    child.send("n\r")
    child.expect("adres toevoegen")
    child.send("n\r")
    child.expect("organisatie toevoegen")
    child.send("n\r")
    child.expect("Opslaan")
    child.send("j\r")
    child.expect("vastgelegd")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "form.db"
    first = _run(
        path,
        "signaal",
        "nieuw",
        *FLAGS,
        "--omschrijving",
        "Eerste",
        "--persoon",
        "naam=Jan de Vries; rol=slachtoffer",
    )
    assert first.returncode == 0, first.stderr
    return path


def test_form_links_to_the_chosen_earlier_person(db: Path) -> None:
    _form(db, "J. de Vries", DOWN + "\r")
    shown = json.loads(_run(db, "signaal", "toon", "MH-2025-0002", "--json").stdout)
    assert [p["id"] for p in shown["personen"]] == [1]
    timeline = json.loads(_run(db, "persoon", "toon", "1", "--json").stdout)
    assert [s["id"] for s in timeline["signalen"]] == ["MH-2025-0001", "MH-2025-0002"]


def test_form_creates_a_new_person_by_default(db: Path) -> None:
    _form(db, "J. de Vries", "\r")
    shown = json.loads(_run(db, "signaal", "toon", "MH-2025-0002", "--json").stdout)
    assert [(p["id"], p["naam"]) for p in shown["personen"]] == [(2, "J. de Vries")]
