"""No command walks every signal through a list index or for the annulled filter alone.

The list indexes of migration 11 (`signal_listed`, `signal_by_municipality`, `signal_acute`)
are partial (`WHERE annulled_on IS NULL`) with `annulled_on` last. While they led with
`annulled_on`, SQLite (without `sqlite_stat1`) took `annulled_on IS NULL` for a selective
equality and preferred them over the index that fits the query (a date range, a year): at 1M
signals, walking almost every row for statistics and the weekly report. This test runs the
commands that read signals and explains every query they ran, so an index shape that draws
other queries to it again is caught.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mhtool.store import connection
from tests.conftest import Cli

_WALKING = re.compile(
    r"USING (COVERING )?INDEX \w+ \(annulled_on=\?\)$"
    r"|^SCAN \w+ USING (COVERING )?INDEX (signal_listed|signal_by_municipality|signal_acute)$"
)


@pytest.fixture
def traced(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement any store opened during the test ran, with its values filled in."""
    seen: list[str] = []
    original = connection.SqliteStore.__init__

    def init(self: connection.SqliteStore, conn: sqlite3.Connection, *args: Any, **kwargs: Any) -> None:
        original(self, conn, *args, **kwargs)
        conn.set_trace_callback(seen.append)

    monkeypatch.setattr(connection.SqliteStore, "__init__", init)
    yield seen


def test_reading_commands_never_walk_every_signal_for_the_annulled_filter(
    db_path: Path, cli: Cli, traced: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # exports land here
    for datum in ("01-02-2026", "03-03-2026", "05-05-2025", "20-11-2026"):
        made = cli(
            "signaal", "nieuw", "--datum", datum, "--gemeente", "Texel", "--melder", "A",
            "--kanaal", "mail", "--vorm", "arbeid", "--acuut", "--omschrijving", "x",
            "--persoon", "naam=Jan de Vries; rol=slachtoffer", "--ja",
        )  # fmt: skip
        assert made.exit_code == 0, made
    assert cli("signaal", "stap", "MH-2026-0001", "--controle", "x").exit_code == 0
    commands = [
        ("statistiek",),
        ("statistiek", "--per", "vorm"),
        ("statistiek", "--jaar", "2026", "--per", "kanaal"),
        ("rapport",),
        ("agenda",),
        ("jaarverslag", "2026"),
        ("signaal", "lijst"),
        ("signaal", "lijst", "--open"),
        ("signaal", "lijst", "--gemeente", "Texel", "--jaar", "2026"),
        ("info",),
        ("opschonen", "--proef"),
        ("zoek", "Jan de Vries"),
    ]
    for args in commands:
        result = cli(*args)
        assert result.exit_code in (0, 3), (args, result)

    conn = sqlite3.connect(db_path)
    walking: set[tuple[str, str]] = set()
    explained = 0
    for statement in traced:
        text = statement.strip()
        if not text.upper().startswith(("SELECT", "WITH")):
            continue
        try:
            plan = [str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {text}")]
        except sqlite3.Error:
            continue  # temp tables or pragmas of another connection
        explained += 1
        walking.update((line, text[:200]) for line in plan if _WALKING.search(line))
    conn.close()
    assert explained > 20  # the trace really saw the commands' queries
    assert not walking, "\n".join(f"{line}\n    {query}" for line, query in sorted(walking))
