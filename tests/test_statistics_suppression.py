"""Small-count protection: counts 1..N-1 show as '<N', and no total is published from which a
suppressed count could be recovered by subtraction."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mhtool.domain.statistics_report import StatisticsReport, StatRow, TableKind
from tests.conftest import Cli
from tests.statistics_helpers import log, stats_json, table_rows


def _fill(cli: Cli) -> None:
    """Alkmaar 2025: 1, 2026: 6; Hoorn 2025: 5, 2026: 7."""
    plan = {("Alkmaar", 2025): 1, ("Alkmaar", 2026): 6, ("Hoorn", 2025): 5, ("Hoorn", 2026): 7}
    for (gemeente, year), count in plan.items():
        for day in range(count):
            log(cli, gemeente=gemeente, datum=f"{day + 1:02d}-03-{year}")


@pytest.mark.usefixtures("backend")
def test_small_counts_and_the_totals_that_would_reveal_them_are_withheld(cli: Cli) -> None:
    _fill(cli)
    data = stats_json(cli, "--onderdruk", "5")
    assert data["onderdrukking"] == 5
    rows = {r["gemeente"]: r for r in data["rijen"]}
    assert rows["Alkmaar"]["per_jaar"] == {"2025": "<5", "2026": 6}
    assert rows["Alkmaar"]["totaal"] is None  # 7 - 6 would give the suppressed 1
    assert rows["Hoorn"]["per_jaar"] == {"2025": 5, "2026": 7}
    assert rows["Hoorn"]["totaal"] == 12
    assert data["totaal"]["per_jaar"] == {"2025": None, "2026": 13}  # 6 - 5 would give it too
    assert data["totaal"]["totaal"] is None  # 19 - 12 - 6 would give it too

    shown = cli("statistiek", "--onderdruk", "5")
    assert table_rows(shown.stdout)[1:] == [
        ["Alkmaar", "<5", "6", "x"],
        ["Hoorn", "5", "7", "12"],
        ["Totaal", "x", "13", "x"],
    ]
    assert "totaal weggelaten, zodat onderdrukte aantallen niet terug te rekenen zijn" in (
        " ".join(shown.stdout.split())
    )


@pytest.mark.usefixtures("backend")
def test_without_onderdruk_everything_is_shown(cli: Cli) -> None:
    _fill(cli)
    data = stats_json(cli)
    assert data["onderdrukking"] is None
    assert data["rijen"][0]["per_jaar"] == {"2025": 1, "2026": 6}
    assert data["totaal"] == {"per_jaar": {"2025": 6, "2026": 13}, "totaal": 19}
    lowest = stats_json(cli, "--onderdruk", "2")
    assert lowest["rijen"][0]["per_jaar"] == {"2025": "<2", "2026": 6}


@pytest.mark.usefixtures("backend")
def test_suppression_reaches_csv_and_the_plan_tables(cli: Cli) -> None:
    _fill(cli)
    csv_text = cli("statistiek", "--onderdruk", "5", "--csv").stdout
    assert '"Alkmaar";"<5";"6";"x"' in csv_text
    assert '"1"' not in csv_text
    figures = stats_json(cli, "--tabel", "jaarcijfers", "--onderdruk", "5")
    assert figures["rijen"][0]["per_jaar"] == {"2025": 6, "2026": 13}
    assert figures["rijen"][1]["per_jaar"] == {"2025": 0, "2026": 0}


counts = st.lists(st.lists(st.integers(0, 12), min_size=3, max_size=3), min_size=1, max_size=6)


@pytest.mark.slow
@given(matrix=counts, threshold=st.integers(2, 6))
def test_no_published_total_covers_a_suppressed_cell(
    matrix: list[list[int]], threshold: int
) -> None:
    """For every suppressed cell, its row total, its year total and the grand total are all
    withheld; every count that is shown is the true count."""
    years = (2024, 2025, 2026)
    report = StatisticsReport(
        kind=TableKind.MUNICIPALITIES,
        title="t",
        headings=("Gemeente",),
        dimensions=("gemeente",),
        years=years,
        rows=tuple(StatRow((f"g{i}",), (f"g{i}",), tuple(r)) for i, r in enumerate(matrix)),
        year_totals=tuple(sum(r[c] for r in matrix) for c in range(3)),
        with_totals=True,
        threshold=threshold,
        municipalities=(),
    )
    body = report.body()
    totals = report.totals()
    assert totals is not None
    per_year, grand = totals
    small = [
        (r, c)
        for r, c in itertools.product(range(len(matrix)), range(3))
        if 0 < matrix[r][c] < threshold
    ]
    for r, c in small:
        assert body[r][1][c] == f"<{threshold}"
        assert body[r][2] is None
        assert per_year[c] is None
        assert grand is None
    for r, c in itertools.product(range(len(matrix)), range(3)):
        if (r, c) not in small:
            assert body[r][1][c] == matrix[r][c]
    if not small:
        assert grand == sum(map(sum, matrix))
