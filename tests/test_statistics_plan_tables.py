"""The fictitious example data set reproduces the policy plan's §1.5 tables exactly, and
`mhtool statistiek` prints them in the plan's shape (rows = figure or gemeente, columns = years)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Backend, Cli
from tests.statistics_helpers import table_rows

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "plan_1_5_cijfers.py"
SERVER_TEMPLATE = "mhtool_plan_1_5"


def _fill_with_example(target: str) -> None:
    """The example script, as a user runs it, on a new file or an empty server database."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), "--db", target], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "141 fictieve signalen" in done.stdout


@pytest.fixture(scope="module")
def plan_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "plan.db"
    _fill_with_example(str(path))
    return path


@pytest.fixture
def plan_db(backend: Backend, plan_db_template: Path, tmp_path: Path) -> Iterator[Backend]:
    """The example data set on this backend: a copy of the file filled once per module, or a
    server database cloned from a template filled once per session. `.target` is what --db
    takes, `.rows` reads what is stored."""
    if backend.cluster is None:
        copy = tmp_path / "plan.db"
        shutil.copy(plan_db_template, copy)
        yield Backend("sqlite", str(copy))
        return
    cluster = backend.cluster
    template = cluster.ensure_template(SERVER_TEMPLATE, _fill_with_example)
    name = cluster.fresh_database(template)
    try:
        yield Backend("postgresql", cluster.url(name), cluster, name)
    finally:
        cluster.drop_database(name)


def test_year_figures_table_matches_the_plan(cli: Cli, plan_db: Backend) -> None:
    result = cli("--db", plan_db.target, "statistiek", "--tabel", "jaarcijfers")
    assert result.exit_code == 0, result.output
    assert table_rows(result.stdout) == [
        ["Jaar", "2022", "2023"],
        ["Aantal ontvangen signalen Noord-Holland Noord", "93", "48"],
        ["Strafrechtelijk opgepakt", "8", "10"],
        ["Opvang slachtoffers", "5", "5"],
    ]


def test_driehoek_table_matches_the_plan(cli: Cli, plan_db: Backend) -> None:
    result = cli("--db", plan_db.target, "statistiek", "--tabel", "driehoek", "--jaar", "2022-2023")
    assert result.exit_code == 0, result.output
    assert table_rows(result.stdout) == [
        ["Jaar", "2022", "2023"],
        ["Dijk en Waard", "2", "15"],
        ["Hollands Kroon", "2", "2"],
        ["Koggenland", "5", "1"],
    ]


def test_plan_tables_as_csv_and_json(cli: Cli, plan_db: Backend) -> None:
    csv_out = cli("--db", plan_db.target, "statistiek", "--tabel", "jaarcijfers", "--csv")
    assert csv_out.exit_code == 0, csv_out.output
    assert csv_out.stdout.splitlines() == [
        '"Jaar";"2022";"2023"',
        '"Aantal ontvangen signalen Noord-Holland Noord";"93";"48"',
        '"Strafrechtelijk opgepakt";"8";"10"',
        '"Opvang slachtoffers";"5";"5"',
    ]
    data = json.loads(
        cli("--db", plan_db.target, "statistiek", "--tabel", "driehoek", "--json").stdout
    )
    assert data["tabel"] == "driehoek"
    assert data["jaren"] == [2022, 2023]
    assert [(r["gemeente"], r["per_jaar"]) for r in data["rijen"]] == [
        ("Dijk en Waard", {"2022": 2, "2023": 15}),
        ("Hollands Kroon", {"2022": 2, "2023": 2}),
        ("Koggenland", {"2022": 5, "2023": 1}),
    ]


def test_example_went_through_the_real_write_path(plan_db: Backend) -> None:
    """Every signal has its history and route events, and the figures are in the stored rows."""
    assert plan_db.rows("SELECT year, count(*) FROM signal GROUP BY year ORDER BY year") == [
        (2022, 93),
        (2023, 48),
    ]
    assert plan_db.rows(
        "SELECT year, sum(criminal_case), sum(shelter_arranged) FROM signal GROUP BY year "
        "ORDER BY year"
    ) == [(2022, 8, 5), (2023, 10, 5)]
    without_history = plan_db.rows(
        "SELECT count(*) FROM signal s WHERE NOT EXISTS "
        "(SELECT 1 FROM history h WHERE h.signal_id = s.id AND h.action = 'aangemaakt')",
    )
    assert without_history == [(0,)]
    names = plan_db.rows("SELECT DISTINCT substr(name, 1, 15) FROM person")
    assert names == [("Fictief Persoon",)]


def test_default_table_has_totals_row_and_the_region_total(cli: Cli, plan_db: Backend) -> None:
    result = cli("--db", plan_db.target, "statistiek", "--gemeente", "nhn")
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout)
    assert rows[0] == ["Gemeente", "2022", "2023", "Totaal"]
    assert rows[-1] == ["Totaal", "93", "48", "141"]
    assert ["Dijk en Waard", "2", "15", "17"] in rows
    assert len(rows) == 1 + 17 + 1  # header, every NHN gemeente, totals


DOC = Path(__file__).resolve().parent.parent / "docs" / "statistiek-en-rapport.md"


def _doc_commands() -> list[list[str]]:
    """The `mhtool --db voorbeeld.db ...` lines of the documentation's example block."""
    import shlex

    return [
        shlex.split(line)[1:]
        for line in DOC.read_text().splitlines()
        if line.startswith("mhtool --db voorbeeld.db ")
    ]


def test_documented_examples_run_and_show_what_the_doc_shows(
    cli: Cli, plan_db: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    if plan_db.is_postgresql:  # the same commands against the server database
        commands = [
            [plan_db.target if a == "voorbeeld.db" else a for a in c] for c in _doc_commands()
        ]
    else:
        shutil.copy(plan_db.target, tmp_path / "voorbeeld.db")
        commands = _doc_commands()
    assert len(commands) >= 6
    for argv in commands:
        result = cli(*argv)
        assert result.exit_code == 0, (argv, result.output)
    assert (tmp_path / "weekrapport.html").exists()
    documented = table_rows(DOC.read_text().split("De eerste opdracht toont:")[1].split("```")[1])
    shown = table_rows(cli(*commands[0]).stdout)
    assert documented == shown
