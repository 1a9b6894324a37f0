"""`mhtool ongedaan --json` speaks the user's language like `signaal toon --json` does: Dutch
object names, field names and actions, never table or column names."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.conftest import Cli

# The JSON of ongedaan, on a file and on a PostgreSQL server alike.
pytestmark = pytest.mark.usefixtures("backend")

NewSignal = Callable[..., str]


def test_undo_json_uses_the_dutch_names_of_the_history(cli: Cli, new_signal: NewSignal) -> None:
    ref = new_signal()
    assert cli("signaal", "vervallen", ref, "--reden", "dubbel").exit_code == 0
    result = cli("ongedaan", "--ja", "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["signaal"] == ref
    assert plan["actie"] == "vervallen verklaard"
    by_object = {s["object"]: s for s in plan["stappen"]}
    assert set(by_object) == {"signaal", "verloop"}
    changed = by_object["signaal"]
    assert changed["soort"] == "herstel"
    assert changed["vervallen_op"]["nieuw"] is None
    assert "annulled_on" not in changed and "destroy_on" not in changed
    assert "vernietigingsdatum" in changed

    assert cli("signaal", "notitie", ref, "Een notitie").exit_code == 0
    note = json.loads(cli("ongedaan", "--ja", "--json").stdout)
    assert note["actie"] == "notitie"
    assert [s["object"] for s in note["stappen"]] == ["notitie"]
