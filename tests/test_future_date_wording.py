"""A date in the future is refused with what to do about it, in one sentence, for every date
the officer types: receipt, step, note, AVIM moment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Cli
from tests.record_helpers import dump

NewSignal = Callable[..., str]


def test_future_dates_say_what_to_check(cli: Cli, new_signal: NewSignal, db_path: Path) -> None:
    ref = new_signal("--acuut")
    future = (dt.date.today() + dt.timedelta(days=40)).strftime("%d-%m-%Y")
    before = dump(db_path)
    for args in (
        ("signaal", "stap", ref, "--controle", "x", "--datum", future),
        ("signaal", "notitie", ref, "tekst", "--datum", future),
        ("signaal", "wijzig", ref, "--datum", future, "--reden", "r"),
        ("signaal", "avim", ref, "--op", f"{future} 10:00"),
    ):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "ligt in de toekomst; controleer" in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1
    assert dump(db_path) == before
