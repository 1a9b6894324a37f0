"""Every performance budget of issue 13 in one table: value, budget, PASS/FAIL, per data size.

    python benchmarks/run_all.py --data /tmp/mhtool-bench [--sizes 10000,100000,1000000]

Run on demand, never in the test suite. For each size the script uses `DATA/mh-<size>.db`,
generating it with benchmarks/generate_data.py only when it does not exist (it never deletes or
replaces a file; an existing one is reused as it is, and opened by the installed mhtool, which
brings it to the current schema). Generating 1M signals takes 5-7 minutes; run the 1M size
with `nice -n 19` on a shared machine.

What is measured (medians; whole commands as CPU time of the process, user + system, which
includes Python start-up but hardly moves with other load on a shared machine (wall time on
Windows);
a command and its reference run alternately, and the median of the pairwise differences or
ratios is shown, so a neighbour's load on a shared machine hits both alike):
- whole commands in a subprocess against `mhtool --help` in the same run (start-up budgets);
- `mhtool --help` against a bare typer app with the same command tree and no parameters;
- peak memory of `signaal lijst --json` (everything) against one row (constant memory);
- in-process service time for statistics, the weekly report and `opschonen --proef`;
- an encrypted database against a plain one, after the passphrase was entered once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

MHTOOL = shutil.which("mhtool", path=str(Path(sys.executable).parent)) or "mhtool"


@dataclass
class Row:
    """One budget: a value per size, how to judge it, how to show it."""

    label: str
    budget: str
    passes: Callable[[float], bool] | None
    show: Callable[[float], str]
    values: dict[int, float] = field(default_factory=dict)

    def verdict(self) -> str:
        if self.passes is None or not self.values:
            return "info"
        return "PASS" if all(self.passes(v) for v in self.values.values()) else "FAIL"


def ms(value: float) -> str:
    return f"{value * 1000:+.0f} ms" if value < 0 else f"{value * 1000:.0f} ms"


def plus_ms(value: float) -> str:
    return f"+{value * 1000:.0f} ms" if value >= 0 else f"{value * 1000:.0f} ms"


def ratio(value: float) -> str:
    return f"×{value:.2f}"


def mib(value: float) -> str:
    return f"{value / 1024:.0f} MiB"


def child_env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["MHTOOL_DB"] = str(db)
    env["COLUMNS"] = "100"
    env.pop("PAGER", None)
    return env


def wall(argv: list[str], env: dict[str, str], runs: int) -> float:
    """Median wall time of a whole command (one warm-up run first)."""
    return statistics.median(_samples(argv, env, runs + 1)[1:])


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _samples(argv: list[str], env: dict[str, str], runs: int) -> list[float]:
    """Seconds per run: CPU time of the child (user + system) where the OS reports it, which a
    neighbour's load on a shared machine hardly moves; wall time elsewhere (Windows)."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        cpu = _cpu_of_children() if resource else 0.0
        subprocess.run(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if resource:
            samples.append(_cpu_of_children() - cpu)
        else:
            samples.append(time.perf_counter() - started)
    return samples


def paired(
    argv: list[str], reference: list[str], env: dict[str, str], runs: int
) -> tuple[float, float]:
    """(median difference, median ratio) of `argv` against `reference`, run alternately so a
    neighbour's load on a shared machine hits both alike (one warm-up pair first)."""
    differences, ratios = [], []
    for i in range(runs + 1):
        (a,) = _samples(argv, env, 1)
        (b,) = _samples(reference, env, 1)
        if i:
            differences.append(a - b)
            ratios.append(a / b)
    return statistics.median(differences), statistics.median(ratios)


def peak_kib(argv: list[str], env: dict[str, str]) -> float:
    """Peak resident memory of one command (Linux/macOS: ru_maxrss of a fresh child)."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], env=env, capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip())


def in_process(action: Callable[[], Any], runs: int) -> float:
    """Median CPU time of this process for `action` (page cache warmed by a first run, as a
    user's second run would be). CPU time, not wall time: on a shared machine a neighbour's load
    stretches wall time by a factor that has nothing to do with mhtool."""
    action()
    samples = []
    for _ in range(runs):
        started = time.process_time()
        action()
        samples.append(time.process_time() - started)
    return statistics.median(samples)


def bare_typer_app(folder: Path) -> Path:
    """A typer app with mhtool's command tree (names, help, groups) and no parameters: what
    `mhtool --help` is compared with."""
    import typer.main

    from mhtool.cli.app import HELP, app
    from mhtool.cli.command_registry import all_commands

    lines = [
        "import typer",
        "def _noop() -> None:",
        "    pass",
        f"app = typer.Typer(help={HELP!r}, no_args_is_help=True, add_completion=False, "
        "rich_markup_mode=None)",
    ]
    groups = {"mhtool": "app"}
    for n, (path, command) in enumerate(all_commands(typer.main.get_command(app))):
        if path == "mhtool":
            continue
        parent, name = path.rsplit(" ", 1)
        help_text = command.help or ""
        if hasattr(command, "commands"):
            var = f"g{n}"
            groups[path] = var
            lines.append(
                f"{var} = typer.Typer(help={help_text!r}, no_args_is_help=True, "
                "rich_markup_mode=None)"
            )
            lines.append(f"{groups[parent]}.add_typer({var}, name={name!r})")
        else:
            lines.append(f"{groups[parent]}.command({name!r}, help={help_text!r})(_noop)")
    lines.append("app()")
    script = folder / "kale_typer_app.py"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return script


def ensure_database(folder: Path, size: int) -> Path:
    path = folder / f"mh-{size}.db"
    if path.exists():
        print(f"  {path} bestaat: hergebruikt", flush=True)
    else:
        from generate_data import generate

        started = time.perf_counter()
        generate(path, size, 1)
        print(f"  {path} gemaakt in {time.perf_counter() - started:.0f} s", flush=True)
    # Bring it to the current schema once (the migration runs in the installed mhtool).
    subprocess.run([MHTOOL, "info"], env=child_env(path), capture_output=True, check=True)
    return path


def encrypted_pair(folder: Path) -> tuple[Path, Path, dict[str, str]]:
    """A small plain and a small encrypted database with the same signal."""
    env_base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    passphrase = "benchmark wachtwoord lang genoeg 2026"
    plain, secret = folder / "gewoon.db", folder / "versleuteld.db"
    for db, extra in ((plain, []), (secret, ["--versleuteld"])):
        if db.exists():
            continue
        env = {**env_base, "MHTOOL_DB": str(db), "MHTOOL_WACHTWOORD": passphrase}
        subprocess.run([MHTOOL, "init", *extra], env=env, capture_output=True, check=True)
        subprocess.run(
            [MHTOOL, "signaal", "nieuw", "--gemeente", "Texel", "--melder", "x", "--kanaal", "mail",
             "--omschrijving", "benchmark", "--vorm", "arbeid"],
            env=env, capture_output=True, check=True,
        )  # fmt: skip
    env = {**env_base, "MHTOOL_WACHTWOORD": passphrase}
    return plain, secret, env


def measure(size: int, db: Path, rows: dict[str, Row], runs: int, bare: Path) -> None:
    from mhtool.domain.periods import last_complete_week
    from mhtool.domain.statistics_report import Dimension
    from mhtool.exporters import FORMATS, render
    from mhtool.services.retention import preview_purge
    from mhtool.services.statistics import StatisticsRequest
    from mhtool.services.statistics import statistics as run_statistics
    from mhtool.services.weekly_report import weekly_report
    from mhtool.store.open_store import open_store

    env = child_env(db)
    help_argv = [MHTOOL, "--help"]
    rows["help"].values[size] = paired(help_argv, [sys.executable, str(bare), "--help"], env, runs)[
        1
    ]
    with sqlite3.connect(db) as conn:
        place, year = conn.execute(
            "SELECT municipality, received_year FROM signal ORDER BY id DESC LIMIT 1"
        ).fetchone()
        street = conn.execute("SELECT street, house_number FROM address LIMIT 1").fetchone()
    commands = {
        "lijst": ["signaal", "lijst"],
        "lijst_open": ["signaal", "lijst", "--open"],
        "lijst_filter": ["signaal", "lijst", "--gemeente", place, "--jaar", str(year)],
        "zoek_adres": ["zoek", "--adres", f"{street[0]} {street[1]}"],
        "zoek_tekst": ["zoek", "kassen"],
    }
    for key, argv in commands.items():
        rows[key].values[size] = paired([MHTOOL, *argv], help_argv, env, runs)[0]
    if hasattr(os, "fork"):  # ru_maxrss: POSIX only
        everything = peak_kib([MHTOOL, "signaal", "lijst", "--json"], env)
        one = peak_kib([MHTOOL, "signaal", "lijst", "--json", "--limiet", "1"], env)
        rows["json_memory"].values[size] = everything / one
        rows["json_peak"].values[size] = everything

    store = open_store(db, create=False)
    try:
        years = tuple(range(dt.date.today().year - 9, dt.date.today().year + 1))
        dims = [d for d in Dimension]
        for name, per in (("per_vorm", (Dimension.FORM,)), ("per_sector", (Dimension.SECTOR,))):
            request = StatisticsRequest(years=years, per=per)
            rows[name].values[size] = in_process(lambda r=request: run_statistics(store, r), runs)
        worst = 0.0
        for per in itertools.chain(((d,) for d in dims), itertools.permutations(dims, 2)):
            request = StatisticsRequest(years=years, per=tuple(per))
            worst = max(worst, in_process(lambda r=request: run_statistics(store, r), 3))
        rows["per_all"].values[size] = worst
        week = last_complete_week()
        rows["rapport"].values[size] = max(
            in_process(lambda f=fmt: render(weekly_report(store, week, 30).document(), f), runs)
            for fmt in FORMATS
        )
        rows["opschonen"].values[size] = in_process(lambda: preview_purge(store, "bench"), runs)
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder for mh-<size>.db")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    args.data.mkdir(parents=True, exist_ok=True)

    within = 0.100
    rows = {
        "help": Row("mhtool --help / kale typer-app, zelfde opdrachten", "≤ ×1.10",
                    lambda v: v <= 1.10, ratio),
        "lijst": Row("signaal lijst (standaard)", "≤ --help +100 ms", lambda v: v <= within, plus_ms),
        "lijst_open": Row("signaal lijst --open", "≤ --help +100 ms", lambda v: v <= within, plus_ms),
        "lijst_filter": Row("signaal lijst --gemeente G --jaar J", "≤ --help +100 ms",
                            lambda v: v <= within, plus_ms),
        "json_memory": Row("signaal lijst --json (alles): piek geheugen / 1 rij",
                           "≤ ×1.5 (constant)", lambda v: v <= 1.5, ratio),
        "json_peak": Row("signaal lijst --json (alles): piek geheugen", "", None, mib),
        "zoek_adres": Row("zoek --adres", "≤ --help +50 ms", lambda v: v <= 0.050, plus_ms),
        "zoek_tekst": Row("zoek (vrije tekst)", "≤ --help +50 ms", lambda v: v <= 0.050, plus_ms),
        "per_vorm": Row("statistiek --per vorm (in proces)", "≤ 200 ms", lambda v: v <= 0.2, ms),
        "per_sector": Row("statistiek --per sector (in proces)", "≤ 200 ms", lambda v: v <= 0.2, ms),
        "per_all": Row("statistiek, traagste --per (1 of 2 indelingen)", "≤ 200 ms",
                       lambda v: v <= 0.2, ms),
        "rapport": Row("rapport, traagste formaat (dienst + opmaak)", "≤ 500 ms",
                       lambda v: v <= 0.5, ms),
        "opschonen": Row("opschonen --proef (in proces)", "≤ 200 ms", lambda v: v <= 0.2, ms),
        "encrypted": Row("versleuteld t.o.v. gewoon, na één keer ontgrendelen", "≤ +30 ms",
                         lambda v: v <= 0.030, plus_ms),
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        bare = bare_typer_app(Path(tmp))
        plain, secret, env = encrypted_pair(args.data)
        for size in sizes:
            print(f"{size:,} signalen:", flush=True)
            db = ensure_database(args.data, size)
            measure(size, db, rows, args.runs, bare)
        # Per open, not per size: one small pair is enough. The first command unlocks.
        subprocess.run([MHTOOL, "--db", str(secret), "info"], env=env, capture_output=True)
        extra = paired(
            [MHTOOL, "--db", str(secret), "signaal", "lijst"],
            [MHTOOL, "--db", str(plain), "signaal", "lijst"],
            env,
            args.runs,
        )[0]
        for size in sizes:
            rows["encrypted"].values[size] = extra

    header = ["Budget", *[f"{s:,}".replace(",", ".") for s in sizes], "grens", "uitslag"]
    table = [header]
    for row in rows.values():
        table.append(
            [row.label, *[row.show(row.values[s]) if s in row.values else "" for s in sizes],
             row.budget, row.verdict()]
        )  # fmt: skip
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    print()
    print(f"{dt.date.today().isoformat()}, {platform.node()}, {os.cpu_count()} cpu, "
          f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "")  # fmt: skip
    for i, r in enumerate(table):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return 0 if all(r.verdict() != "FAIL" for r in rows.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
