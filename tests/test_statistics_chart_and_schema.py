"""The terminal chart, the covering index of migration 2, and the layering of the new code."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mhtool.store import migrations
from mhtool.store.open_store import open_store
from tests.conftest import Cli
from tests.statistics_helpers import log, sql, table_rows


@pytest.fixture(autouse=True)
def existing_database(cli: Cli) -> None:
    """Reading commands never create the file, so each test starts from an initialised one."""
    assert cli("init").exit_code == 0


SRC = Path(__file__).resolve().parent.parent / "src" / "mhtool"


@pytest.mark.usefixtures("backend")
def test_chart_shows_signals_per_month_per_gemeente(cli: Cli) -> None:
    for day in ("02-03-2026", "03-03-2026", "04-03-2026", "05-07-2026"):
        log(cli, datum=day)
    log(cli, gemeente="Texel", datum="01-03-2026")
    data = json.loads(cli("statistiek", "--grafiek", "--jaar", "2026", "--json").stdout)
    assert data["maanden"][:3] == ["2026-01", "2026-02", "2026-03"]
    assert data["gemeenten"]["Dijk en Waard"][2] == 3
    assert data["gemeenten"]["Dijk en Waard"][6] == 1
    assert data["gemeenten"]["Texel"][2] == 1

    shown = cli("statistiek", "--grafiek", "--jaar", "2026")
    assert shown.exit_code == 0, shown.output
    rows = {r[0]: r for r in table_rows(shown.stdout)}
    months = rows["Dijk en Waard"][2].split(" ")
    assert months[2] == "█"  # the busiest month fills the cell
    assert months[0] == "·" and months[6] == "▃"
    assert rows["Dijk en Waard"][3] == "4"
    assert rows["Texel"][2].split(" ")[2] == "▃"
    assert "█ = 3 signalen in een maand" in shown.stdout


@pytest.mark.usefixtures("backend")
def test_chart_without_signals(cli: Cli) -> None:
    shown = cli("statistiek", "--grafiek", "--jaar", "2020")
    assert shown.exit_code == 0
    assert "Geen signalen in deze periode." in shown.stdout


def test_a_foundation_database_gains_the_statistics_index(tmp_path: Path, cli: Cli) -> None:
    path = tmp_path / "oud.db"
    first_only = [m for m in migrations.MIGRATIONS if m[0] == 1]
    original = list(migrations.MIGRATIONS)
    migrations.MIGRATIONS[:] = first_only
    try:
        store = open_store(path)
        store.close()
    finally:
        migrations.MIGRATIONS[:] = original
    assert sql(path, "PRAGMA user_version") == [(1,)]
    sql(
        path,
        "INSERT INTO signal (ref, year, seq, received_on, municipality, reporter, channel, acute, "
        "step, step_since, created_at, created_by, updated_at) VALUES ('MH-2026-0001', 2026, 1, "
        "'2026-02-01', 'Texel', 'x', 'mail', 0, 1, '2026-02-01', 'nu', 'test', 'nu')",
    )

    result = cli("--db", str(path), "statistiek", "--jaar", "2026", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rijen"][0]["gemeente"] == "Texel"
    assert sql(path, "PRAGMA user_version") == [(migrations.LATEST_VERSION,)]
    indexes = {n for (n,) in sql(path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "signal_statistics" in indexes
    assert "signal_by_year" not in indexes


def test_statistics_read_only_the_covering_index(db_path: Path, cli: Cli) -> None:
    """The query the store really runs (not a copy of it) counts while scanning the covering
    index, also when another index leads with `annulled_on` (a planner without statistics
    takes `annulled_on IS NULL` for a selective equality and then sorts every row)."""
    from mhtool.store.statistics import count_per_group

    log(cli, datum="01-02-2026")
    store = open_store(db_path, create=False)
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        assert count_per_group(store, ["gemeente", "stap", "kanaal", "conclusie"], [2026], [])
    finally:
        store.conn.set_trace_callback(None)
        store.close()
    query = next(s for s in seen if "count(*)" in s and "GROUP BY" in s)
    plan = sql(db_path, f"EXPLAIN QUERY PLAN {query}")
    details = " ".join(str(row[3]) for row in plan)
    assert "COVERING INDEX signal_statistics" in details
    assert "TEMP B-TREE" not in details  # counted while scanning, no sort


def _imports(folder: Path) -> set[str]:
    found: set[str] = set()
    for file in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(
                    node.module if node.module.startswith("mhtool") else node.module.split(".")[0]
                )
    return found


def test_exporters_depend_only_on_the_domain() -> None:
    used = _imports(SRC / "exporters")
    assert not used & {"typer", "rich", "sqlite3", "sqlite_utils", "questionary"}
    assert {m for m in used if m.startswith("mhtool.")} <= {
        "mhtool.domain.reports",
        "mhtool.errors",
        "mhtool.exporters.atomic",
        "mhtool.exporters.cell_safety",
        "mhtool.exporters.xlsx",  # its export mark, to recognise an earlier export
        "mhtool.safe_file",  # the one writer of private files, outside the layers like errors
    }


@pytest.mark.slow
def test_cli_start_does_not_load_reports_or_exporters() -> None:
    code = (
        "import sys, mhtool.cli.app; "
        "print(sorted(m for m in sys.modules if m.startswith(('mhtool.exporters', "
        "'mhtool.services.statistics', 'mhtool.services.weekly_report', 'tabulate', "
        "'openpyxl', 'rich.table'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_year_span_reads_two_index_entries_not_every_signal(db_path: Path, cli: Cli) -> None:
    from mhtool.store.statistics import year_span

    log(cli, datum="01-02-2025")
    log(cli, datum="01-02-2026")
    store = open_store(db_path, create=False)
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        assert year_span(store) == (2025, 2026)
    finally:
        store.conn.set_trace_callback(None)
        store.close()
    query = next(s for s in seen if "received_year" in s)
    details = " ".join(str(row[3]) for row in sql(db_path, f"EXPLAIN QUERY PLAN {query}"))
    assert "signal_listed" not in details
    assert "COVERING INDEX signal_statistics" in details
