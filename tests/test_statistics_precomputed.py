"""`statistiek --per vorm/sector` read from the counts that triggers keep (migration 11): after
any kind of change they equal a straightforward count over the link tables."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any

import pytest

from mhtool.store.connection import Store
from tests.conftest import Backend, Cli
from tests.statistics_helpers import advance, change_behind_mhtools_back, close, log

DIMENSIONS = ("gemeente", "stap", "kanaal", "conclusie", "vorm", "sector")
REFERENCE = {
    # The queries `statistiek` ran before migration 11: every signal joined to its links.
    "gemeente": ("s.municipality", ""),
    "stap": ("s.step", ""),
    "kanaal": ("s.channel", ""),
    "conclusie": ("s.conclusion", ""),
    "vorm": ("coalesce(sf.form, 'onbekend')", "LEFT JOIN signal_form sf ON sf.signal_id = s.id"),
    "sector": (
        "CASE WHEN o.id IS NULL THEN '' WHEN o.sector = '' THEN '?' ELSE o.sector END",
        "LEFT JOIN signal_organisation so ON so.signal_id = s.id "
        "LEFT JOIN organisation o ON o.id = so.organisation_id",
    ),
}


def reference_counts(db: Backend, dimensions: tuple[str, ...]) -> list[tuple[Any, ...]]:
    expressions = [REFERENCE[d][0] for d in dimensions]
    counted = "count(DISTINCT s.id)" if "sector" in dimensions else "count(*)"
    joins = " ".join(dict.fromkeys(REFERENCE[d][1] for d in dimensions if REFERENCE[d][1]))
    columns = ", ".join(f"{e} AS k{i}" for i, e in enumerate(expressions))
    groups = ", ".join(f"k{i}" for i in range(len(expressions)))
    sql = (
        f"SELECT s.received_year, {columns}, {counted} FROM signal s {joins} "  # noqa: S608
        f"WHERE s.annulled_on IS NULL GROUP BY s.received_year, {groups}"
    )
    rows = db.rows(sql)
    return sorted((r[0], *("" if k is None else k for k in r[1:-1]), r[-1]) for r in rows)


def open_backend(db: Backend) -> Store:
    """The store mhtool itself opens for this database (file or server)."""
    if db.is_postgresql:
        from mhtool.store.postgres_connection import open_server

        return open_server(db.target, db.target)
    from mhtool.store.open_store import open_store

    return open_store(Path(db.target))


def mhtool_counts(db: Backend, dimensions: tuple[str, ...]) -> list[tuple[Any, ...]]:
    from mhtool.store.statistics import count_per_group

    store = open_backend(db)
    try:
        years = list(range(2000, 2031))
        return sorted(count_per_group(store, dimensions, years, []))
    finally:
        store.close()


def groupings() -> list[tuple[str, ...]]:
    single = [(d,) for d in DIMENSIONS]
    pairs = list(itertools.permutations(DIMENSIONS, 2))
    return [g for g in single + pairs if {"vorm", "sector"} & set(g)]


def assert_equal_to_reference(db: Backend) -> None:
    for dimensions in groupings():
        assert mhtool_counts(db, dimensions) == reference_counts(db, dimensions), dimensions


def test_counts_follow_every_kind_of_change(cli: Cli, backend: Backend) -> None:
    one = log(cli, "--vorm", "arbeid", datum="10-03-2025")
    two = log(
        cli,
        "--vorm",
        "arbeid",
        "--vorm",
        "seksueel",
        "--organisatie",
        "naam=Voorbeeld BV; sector=horeca",
        "--organisatie",
        "naam=Tweede BV; sector=horeca",
        "--organisatie",
        "naam=Derde BV",
        datum="02-02-2026",
    )
    three = log(cli, gemeente="Hollands Kroon", datum="03-02-2026")  # no form, no organisation
    four = log(cli, "--vorm", "crimineel", "--organisatie", "naam=Vierde; sector=agrarisch")
    assert_equal_to_reference(backend)

    # Forms replaced, gemeente corrected, organisations added, steps taken and closed.
    for args in (
        ("signaal", "wijzig", two, "--vorm", "crimineel", "--reden", "test"),
        ("signaal", "wijzig", one, "--gemeente", "Texel", "--reden", "test"),
        ("signaal", "verrijk", three, "--organisatie", "naam=Vijfde; sector=bouw"),
    ):
        result = cli(*args)
        assert result.exit_code == 0, result.output
    advance(cli, four, "02-11-2026", "--controle", "niets gevonden")
    close(cli, one, ("11-03-2025", "12-03-2025", "13-03-2025", "14-03-2025"))
    assert_equal_to_reference(backend)

    # Writes that bypass mhtool's own code paths are followed too (the triggers see them).
    change_behind_mhtools_back(
        backend,
        [
            ("UPDATE organisation SET sector = 'bouw' WHERE name = 'Voorbeeld BV'", ()),
            ("UPDATE organisation SET sector = '' WHERE name = 'Vierde'", ()),
            ("DELETE FROM organisation WHERE name = 'Tweede BV'", ()),
            ("DELETE FROM signal_form WHERE form = 'crimineel'", ()),
            ("UPDATE signal SET received_on = '2024-12-31' WHERE ref = ?", (three,)),
            ("UPDATE signal SET annulled_on = '2026-11-02' WHERE ref = ?", (two,)),
            ("DELETE FROM signal WHERE ref = ?", (four,)),
        ],
    )
    assert_equal_to_reference(backend)
    left = backend.rows("SELECT count(*) FROM signal_group_count WHERE pairs <= 0")
    assert left == [(0,)]


@pytest.mark.usefixtures("backend")
def test_statistiek_output_is_unchanged_for_vorm_and_sector(cli: Cli) -> None:
    """What a user sees: the table of `--per vorm` and `--per sector,gemeente`."""
    log(cli, "--vorm", "arbeid", "--vorm", "seksueel", datum="02-02-2026")
    log(cli, "--organisatie", "naam=Zonder sector", datum="03-02-2026")
    data = cli("statistiek", "--per", "vorm", "--json")
    assert data.exit_code == 0, data.output
    assert '"arbeid"' in data.stdout and '"onbekend"' in data.stdout
    sectors = cli("statistiek", "--per", "sector", "--per", "gemeente", "--json")
    assert sectors.exit_code == 0, sectors.output
    assert '"?"' in sectors.stdout


@pytest.mark.parametrize("fixture", ["schema-6.db", "schema-7.db", "schema-10.db"])
def test_an_upgraded_file_counts_as_the_link_tables_say(
    fixture: str, tmp_path: Path, cli: Cli
) -> None:
    """Migration 11 fills the counts in bulk (not through the triggers): the same numbers."""
    db = tmp_path / "mhtool.db"
    shutil.copyfile(Path(__file__).parent / "fixtures" / fixture, db)
    assert cli("--db", str(db), "info").exit_code == 0  # upgrades the file
    upgraded = Backend("sqlite", str(db))
    assert_equal_to_reference(upgraded)
    assert reference_counts(upgraded, ("vorm",))  # the fixture has signals with forms
