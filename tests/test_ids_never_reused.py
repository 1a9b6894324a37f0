"""Ids of persons, addresses, organisations and the rows of a signal are never handed out twice.

History rows and audit entries name a row by its id. A person taken back with `mhtool ongedaan`
keeps its history rows, and an erased person keeps its audit entries; a new person given the
same id would inherit them: `persoon inzage` of the new person listed the old one's name."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Backend, Cli

# Ids never handed out twice, on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")

NewSignal = Callable[..., str]


def _ids(backend: Backend, table: str) -> list[int]:
    return [int(str(i)) for (i,) in backend.rows(f"SELECT id FROM {table} ORDER BY id")]  # noqa: S608


def test_a_person_taken_back_by_ongedaan_never_lends_its_id_or_history(
    cli: Cli, new_signal: NewSignal, backend: Backend, tmp_path: Path
) -> None:
    new_signal("--persoon", "naam=Blijft Staan; rol=betrokkene")
    new_signal(
        "--persoon",
        "naam=Piet Teruggenomen; rol=slachtoffer",
        "--adres",
        "straat=Terugweg; nummer=3; plaats=Hoorn",
        "--organisatie",
        "naam=Terug BV; kvk=11223344",
    )
    taken = {t: _ids(backend, t)[-1] for t in ("person", "address", "organisation")}
    ref = new_signal(datum="02-11-2026")
    assert cli("signaal", "notitie", ref, "Eerste notitie").exit_code == 0
    old_note = _ids(backend, "note")[-1]
    assert cli("ongedaan", "--ja").exit_code == 0  # the note
    assert cli("signaal", "notitie", ref, "Tweede notitie").exit_code == 0
    assert _ids(backend, "note")[-1] > old_note
    # Take back the note (again), the third and the second signal: persons, addresses and
    # organisations of the second signal go with it.
    for _ in range(3):
        undone = cli("ongedaan", "--ja")
        assert undone.exit_code == 0, undone.output
    assert backend.rows("SELECT name FROM person") == [("Blijft Staan",)]

    new_signal(
        "--persoon",
        "naam=Anna Nieuw; rol=slachtoffer",
        "--adres",
        "straat=Nieuwweg; nummer=8; plaats=Hoorn",
        "--organisatie",
        "naam=Nieuw BV; kvk=55667788",
        datum="03-11-2026",
    )
    for table, old_id in taken.items():
        assert _ids(backend, table)[-1] > old_id, table
    anna = _ids(backend, "person")[-1]
    out = tmp_path / "inzage.json"
    result = cli("persoon", "inzage", str(anna), "--uitvoer", str(out))
    assert result.exit_code == 0, result.output
    assert "Anna Nieuw" in out.read_text(encoding="utf-8")
    assert "Teruggenomen" not in out.read_text(encoding="utf-8")
    shown = cli("persoon", "toon", str(taken["person"]))
    assert shown.exit_code == 3, shown.output


def test_an_erased_person_never_lends_its_id(
    cli: Cli, new_signal: NewSignal, backend: Backend
) -> None:
    new_signal("--persoon", "naam=Karel Gewist; rol=slachtoffer")
    erased = _ids(backend, "person")[-1]
    result = cli("persoon", "verwijder", str(erased), "--reden", "avg-verzoek", "--ja")
    assert result.exit_code == 0, result.output
    new_signal("--persoon", "naam=Els Later; rol=slachtoffer")
    later = _ids(backend, "person")[-1]
    assert later > erased
    audit = json.loads(cli("audit", "toon", "--persoon", str(later), "--json").stdout)
    assert all(e["actie"] != "persoon.verwijder" for e in audit)
