"""Benchmark `mhtool statistiek` and `mhtool rapport` on a large database (run on demand).

    python benchmarks/bench_statistics.py --signals 1000000 --db /tmp/bench-1m.db

Budgets (issue 4): at 1M signals the statistics for all gemeenten x 10 years under 0.2 s of
query time, the weekly report under 0.5 s in any format.

The data comes from `benchmarks/generate_data.py` (`generate(path, signals, seed)`) when that
module exists. Until it lands, `_bulk_load` below fills a database with a minimal fictitious
data set of the same schema: signals spread over ten years and all Noord-Holland municipalities,
one form, one person, some addresses and organisations, and the step events of a realistic
route (old signals mostly closed). An existing --db file is reused, so a second run measures
without regenerating.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mhtool.domain.enums import Channel, Conclusion, Form, Sector
from mhtool.domain.municipalities import MUNICIPALITIES, NOORD_HOLLAND_NOORD
from mhtool.domain.periods import IsoWeek, last_complete_week
from mhtool.exporters import FORMATS, render
from mhtool.services.statistics import StatisticsRequest
from mhtool.services.statistics import statistics as run_statistics
from mhtool.services.weekly_report import weekly_report
from mhtool.store.connection import Store
from mhtool.store.open_store import open_store
from mhtool.store.statistics import STEP_MOVES

TODAY = dt.date.today()
YEARS = 10


def _bulk_load(path: Path, signals: int, seed: int = 1) -> None:
    """Minimal stand-in for generate_data.generate(); fictitious data only."""
    rng = random.Random(seed)
    store = open_store(path)
    conn = store.conn
    first_day = TODAY - dt.timedelta(days=365 * YEARS)
    span = (TODAY - first_day).days
    weights = [5 if m in NOORD_HOLLAND_NOORD else 1 for m in MUNICIPALITIES]
    now = dt.datetime.now().isoformat(timespec="seconds")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    counters: dict[int, int] = {}
    batch_signal: list[tuple[Any, ...]] = []
    batch_form: list[tuple[Any, ...]] = []
    batch_event: list[tuple[Any, ...]] = []
    batch_person: list[tuple[Any, ...]] = []
    batch_link: list[tuple[Any, ...]] = []
    batch_address: list[tuple[Any, ...]] = []
    batch_link_address: list[tuple[Any, ...]] = []
    batch_org: list[tuple[Any, ...]] = []
    batch_link_org: list[tuple[Any, ...]] = []

    def flush() -> None:
        conn.executemany(
            "INSERT INTO signal (id, ref, year, seq, received_on, municipality, reporter, "
            "reporter_department, channel, acute, avim_informed_at, description, step, "
            "step_since, conclusion, feedback_given, feedback_on, criminal_case, "
            "shelter_arranged, closed_on, created_at, created_by, updated_at) VALUES "
            "(?, ?, ?, ?, ?, ?, 'Fictieve Melder', '', ?, ?, ?, 'fictief', ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, 'bench', ?)",
            batch_signal,
        )
        conn.executemany("INSERT INTO signal_form VALUES (?, ?)", batch_form)
        conn.executemany(
            "INSERT INTO step_event (signal_id, kind, from_step, to_step, on_date, by_user, "
            "details, recorded_at) VALUES (?, ?, ?, ?, ?, 'bench', ?, ?)",
            batch_event,
        )
        conn.executemany(
            "INSERT INTO person (id, name, name_key, birth_date, birth_year, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            batch_person,
        )
        conn.executemany("INSERT INTO signal_person VALUES (?, ?, ?)", batch_link)
        conn.executemany(
            "INSERT INTO address (id, street, street_key, house_number, house_key, postcode, "
            "city, created_at) VALUES (?, 'Voorbeeldstraat', 'voorbeeldstraat', ?, ?, ?, "
            "'Voorbeeld', ?)",
            batch_address,
        )
        conn.executemany("INSERT INTO signal_address VALUES (?, ?)", batch_link_address)
        conn.executemany(
            "INSERT INTO organisation (id, name, name_key, sector, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            batch_org,
        )
        conn.executemany("INSERT INTO signal_organisation VALUES (?, ?)", batch_link_org)
        for batch in (
            batch_signal,
            batch_form,
            batch_event,
            batch_person,
            batch_link,
            batch_address,
            batch_link_address,
            batch_org,
            batch_link_org,
        ):
            batch.clear()

    received_days = sorted(rng.randrange(span) for _ in range(signals))
    for sid, offset in enumerate(received_days, start=1):
        received = first_day + dt.timedelta(days=offset)
        year = received.year
        counters[year] = seq = counters.get(year, 0) + 1
        age = (TODAY - received).days
        # Old signals are almost all closed; recent ones are spread over the route.
        step = 5 if age > 120 and rng.random() < 0.998 else min(5, 1 + age // rng.randint(8, 40))
        day = received
        events = [(sid, "ontvangst", None, 1, received.isoformat(), "{}", now)]
        for target in range(2, step + 1):
            day = min(TODAY, day + dt.timedelta(days=rng.randint(1, 25)))
            details: dict[str, Any] = {}
            if target == 5:
                details = {
                    "conclusie": rng.choice(Conclusion.codes()),
                    "terugkoppeling": rng.random() < 0.7,
                    "strafrechtelijk_opgepakt": rng.random() < 0.1,
                    "opvang_geregeld": rng.random() < 0.06,
                    "bestuurlijke_maatregelen": [],
                }
            events.append(
                (sid, "stap", target - 1, target, day.isoformat(), json.dumps(details), now)
            )
        closing = json.loads(events[-1][5]) if step == 5 else {}
        acute = rng.random() < 0.03
        batch_signal.append(
            (
                sid,
                f"MH-{year}-{seq:04d}",
                year,
                seq,
                received.isoformat(),
                rng.choices(MUNICIPALITIES, weights)[0],
                rng.choice(Channel.codes()),
                int(acute),
                received.isoformat() + "T10:00" if acute and rng.random() < 0.95 else None,
                step,
                day.isoformat(),
                closing.get("conclusie"),
                int(closing["terugkoppeling"]) if closing else None,
                day.isoformat() if closing.get("terugkoppeling") else None,
                int(closing["strafrechtelijk_opgepakt"]) if closing else None,
                int(closing["opvang_geregeld"]) if closing else None,
                day.isoformat() if step == 5 else None,
                now,
                now,
            )
        )
        batch_form.append((sid, rng.choice(Form.codes())))
        batch_event.extend(events)
        birth_year = received.year - rng.randint(14, 60)
        batch_person.append(
            (sid, f"Fictief Persoon {sid}", f"fictief persoon {sid}", None, birth_year, now)
        )
        batch_link.append((sid, sid, rng.choice(("slachtoffer", "dader", "betrokkene"))))
        if sid % 2 == 0:
            batch_address.append(
                (sid, sid % 200 + 1, str(sid % 200 + 1), f"{1000 + sid % 8999}ZZ", now)
            )
            batch_link_address.append((sid, sid))
        if sid % 4 == 0:
            batch_org.append(
                (
                    sid,
                    f"Voorbeeldbedrijf {sid}",
                    f"voorbeeldbedrijf {sid}",
                    rng.choice(Sector.codes()),
                    now,
                )
            )
            batch_link_org.append((sid, sid))
        if len(batch_signal) >= 20_000:
            flush()
    flush()
    conn.executemany(
        "INSERT INTO signal_counter (year, last_seq) VALUES (?, ?)", sorted(counters.items())
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    store.close()


def make_database(path: Path, signals: int, seed: int) -> None:
    if path.exists():
        print(f"reusing {path}")
        return
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        from generate_data import generate  # type: ignore[import-not-found]
    except ImportError:
        generate = _bulk_load
        print("benchmarks/generate_data.py not found: using the minimal bulk loader")
    started = time.perf_counter()
    generate(path, signals, seed)
    print(f"generated {signals:,} signals in {time.perf_counter() - started:.1f} s")


def timed(label: str, action: Callable[[], Any], repeat: int = 5) -> float:
    action()  # warm the page cache, as a user's second run would be
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    best, median = min(times), statistics.median(times)
    print(f"{label:<58} best {best * 1000:8.1f} ms   median {median * 1000:8.1f} ms")
    return median


def query_plans(store: Store) -> None:
    years = list(range(TODAY.year - YEARS + 1, TODAY.year + 1))
    for name, sql, params in (
        (
            "per gemeente x jaar",
            "SELECT s.year, s.municipality, count(*) FROM signal s "
            "WHERE s.year IN (SELECT value FROM json_each(?)) GROUP BY 1, 2",
            (json.dumps(years),),
        ),
        (
            "jaarcijfers",
            "SELECT s.year, count(*), sum(s.criminal_case = 1), sum(s.shelter_arranged = 1) "
            "FROM signal s WHERE s.year IN (SELECT value FROM json_each(?)) "
            "AND s.municipality IN (SELECT value FROM json_each(?)) GROUP BY s.year",
            (json.dumps(years), json.dumps(list(NOORD_HOLLAND_NOORD))),
        ),
        (
            "step moves in a week",
            "SELECT count(*) FROM step_event e WHERE e.on_date BETWEEN ? AND ? "
            "AND e.kind IN (SELECT value FROM json_each(?))",
            ("2026-01-05", "2026-01-11", json.dumps(STEP_MOVES)),
        ),
    ):
        plan = store.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        print(f"  plan {name}: " + " | ".join(str(row[3]) for row in plan))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, default=Path("/tmp/mhtool-bench-statistics.db"))
    args = parser.parse_args()
    make_database(args.db, args.signals, args.seed)

    store = open_store(args.db, create=False)
    total = store.execute("SELECT count(*) FROM signal").fetchone()[0]
    print(f"database {args.db}: {total:,} signals, {args.db.stat().st_size / 1e6:.0f} MB")
    query_plans(store)
    years = tuple(range(TODAY.year - YEARS + 1, TODAY.year + 1))
    print("\nstatistiek (service call: queries + report building)")
    budget_stats = timed(
        "all gemeenten x 10 years (default table)",
        lambda: run_statistics(store, StatisticsRequest(years=years)),
    )
    timed(
        "default table, years from the data (no --jaar)",
        lambda: run_statistics(store, StatisticsRequest()),
    )
    timed(
        "--tabel jaarcijfers (NHN)",
        lambda: run_statistics(store, StatisticsRequest(table=_kind("jaarcijfers"), years=years)),
    )
    timed(
        "--tabel driehoek",
        lambda: run_statistics(store, StatisticsRequest(table=_kind("driehoek"), years=years)),
    )
    for per in ("stap", "conclusie", "kanaal", "vorm", "sector"):
        timed(
            f"--per {per}",
            lambda per=per: run_statistics(store, StatisticsRequest(years=years, per=(_dim(per),))),
            repeat=3,
        )
    timed(
        "default table with --onderdruk 5",
        lambda: run_statistics(store, StatisticsRequest(years=years, threshold=5)),
    )

    week = last_complete_week(TODAY)
    print(f"\nrapport --week {week.label}")
    report = weekly_report(store, week, 30)
    print(
        f"  {len(report.new_signals)} new, {len(report.step_changes)} step changes, "
        f"{len(report.closed)} closed, {len(report.acute)} acute, {len(report.waiting)} waiting"
    )
    worst = timed("service (queries + pseudonymising)", lambda: weekly_report(store, week, 30))
    for fmt in FORMATS:
        worst = max(
            worst,
            timed(
                f"service + render {fmt}",
                lambda fmt=fmt: render(weekly_report(store, week, 30).document(), fmt),
            ),
        )
    _weekly_for(store, week.shifted(-52))
    store.close()

    print("\nwhole commands (subprocess, including Python start-up)")
    mhtool = str(Path(sys.executable).parent / "mhtool")
    # The report goes to a fresh folder of its own, so an earlier run's file never stops this
    # one and nothing outside it is overwritten.
    out_dir = Path(tempfile.mkdtemp(prefix="mhtool-bench-rapport-"))
    for argv in (
        ["--help"],
        ["statistiek", "--jaar", f"{years[0]}-{years[-1]}"],
        ["statistiek", "--tabel", "jaarcijfers"],
        [
            "rapport",
            "--formaat",
            "xlsx",
            "--uitvoer",
            str(out_dir / "rapport.xlsx"),
            "--overschrijf",
        ],
    ):
        timed(
            "mhtool " + " ".join(argv),
            lambda argv=argv: subprocess.run(
                [mhtool, "--db", str(args.db), *argv], check=True, capture_output=True
            ),
            repeat=3,
        )
    print(
        f"\nbudgets: statistiek {budget_stats * 1000:.0f} ms (< 200 ms), "
        f"weekly report worst format {worst * 1000:.0f} ms (< 500 ms)"
    )


def _weekly_for(store: Store, week: IsoWeek) -> None:
    timed(
        f"service + render xlsx for {week.label}",
        lambda: render(weekly_report(store, week, 30).document(), "xlsx"),
        repeat=3,
    )


def _kind(name: str) -> Any:
    from mhtool.domain.statistics_report import TableKind

    return TableKind(name)


def _dim(name: str) -> Any:
    from mhtool.domain.statistics_report import Dimension

    return Dimension(name)


if __name__ == "__main__":
    main()
