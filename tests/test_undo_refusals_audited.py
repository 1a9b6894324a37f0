"""A refused `mhtool ongedaan` leaves an entry in the audit log, as every other refused action
does: nothing to undo, someone else built on it, an erasure. Codes only, no names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Cli
from tests.signal_helpers import query

NewSignal = Callable[..., str]


def _undo_entries(db_path: Path) -> list[tuple[object, ...]]:
    return query(
        db_path,
        "SELECT by_user, result, details FROM audit_log WHERE action = 'ongedaan' ORDER BY id",
    )


def test_refused_undos_are_in_the_audit_log(cli: Cli, new_signal: NewSignal, db_path: Path) -> None:
    ref = new_signal("--persoon", "naam=Geheime Naam; rol=slachtoffer")
    nothing = cli("--gebruiker", "carla", "ongedaan", "--ja")
    assert nothing.exit_code == 3, nothing.output
    assert cli("--gebruiker", "bert", "signaal", "notitie", ref, "Van Bert").exit_code == 0
    built_on = cli("ongedaan", "--ja")
    assert built_on.exit_code == 6, built_on.output
    assert _undo_entries(db_path) == [
        ("carla", "niet-gevonden", '{"fout":"notfounderror"}'),
        (query(db_path, "SELECT by_user FROM history WHERE id = 1")[0][0], "geweigerd",
         '{"fout":"notallowederror"}'),
    ]  # fmt: skip
    assert "Geheime" not in str(query(db_path, "SELECT * FROM audit_log"))
