"""`mhtool signaal lijst` at any size: a default limit with the total, pages, most relevant
first, every filter on an index, JSON/CSV streamed exactly as before, and a pager."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mhtool.services.signals import DEFAULT_LIST_LIMIT
from tests.backend_helpers import file_only, open_backend, stored_execute
from tests.conftest import Backend, Cli
from tests.signal_helpers import close_signal
from tests.statistics_helpers import log

# The list on a file and on a PostgreSQL server: the same signals in the same order, pages,
# JSON and CSV. SQLite's query plans and the pager are about the file (or nothing) alone.
pytestmark = pytest.mark.usefixtures("backend")

REFERENCE_FILTERS: dict[str, str] = {
    # The list's filters as a straightforward query: what `lijst` showed before (by --json).
    "": "1 = 1",
    "--stap 1": "step = 1",
    "--stap 2": "step = 2",
    "--gemeente Koggenland": "municipality = 'Koggenland'",
    "--vorm seksueel": "id IN (SELECT signal_id FROM signal_form WHERE form = 'seksueel')",
    "--jaar 2025": "received_year = 2025",
    "--open": "step < 5",
    "--afgerond": "step = 5",
    "--acuut": "acute = 1",
    "--acuut --open --gemeente Texel": "acute = 1 AND step < 5 AND municipality = 'Texel'",
    "--vorm arbeid --jaar 2026 --afgerond": (
        "id IN (SELECT signal_id FROM signal_form WHERE form = 'arbeid') AND received_year = 2026 "
        "AND step = 5"
    ),
}


@pytest.fixture
def varied(cli: Cli) -> list[str]:
    """Signals in several gemeenten, years, forms and steps; some acute, some closed."""
    refs = []
    places = ("Koggenland", "Texel", "Dijk en Waard")
    forms = (
        ("--vorm", "arbeid"),
        ("--vorm", "seksueel"),
        ("--vorm", "arbeid", "--vorm", "seksueel"),
    )
    for i in range(12):
        extra = [*forms[i % 3]]
        datum = f"{10 + i}-0{1 + i % 9}-{2025 + i % 2}"
        if i % 4 == 0:
            extra += ["--acuut", "--avim-geinformeerd", f"{datum} 10:00"]
        refs.append(log(cli, *extra, gemeente=places[i % 3], datum=datum))
    for ref in refs[:3]:
        moved = cli("signaal", "stap", ref, "--controle", "niets gevonden", "--datum", "01-10-2026")
        assert moved.exit_code == 0, moved.output
    for n, ref in enumerate(refs[6:10]):
        close_signal(cli, ref, f"0{n + 1}-11-2026")
    return refs


def _refs(cli: Cli, *args: str) -> list[str]:
    result = cli("signaal", "lijst", "--json", *args)
    assert result.exit_code == 0, result.output
    return [item["id"] for item in json.loads(result.stdout)]


def _expected_order(backend: Backend, where: str) -> list[str]:
    """Open signals longest in their step first, then closed ones, last closed first."""
    sql = f"SELECT ref, step, step_since, id FROM signal WHERE annulled_on IS NULL AND {where}"  # noqa: S608 - test constants
    rows = backend.rows(sql)
    open_ = sorted(
        (r for r in rows if int(str(r[1])) < 5), key=lambda r: (str(r[2]), int(str(r[3])))
    )
    closed = sorted(
        (r for r in rows if int(str(r[1])) == 5),
        key=lambda r: (str(r[2]), int(str(r[3]))),
        reverse=True,
    )
    return [str(r[0]) for r in (*open_, *closed)]


def test_every_filter_lists_what_the_reference_query_selects(
    cli: Cli, varied: list[str], backend: Backend
) -> None:
    for args, where in REFERENCE_FILTERS.items():
        expected = _expected_order(backend, where)
        assert _refs(cli, *args.split()) == expected, args
        assert set(expected) <= set(varied)
    assert len(_refs(cli)) == len(varied)


def test_table_shows_a_page_with_the_total_and_how_to_see_more(
    cli: Cli, varied: list[str], backend: Backend
) -> None:
    page = cli("signaal", "lijst", "--limiet", "5")
    assert page.exit_code == 0, page.output
    order = _expected_order(backend, "1 = 1")
    rows = [line.split()[0] for line in page.stdout.splitlines() if line.startswith("MH-")]
    assert rows == order[:5]
    assert "5 van 12 signalen; --pagina 2 voor de volgende 5, --alles of --limiet N voor meer." in (
        page.stdout
    )
    second = cli("signaal", "lijst", "--limiet", "5", "--pagina", "2")
    assert [ln.split()[0] for ln in second.stdout.splitlines() if ln.startswith("MH-")] == order[
        5:10
    ]
    assert "Signalen 6-10 van 12; --pagina 3 voor de volgende 5" in second.stdout
    last = cli("signaal", "lijst", "--limiet", "5", "--pagina", "3")
    assert "Signalen 11-12 van 12 (de laatste)." in last.stdout
    beyond = cli("signaal", "lijst", "--limiet", "5", "--pagina", "9")
    assert beyond.exit_code == 0
    assert "Deze pagina is leeg: er zijn 12 signalen, dat is 3 pagina’s van 5." in beyond.stdout
    everything = cli("signaal", "lijst", "--alles")
    assert "12 signalen." in everything.stdout
    assert sum(line.startswith("MH-") for line in everything.stdout.splitlines()) == 12
    # The audit log says how many were shown, and of how many when that was not all.
    details = [
        json.loads(str(d))
        for (d,) in backend.rows(
            "SELECT details FROM audit_log WHERE action = 'signaal.lijst' ORDER BY id"
        )
    ]
    assert details[-5:] == [
        {"filters": "", "aantal": 5, "totaal": 12},
        {"filters": "", "aantal": 5, "totaal": 12},
        {"filters": "", "aantal": 2, "totaal": 12},
        {"filters": "", "aantal": 0, "totaal": 12},
        {"filters": "", "aantal": 12},
    ]


def test_default_limit_is_fifty_for_the_table_and_everything_for_scripts(
    cli: Cli, backend: Backend
) -> None:
    first = log(cli, "--vorm", "arbeid", gemeente="Texel", datum="01-02-2026")
    # Copies of the signal made in SQL: 55 signals through the CLI would make a slow test.
    if backend.is_postgresql:
        found = backend.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = 'signal' ORDER BY ordinal_position"
        )
    else:
        found = backend.rows("SELECT name FROM pragma_table_info('signal') ORDER BY cid")
    names = ", ".join(str(n) for (n,) in found if n not in ("id", "ref", "seq"))
    stored_execute(
        backend,
        *(
            f"INSERT INTO signal (id, ref, seq, {names}) SELECT "  # noqa: S608 - test constants
            f"(SELECT max(id) + 1 FROM signal), 'MH-2026-{seq:04d}', {seq}, {names} "
            f"FROM signal WHERE ref = '{first}'"
            for seq in range(2, DEFAULT_LIST_LIMIT + 6)
        ),
    )
    table = cli("signaal", "lijst")
    assert table.exit_code == 0, table.output
    assert sum(line.startswith("MH-") for line in table.stdout.splitlines()) == DEFAULT_LIST_LIMIT
    total = DEFAULT_LIST_LIMIT + 5
    assert f"50 van {total} signalen; --pagina 2 voor de volgende 50, --alles of --limiet N" in (
        table.stdout
    )
    assert len(_refs(cli)) == total  # scripts get everything unless they ask for a page
    assert len(_refs(cli, "--limiet", "3")) == 3
    assert len(_refs(cli, "--pagina", "2")) == total - DEFAULT_LIST_LIMIT
    csv_out = cli("signaal", "lijst", "--csv")
    assert len(csv_out.stdout.strip().splitlines()) == total + 1


def test_json_is_exactly_what_it_was(cli: Cli, varied: list[str]) -> None:
    """Streamed element by element, the bytes equal json.dumps of the whole list (indent 2)."""
    from mhtool.cli.list_output import write_json_array

    result = cli("signaal", "lijst", "--json")
    items = json.loads(result.stdout)
    assert result.stdout == json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    empty = io.StringIO()
    write_json_array(empty, iter(()))
    assert empty.getvalue() == "[]\n"


def test_csv_has_the_json_keys_and_neutralised_cells(cli: Cli, backend: Backend) -> None:
    ref = log(cli, "--vorm", "arbeid", "--vorm", "seksueel", gemeente="Texel", datum="01-02-2026")
    # A value a spreadsheet would run as a formula.
    formula = f"UPDATE signal SET channel = '=HYPERLINK(1)' WHERE ref = '{ref}'"  # noqa: S608
    stored_execute(backend, formula)
    result = cli("signaal", "lijst", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout), delimiter=";"))
    header, row = rows
    expected = json.loads(cli("signaal", "lijst", "--json").stdout)[0]
    assert header == list(expected)
    record = dict(zip(header, row, strict=True))
    assert record["id"] == ref
    assert record["vormen"] == "arbeid, seksueel"
    assert record["acuut"] == "nee"
    assert record["kanaal"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--json", "--csv"), "Kies --json of --csv, niet allebei."),
        (("--alles", "--limiet", "5"), "Kies --alles of --limiet/--pagina, niet allebei."),
        (("--alles", "--pagina", "2"), "Kies --alles of --limiet/--pagina, niet allebei."),
        (("--open", "--afgerond"), "Kies --open of --afgerond, niet allebei."),
    ],
)
def test_conflicting_options_are_refused(
    cli: Cli, db_path: Path, args: tuple[str, ...], message: str
) -> None:
    log(cli, "--vorm", "arbeid", gemeente="Texel", datum="01-02-2026")
    result = cli("signaal", "lijst", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", [("--limiet", "0"), ("--pagina", "0"), ("--limiet", "x")])
def test_bad_numbers_are_usage_errors(cli: Cli, args: tuple[str, ...]) -> None:
    result = cli("signaal", "lijst", *args)
    assert result.exit_code == 2
    assert "Fout:" in result.stderr and "Traceback" not in result.stderr


@file_only("SQLite's query plans (EXPLAIN QUERY PLAN)")
def test_every_filter_is_served_by_an_index(cli: Cli, db_path: Path) -> None:
    """No list query reads the whole signal table, whatever the filter (EXPLAIN QUERY PLAN)."""
    from mhtool.store import signals as q
    from mhtool.store.open_store import open_store

    log(cli, "--vorm", "arbeid", gemeente="Texel", datum="01-02-2026")
    store = open_store(db_path)
    try:
        filters = [
            q.SignalFilter(),
            q.SignalFilter(step=2),
            q.SignalFilter(municipality="Texel"),
            q.SignalFilter(form="arbeid"),
            q.SignalFilter(year=2026),
            q.SignalFilter(open_only=True),
            q.SignalFilter(closed_only=True),
            q.SignalFilter(acute_only=True),
            q.SignalFilter(municipality="Texel", acute_only=True, open_only=True),
            q.SignalFilter(with_annulled=True),
            q.SignalFilter(with_annulled=True, step=3),
        ]
        for f in filters:
            counts = q.count_listed(store, f)
            for sql, params in q.listing_queries(f, counts):
                plan = [str(r[3]) for r in store.execute("EXPLAIN QUERY PLAN " + sql, params)]
                # Scanning the small partial index of open follow-up actions is fine; walking
                # the signal table (or one of its full indexes) is not.
                scans = [
                    p for p in plan if p == "SCAN s" or p.startswith(("SCAN s ", "SCAN signal"))
                ]
                assert not scans, (f, plan)
                # An index searched on annulled_on alone walks nearly every signal too.
                assert not [p for p in plan if p.endswith("(annulled_on=?)")], (f, plan)
                assert any(p.startswith("SEARCH s ") for p in plan), (f, plan)
    finally:
        store.close()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sys, "stdin", _Terminal())
    yield


@pytest.mark.slow
@file_only("the pager alone, no database")
def test_a_long_list_goes_through_the_pager_at_a_terminal(
    terminal: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mhtool.cli.list_output import paged

    received = tmp_path / "pager-input.txt"
    script = tmp_path / "pager.py"
    script.write_text(
        f"import sys; open({str(received)!r}, 'w', encoding='utf-8').write(sys.stdin.read())\n"
    )
    monkeypatch.setenv("PAGER", f"{sys.executable} {script}")
    monkeypatch.setenv("LINES", "10")
    screen = _Terminal()
    with paged(lines=50, stdout=screen) as out:
        out.write("regel\n" * 50)
    assert received.read_text(encoding="utf-8") == "regel\n" * 50
    assert screen.getvalue() == ""
    received.unlink()
    with paged(lines=5, stdout=screen) as out:  # fits on the screen: no pager
        out.write("kort\n")
    assert screen.getvalue() == "kort\n" and not received.exists()
    monkeypatch.setenv("PAGER", "")  # paging switched off
    with paged(lines=50, stdout=screen) as out:
        out.write("uit\n")
    assert screen.getvalue().endswith("uit\n")


@pytest.mark.slow
@file_only("the pager alone, no database")
def test_a_pager_that_stops_reading_ends_the_list_quietly(
    terminal: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mhtool.cli.list_output import paged

    monkeypatch.setenv("PAGER", f"{sys.executable} -c pass")  # exits without reading
    monkeypatch.setenv("LINES", "10")
    with paged(lines=10**6, stdout=_Terminal()) as out:
        for _ in range(10**5):
            out.write("x" * 100 + "\n")


@file_only("SQLite's query plans (EXPLAIN QUERY PLAN)")
def test_opschonen_reads_only_the_signals_that_are_due(cli: Cli, db_path: Path) -> None:
    """The retention query follows signal_by_destroy_on, not the step index (every closed
    signal), whatever the planner would guess without statistics."""
    from mhtool.store import retention
    from mhtool.store.open_store import open_store

    log(cli, "--vorm", "arbeid", gemeente="Texel", datum="01-02-2026")
    store = open_store(db_path)
    try:
        trace: list[str] = []
        store.conn.set_trace_callback(trace.append)
        retention.due_signals(store, __import__("datetime").date(2026, 11, 1))
        store.conn.set_trace_callback(None)
        plan = [str(r[3]) for r in store.execute("EXPLAIN QUERY PLAN " + trace[-1])]
    finally:
        store.close()
    assert plan[0].startswith("SEARCH signal USING INDEX signal_by_destroy_on"), plan
    # The open-action probe (retention keeps signals with one) runs per due signal, on a key.
    assert not any(p.startswith("SCAN") for p in plan), plan


@file_only("SQLite's query plans (EXPLAIN QUERY PLAN)")
def test_the_list_indexes_draw_no_other_query(cli: Cli, db_path: Path) -> None:
    """The statistics and the weekly report keep their own indexes: an index made for the list
    that they would walk instead (as one leading with annulled_on did) makes them 10x slower."""
    import datetime as dt

    from mhtool.store import statistics
    from mhtool.store.open_store import open_store

    log(cli, "--vorm", "arbeid", gemeente="Texel", datum="01-02-2026")
    store = open_store(db_path)
    trace: list[str] = []
    try:
        store.conn.set_trace_callback(trace.append)
        years, places = [2025, 2026], ["Texel"]
        statistics.count_per_year(store, years, [])
        statistics.count_per_year(store, years, places)
        statistics.year_figures(store, years, places)
        statistics.count_per_group(store, ["gemeente", "stap"], years, places)
        statistics.received_between(store, dt.date(2026, 1, 1), dt.date(2026, 2, 7))
        statistics.received_per_day(store, dt.date(2026, 1, 1), dt.date(2026, 2, 7))
        store.conn.set_trace_callback(None)
        for sql in trace:
            plan = " ".join(str(r[3]) for r in store.execute("EXPLAIN QUERY PLAN " + sql))
            for index in ("signal_listed", "signal_by_municipality", "signal_acute"):
                assert index not in plan, (sql, plan)
    finally:
        store.close()


def test_a_list_is_read_from_the_database_as_it_is_consumed(
    cli: Cli, backend: Backend
) -> None:
    """`lijst --alles` of a million signals must not first copy them all to this computer:
    on a server the rows come through a server-side cursor, a batch at a time, which is gone
    again once the list has been read (or broken off)."""
    from mhtool.store import signals as q

    for n in range(3):
        log(cli, "--vorm", "arbeid", gemeente="Texel", datum=f"0{n + 1}-02-2026")
    store = open_backend(backend)
    cursors = "SELECT count(*) AS n FROM pg_cursors"
    try:
        with store.read():
            counts = q.count_listed(store, q.SignalFilter())
            rows = q.list_signals(store, q.SignalFilter(), counts)
            first = next(rows)
            if backend.is_postgresql:
                assert store.row(cursors) == {"n": 1}
            rest = list(rows)
            if backend.is_postgresql:
                assert store.row(cursors) == {"n": 0}
            assert [r["ref"] for r in (first, *rest)] == _refs(cli)
            broken_off = q.list_signals(store, q.SignalFilter(), counts)
            next(broken_off)
            broken_off.close()  # a pager that stopped reading
            if backend.is_postgresql:
                assert store.row(cursors) == {"n": 0}
        # A list left half-read when its transaction ended, dropped in the next one (the
        # audit entry after a closed pager): that transaction stays usable.
        with store.read():
            dangling = q.list_signals(store, q.SignalFilter(), counts)
            next(dangling)
        with store.read():
            dangling.close()
            assert store.row("SELECT count(*) AS n FROM signal") == {"n": 3}
    finally:
        store.close()
