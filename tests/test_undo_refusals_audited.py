"""A refused `mhtool ongedaan` leaves an entry in the audit log, as every other refused action
does: nothing to undo, someone else built on it, an erasure. Codes only, no names."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.backend_helpers import as_user
from tests.conftest import Backend, Cli

# Refused undos in the audit log, on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")

NewSignal = Callable[..., str]


def _undo_entries(backend: Backend) -> list[tuple[object, ...]]:
    return backend.rows(
        "SELECT by_user, result, details FROM audit_log WHERE action = 'ongedaan' ORDER BY id",
    )


def test_refused_undos_are_in_the_audit_log(cli: Cli, new_signal: NewSignal, backend: Backend) -> None:
    ref = new_signal("--persoon", "naam=Geheime Naam; rol=slachtoffer")
    nothing = cli(*as_user(backend, "carla"), "ongedaan", "--ja")
    assert nothing.exit_code == 3, nothing.output
    assert cli(*as_user(backend, "bert"), "signaal", "notitie", ref, "Van Bert").exit_code == 0
    built_on = cli("ongedaan", "--ja")
    assert built_on.exit_code == 6, built_on.output
    assert _undo_entries(backend) == [
        ("carla", "niet-gevonden", '{"fout":"notfounderror"}'),
        (backend.rows("SELECT by_user FROM history WHERE id = 1")[0][0], "geweigerd",
         '{"fout":"notallowederror"}'),
    ]  # fmt: skip
    assert "Geheime" not in str(backend.rows("SELECT * FROM audit_log"))
