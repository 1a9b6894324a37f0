"""Schema 7 (correctable record) on a file made by schema 6: nothing lost, every signal counted
in the year of its receipt date, none annulled, and the statistics exactly as before."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import Cli
from tests.signal_helpers import query

FIXTURES = Path(__file__).parent / "fixtures"


def test_schema_6_file_upgrades_with_the_same_figures(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "mhtool.db"
    shutil.copyfile(FIXTURES / "schema-6.db", db)
    before_rows = query(db, "SELECT id, ref, year, received_on, step FROM signal ORDER BY id")
    before_history = query(db, "SELECT id, action, changes FROM history ORDER BY id")

    stats = cli("--db", str(db), "statistiek", "--jaar", "2025-2026", "--json")
    assert stats.exit_code == 0, stats.output
    assert "schemaversie 6 naar" in stats.stderr
    assert int(str(query(db, "PRAGMA user_version")[0][0])) >= 7
    assert query(db, "SELECT id, ref, year, received_on, step FROM signal ORDER BY id") == (
        before_rows
    )
    assert query(db, "SELECT id, action, changes FROM history ORDER BY id") == before_history
    assert query(db, "SELECT count(*) FROM signal WHERE received_year <> year") == [(0,)]
    assert query(db, "SELECT count(*) FROM signal WHERE annulled_on IS NOT NULL") == [(0,)]
    figures = json.loads(stats.stdout)
    listed = json.loads(cli("--db", str(db), "signaal", "lijst", "--json").stdout)
    assert len(listed) == len(before_rows)
    # Every signal is counted once, in the year it was received.
    per_year: dict[str, int] = {}
    for row in before_rows:
        per_year[str(row[3])[:4]] = per_year.get(str(row[3])[:4], 0) + 1
    assert figures["totaal"]["per_jaar"] == per_year


def test_received_year_follows_the_receipt_date_whatever_writes_it(cli: Cli, db_path: Path) -> None:
    """Triggers keep received_year exact even for rows written outside mhtool's own code."""
    assert cli("init").exit_code == 0
    from tests.signal_helpers import execute

    execute(
        db_path,
        "INSERT INTO signal (ref, year, seq, received_on, municipality, reporter, channel, "
        "acute, description, step, step_since, created_at, created_by, updated_at) VALUES "
        "('MH-2024-0001', 2024, 1, '2024-05-01', 'Hoorn', 'x', 'mail', 0, 'x', 1, "
        "'2024-05-01', 'x', 'x', 'x')",
        "UPDATE signal SET received_on = '2025-01-02' WHERE ref = 'MH-2024-0001'",
    )
    assert query(db_path, "SELECT year, received_year FROM signal") == [(2024, 2025)]
