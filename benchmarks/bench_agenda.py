"""Benchmark `mhtool agenda` and its one-line hint on a large database (run on demand).

    python benchmarks/bench_agenda.py --signals 1000000 --db /tmp/mhtool-bench/mh-1000000.db

Budget (issue 11): at 1M signals the agenda answers in under 0.2 s (service time, in-process,
median); the hint after other commands is one indexed query and stays far below that (a few
milliseconds). Run the 1M size with `nice -n 19` on a shared machine.

The signals come from benchmarks/generate_data.py (reused when --db exists). That generator
knows nothing of follow-up actions and outcomes, so this script adds them once, as a busy
municipality would have them: a follow-up action for every 'verder onderzoek' conclusion (most
done, some open and due around today), referrals, CoMensha registrations and bedenktijden whose
end falls around today. A file that already has actions is used as it is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from mhtool.domain.lifecycle import NORMS_BY_CODE, STEP_NORM  # noqa: E402
from mhtool.services.lifecycle import agenda  # noqa: E402
from mhtool.store.connection import Store  # noqa: E402
from mhtool.store.lifecycle import anything_overdue  # noqa: E402
from mhtool.store.open_store import open_store  # noqa: E402

TODAY = dt.date.today()
BUDGET_SECONDS = 0.2


def add_lifecycle_rows(store: Store, seed: int = 11) -> int:
    """Follow-up actions and outcomes for the generated signals; returns rows added."""
    conn = store.conn
    if conn.execute("SELECT count(*) FROM follow_up_action").fetchone()[0]:
        return 0
    rng = random.Random(seed)
    now = dt.datetime.now().isoformat(timespec="seconds")
    actions: list[tuple[Any, ...]] = []
    outcomes: list[tuple[Any, ...]] = []
    rows = conn.execute(
        "SELECT id, conclusion, closed_on FROM signal WHERE step = 5 AND closed_on IS NOT NULL"
    )
    for signal_id, conclusion, closed_on in rows:
        closed = dt.date.fromisoformat(closed_on)
        if conclusion == "verder-onderzoek":
            due = closed + dt.timedelta(days=30)
            recent = (TODAY - closed).days < 90
            done = None if recent and rng.random() < 0.6 else (due - dt.timedelta(days=3))
            actions.append(
                (signal_id, 1, "verder onderzoek en afstemming met de ketenpartners",
                 due.isoformat(), rng.choice(["", "om", "fairwork", "veilig-thuis"]),
                 closed_on, now, "generator", done.isoformat() if done else None,
                 "generator" if done else None)
            )  # fmt: skip
        if conclusion == "geen" and rng.random() < 0.3:
            outcomes.append(
                (signal_id, "verwijzing", closed_on, None, None, None, "wijkteam", None, now)
            )
        if conclusion == "duiding":
            if rng.random() < 0.5:
                outcomes.append((signal_id, "comensha", closed_on, None, None, None, "", None, now))
            if rng.random() < 0.1:
                ends = closed + dt.timedelta(days=90)
                outcomes.append(
                    (signal_id, "bedenktijd", closed_on, None, None, None, "",
                     ends.isoformat(), now)
                )  # fmt: skip
    with store.write():
        conn.executemany(
            "INSERT INTO follow_up_action (signal_id, seq, description, due_on, partner, "
            "created_on, created_at, created_by, done_on, done_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            actions,
        )
        conn.executemany(
            "INSERT INTO outcome (signal_id, kind, on_date, value, measure, measure_status, "
            "partner, ends_on, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "'generator')",
            outcomes,
        )
    conn.execute("ANALYZE")
    return len(actions) + len(outcomes)


def _median_seconds(run: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    if not args.db.exists():
        from generate_data import generate

        print(f"Generating {args.signals} signals in {args.db} ...", flush=True)
        generate(args.db, args.signals)
    store = open_store(args.db)
    try:
        added = add_lifecycle_rows(store)
        signals = store.conn.execute("SELECT count(*) FROM signal").fetchone()[0]
        found = agenda(store, "bench")
        agenda_s = _median_seconds(lambda: agenda(store, "bench"), args.repeat)
        municipality_s = _median_seconds(
            lambda: agenda(store, "bench", municipality="Dijk en Waard"), args.repeat
        )
        defaults = {step: NORMS_BY_CODE[code].default_days for step, code in STEP_NORM.items()}
        hint_s = _median_seconds(lambda: anything_overdue(store, TODAY, defaults), args.repeat * 3)
    finally:
        store.close()
    command = [sys.executable, "-m", "mhtool", "--db", str(args.db), "agenda", "--json"]
    wall = _median_seconds(
        lambda: subprocess.run(command, capture_output=True, check=True), max(args.repeat // 2, 3)
    )
    verdict = "PASS" if agenda_s < BUDGET_SECONDS else "FAIL"
    print(f"signals: {signals} (lifecycle rows added now: {added})")
    print(f"agenda items: {sum(found.totals.values())} " + str(
        {k.value: v for k, v in found.totals.items()}
    ))  # fmt: skip
    print(f"agenda (service, median): {agenda_s * 1000:.1f} ms  budget < 200 ms  {verdict}")
    print(f"agenda --gemeente (service, median): {municipality_s * 1000:.1f} ms")
    print(f"hint (one query, median): {hint_s * 1000:.2f} ms")
    print(f"mhtool agenda --json (whole command, wall, median): {wall * 1000:.0f} ms")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
