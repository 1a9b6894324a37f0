"""`mhtool agenda` on a database with items of every kind, in the documented order; its queries
read indexes (EXPLAIN QUERY PLAN); the one-line hint after other commands; `mhtool normen`;
and a schema-6 file gains the lifecycle tables with nothing lost."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mhtool.domain.lifecycle import AgendaKind
from mhtool.services.agenda_hint import overdue_hint
from mhtool.services.lifecycle import agenda
from mhtool.store.connection import Store
from tests.backend_helpers import file_only, open_backend
from tests.conftest import Backend, Cli

# The agenda, norms and the hint on a file and on a PostgreSQL server alike; SQLite's query
# plans and the upgrade of an old file are about the file.
pytestmark = pytest.mark.usefixtures("backend")

TODAY = dt.date.today()
FIXTURES = Path(__file__).parent / "fixtures"


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).strftime("%d-%m-%Y")


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


def close(cli: Cli, ref: str, on: str, *extra: str) -> None:
    ok(
        cli(
            "signaal",
            "stap",
            ref,
            "--naar",
            "5",
            "--reden",
            "afgerond",
            "--datum",
            on,
            "--geen-terugkoppeling",
            *extra,
        )
    )


@pytest.fixture
def full_agenda(cli: Cli, new_signal: Callable[..., str]) -> dict[str, str]:
    """One signal per kind of agenda item (plus one in another gemeente)."""
    old = day(-100)
    acute = new_signal("--acuut", datum=day(-1))
    late = new_signal(datum=old)
    close(
        cli,
        late,
        day(-30),
        "--conclusie",
        "verder-onderzoek",
        "--actie",
        "Afstemmen met OM",
        "--actie-voor",
        day(-10),
    )
    ok(cli("signaal", "uitkomst", late, "--terugkoppeling"))
    waiting = new_signal(datum=day(-10))  # step 1; the default norm is 2 days
    b8 = new_signal(datum=old)
    close(cli, b8, day(-50), "--conclusie", "duiding")
    ok(cli("signaal", "uitkomst", b8, "--terugkoppeling"))
    ok(cli("signaal", "uitkomst", b8, "--bedenktijd", "--datum", day(-85)))
    feedback = new_signal(datum=old)
    close(cli, feedback, day(-20), "--conclusie", "geen")
    soon = new_signal(datum=old)
    close(cli, soon, day(-1), "--conclusie", "duiding")
    ok(cli("signaal", "uitkomst", soon, "--terugkoppeling"))
    ok(cli("signaal", "actie", soon, "Bellen met Veilig Thuis", "--voor", day(3)))
    elsewhere = new_signal("--acuut", gemeente="Texel", datum=day(-2))
    return {
        AgendaKind.ACUTE_WITHOUT_AVIM.value: acute,
        AgendaKind.ACTION_OVERDUE.value: late,
        AgendaKind.STEP_OVER_NORM.value: waiting,
        AgendaKind.B8_ENDING.value: b8,
        AgendaKind.FEEDBACK_OWED.value: feedback,
        AgendaKind.ACTION_DUE.value: soon,
        "texel": elsewhere,  # acute too, in another gemeente, received a day earlier
    }


def test_agenda_lists_every_kind_most_urgent_first(cli: Cli, full_agenda: dict[str, str]) -> None:
    result = ok(cli("agenda", "--json"))
    data = json.loads(result.stdout)
    kinds = [i["soort"] for i in data["items"]]
    ranks = [list(AgendaKind).index(AgendaKind(k)) for k in kinds]
    assert ranks == sorted(ranks), kinds
    assert set(kinds) == {k.value for k in AgendaKind}
    by_kind: dict[str, set[str]] = {}
    for item in data["items"]:
        by_kind.setdefault(item["soort"], set()).add(item["signaal"])
    assert by_kind["acuut-zonder-avim"] == {full_agenda["acuut-zonder-avim"], full_agenda["texel"]}
    assert by_kind["actie-te-laat"] == {full_agenda["actie-te-laat"]}
    assert full_agenda["stap-over-norm"] in by_kind["stap-over-norm"]
    assert by_kind["bedenktijd-loopt-af"] == {full_agenda["bedenktijd-loopt-af"]}
    assert by_kind["terugkoppeling-open"] == {full_agenda["terugkoppeling-open"]}
    assert by_kind["actie-binnenkort"] == {full_agenda["actie-binnenkort"]}
    overdue = next(i for i in data["items"] if i["soort"] == "actie-te-laat")
    assert overdue["dagen_te_laat"] == 10 and "Afstemmen met OM" in overdue["wat"]
    # Within a kind, the longest overdue first: the older acute signal (Texel) leads.
    acute = [i["signaal"] for i in data["items"] if i["soort"] == "acuut-zonder-avim"]
    assert acute == [full_agenda["texel"], full_agenda["acuut-zonder-avim"]]
    assert data["per_soort"]["acuut-zonder-avim"] == 2

    screen = ok(cli("agenda")).stdout
    positions = [screen.index(k.label) for k in AgendaKind]
    assert positions == sorted(positions)
    assert "10 dagen te laat" in screen


def test_agenda_filters_by_gemeente(cli: Cli, full_agenda: dict[str, str]) -> None:
    data = json.loads(ok(cli("agenda", "--gemeente", "texel", "--json")).stdout)
    assert data["gemeente"] == "Texel"
    assert [(i["soort"], i["signaal"]) for i in data["items"]] == [
        ("acuut-zonder-avim", full_agenda["texel"]),
    ]  # two days in step 1 is within the norm of 2 days
    wrong = cli("agenda", "--gemeente", "Texell")
    assert wrong.exit_code == 2 and "Bedoelt u 'Texel'" in wrong.stderr


def test_empty_agenda_says_so(cli: Cli, new_signal: Callable[..., str]) -> None:
    new_signal(datum=day(0))
    assert "Niets op de agenda" in ok(cli("agenda")).stdout


def test_norms_move_items_onto_and_off_the_agenda(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    ref = new_signal(datum=day(-1))
    assert ok(cli("agenda", "--json")).stdout.count(ref) == 0
    ok(cli("normen", "zet", "stap-1", "1"))
    assert "stap-over-norm" in ok(cli("agenda", "--json")).stdout
    shown = json.loads(ok(cli("normen", "toon", "--json")).stdout)
    stap1 = next(n for n in shown if n["norm"] == "stap-1")
    assert stap1["dagen"] == 1 and stap1["vastgesteld"] is True
    bedenktijd = next(n for n in shown if n["norm"] == "bedenktijd")
    assert (bedenktijd["dagen"], bedenktijd["vastgesteld"]) == (90, False)
    assert "standaardwaarde" in ok(cli("normen")).stdout
    assert backend.scalar("SELECT value FROM setting WHERE key = 'norm.stap-1'") == "1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("zet", "stap-9", "3"), "Norm 'stap-9' is onbekend"),
        (("zet", "stpa-2", "3"), "Bedoelt u 'stap-2'"),
        (("zet", "stap-2", "0"), "kies 1 tot en met"),
        (("zet", "bedenktijd", "120"), "kies 1 tot en met 92"),
        (("zet", "stap-2", "veel"), "is geen geheel getal"),
    ],
)
def test_bad_norms_are_refused(
    cli: Cli, new_signal: Callable[..., str], backend: Backend, args: tuple[str, ...], message: str
) -> None:
    new_signal()
    before = backend.rows("SELECT * FROM setting ORDER BY key")
    result = cli("normen", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Fout: ") and message in result.stderr
    assert backend.rows("SELECT * FROM setting ORDER BY key") == before


# --- the hint after other commands --------------------------------------------------------------


def test_hint_after_other_commands_only_when_something_is_overdue(
    cli: Cli, new_signal: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MHTOOL_AGENDA_HINT")
    new_signal(datum=day(0))
    assert "agenda" not in ok(cli("signaal", "lijst")).stderr
    new_signal("--acuut", datum=day(0))
    listed = ok(cli("signaal", "lijst", "--json"))
    json.loads(listed.stdout)  # stdout stays pure JSON
    assert listed.stderr.count("\n") == 1 and "mhtool agenda" in listed.stderr
    assert "MHTOOL_AGENDA_HINT=uit" in listed.stderr
    assert "Let op" not in ok(cli("agenda")).stderr
    failed = cli("signaal", "toon", "MH-2026-0999")
    assert "mhtool agenda" not in failed.stderr
    monkeypatch.setenv("MHTOOL_AGENDA_HINT", "uit")
    assert ok(cli("signaal", "lijst")).stderr == ""


def test_hint_counts_the_days_in_a_step_against_the_norm(
    cli: Cli, new_signal: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hint's own date arithmetic (SQLite's date(), PostgreSQL's date - integer) agrees
    with the agenda: two days in step 1 is within the default norm of 2, over a norm of 1."""
    monkeypatch.delenv("MHTOOL_AGENDA_HINT")
    ref = new_signal(datum=day(-2))

    def over_norm() -> list[str]:
        items = json.loads(ok(cli("agenda", "--json")).stdout)["items"]
        return [i["signaal"] for i in items if i["soort"] == "stap-over-norm"]

    assert "mhtool agenda" not in ok(cli("signaal", "lijst")).stderr
    assert over_norm() == []
    ok(cli("normen", "zet", "stap-1", "1"))
    assert "mhtool agenda" in ok(cli("signaal", "lijst")).stderr
    assert over_norm() == [ref]
    ok(cli("normen", "zet", "stap-1", "3"))
    assert "mhtool agenda" not in ok(cli("signaal", "lijst")).stderr
    assert over_norm() == []


def test_hint_is_one_query(
    cli: Cli, new_signal: Callable[..., str], backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MHTOOL_AGENDA_HINT")
    new_signal("--acuut", datum=day(0))
    store = open_backend(backend)
    seen: list[str] = []
    original = Store.rows

    def counting(self: Store, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        seen.append(sql)
        return original(self, sql, params)

    monkeypatch.setattr(Store, "rows", counting)
    try:
        assert overdue_hint(store) is not None
        assert len(seen) == 1
        # SQLite's plan; PostgreSQL plans from its statistics (tiny tables: any plan).
        plan = [] if backend.is_postgresql else _plan(store, seen[0], _hint_params())
    finally:
        store.close()
    assert not [
        line
        for line in plan
        if line.startswith("SCAN") and "CONSTANT" not in line and "USING" not in line
    ]


def _hint_params() -> tuple[Any, ...]:
    today = TODAY.isoformat()
    params: list[Any] = [today]
    for step, default in ((1, 2), (2, 7), (3, 14), (4, 30)):
        params += [step, today, f"norm.stap-{step}", default]
    return tuple(params)


def _plan(store: Store, sql: str, params: tuple[Any, ...]) -> list[str]:
    return [str(r[3]) for r in store.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()]


@file_only("SQLite's query plans (EXPLAIN QUERY PLAN)")
def test_agenda_queries_read_indexes(
    cli: Cli, full_agenda: dict[str, str], backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No agenda query scans a table: at 1M signals each must be an index search."""
    store = open_backend(backend)
    seen: list[tuple[str, tuple[Any, ...]]] = []
    original = Store.rows

    def recording(self: Store, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        seen.append((sql, tuple(params)))
        return original(self, sql, params)

    monkeypatch.setattr(Store, "rows", recording)
    try:
        agenda(store, "test", municipality="Dijk en Waard")
        agenda(store, "test")
        monkeypatch.setattr(Store, "rows", original)
        plans = {
            sql: _plan(store, sql, params)
            for sql, params in seen
            if "follow_up_action" in sql or "FROM signal" in sql or "FROM outcome" in sql
        }
    finally:
        store.close()
    assert len(plans) >= 10
    for sql, plan in plans.items():
        # A scan of a partial index reads only the rows it holds (open, acute, ...): fine.
        scans = [line for line in plan if line.startswith("SCAN") and "USING" not in line]
        assert not scans, (sql, plan)


# --- migration ----------------------------------------------------------------------------------


@file_only("the upgrade of an old file (a server starts at schema 11)")
def test_schema_6_file_gains_the_lifecycle_tables_with_nothing_lost(
    cli: Cli, tmp_path: Path
) -> None:
    db = tmp_path / "oud.db"
    shutil.copyfile(FIXTURES / "schema-6.db", db)
    conn = sqlite3.connect(db)
    tables = [
        t
        for (t,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%search%' AND name NOT IN ('audit_log', 'schema_migration')"
        )
    ]
    columns = {t: [c[1] for c in conn.execute(f'PRAGMA table_info("{t}")')] for t in tables}

    def rows(connection: sqlite3.Connection, table: str) -> list[tuple[Any, ...]]:
        names = ", ".join(f'"{c}"' for c in columns[table])
        found = connection.execute(f'SELECT {names} FROM "{table}"')  # noqa: S608
        return sorted(found.fetchall(), key=repr)

    before = {t: rows(conn, t) for t in tables}
    conn.close()
    listed = ok(cli("--db", str(db), "signaal", "lijst", "--json"))
    refs = [s["id"] for s in json.loads(listed.stdout)]
    conn = sqlite3.connect(db)
    try:
        for table, old_rows in before.items():
            # Nothing lost or changed (newer features may add rows, e.g. the audit anchor).
            lost = Counter(old_rows) - Counter(rows(conn, table))
            assert not lost, table
        assert conn.execute("SELECT count(*) FROM follow_up_action").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM outcome").fetchone() == (0,)
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {
            "follow_up_open_by_due",
            "signal_acute_without_avim",
            "signal_feedback_owed",
        } <= indexes
        assert 9 in {r[0] for r in conn.execute("SELECT version FROM schema_migration")}
    finally:
        conn.close()
    # Old closed signals keep their status; old open ones are active.
    for ref in refs:
        data = json.loads(ok(cli("--db", str(db), "signaal", "toon", ref, "--json")).stdout)
        assert data["status"] == ("actief" if data["stap"] < 5 else "afgesloten")
        assert data["acties"] == [] and data["uitkomsten"] == []
    ok(cli("--db", str(db), "agenda"))


@file_only("the documentation alone, no database")
def test_documented_norms_and_agenda_order_match_the_code() -> None:
    from mhtool.domain.lifecycle import NORMS

    doc = (Path(__file__).parent.parent / "docs" / "vervolg-en-agenda.md").read_text("utf-8")
    for norm in NORMS:
        assert f"| `{norm.code}` | {norm.default_days} dagen |" in doc, norm.code
    section = doc[doc.index("## De agenda") :]
    words = ["acuut, AVIM", "vervolgacties over de datum", "langer in een stap", "bedenktijden",
             "terugkoppeling aan de melder", "binnen `vooruitkijken` dagen moeten"]  # fmt: skip
    positions = [section.index(w) for w in words]
    assert positions == sorted(positions) and len(words) == len(AgendaKind)


def test_agenda_reads_well_on_an_80_column_terminal(
    cli: Cli, new_signal: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One day is 'dag', not 'dagen'; a long line wraps under its own text, not back to the
    left margin where it would look like a new item."""
    from mhtool.cli import render

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(render, "_console", None)  # the console reads COLUMNS once
    ok(cli("normen", "zet", "stap-1", "1"))
    new_signal(gemeente="Hollands Kroon", datum=day(-2))  # one day past a norm of 1 day
    soon = new_signal(datum=day(-5))
    close(cli, soon, day(-1), "--conclusie", "duiding", "--terugkoppeling")
    ok(cli("signaal", "actie", soon, "Bellen met " + "de ketenpartner " * 4, "--voor", day(1)))
    screen = ok(cli("agenda")).stdout
    flat = " ".join(screen.split())
    assert "1 dag te laat" in flat and "(norm 1 dag)" in flat and "over 1 dag:" in flat
    assert "dag dagen" not in flat and "1 dagen" not in flat
    lines = screen.splitlines()
    assert all(len(line) <= 80 for line in lines), screen
    headings = {k.label for k in AgendaKind}
    body = [line for line in lines[1:] if not line.startswith(tuple(headings))]
    assert body and all(line.startswith("  ") for line in body), screen
    assert "Norm stap-1 is nu 1 dag." in ok(cli("normen", "zet", "stap-1", "1")).stdout


def test_an_ended_reflection_period_is_not_called_late(
    cli: Cli, new_signal: Callable[..., str]
) -> None:
    """A B8 period that just ended is something to act on, not a deadline someone missed."""
    ref = new_signal(datum=day(-60))
    ok(cli("signaal", "uitkomst", ref, "--bedenktijd", "--datum", day(-50), "--tot", day(-2)))
    screen = " ".join(ok(cli("agenda")).stdout.split())
    assert "2 dagen geleden afgelopen: bedenktijd" in screen
    assert "te laat: bedenktijd" not in screen and "eindigde op" in screen
