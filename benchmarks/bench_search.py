"""Time the search and measure recall on the generator's planted spelling variants.

    python benchmarks/bench_search.py --signalen 100000 [--db PATH] [--seed 1] [--herhaal 5]

Without --db a database is generated next to the system temp dir (reused when it exists and
its truth file is present). Reports, in English:
- in-process fuzzy address and person search (median / p95 / max, ms), on the planted
  variants and on a worst case (the commonest surname with only an initial);
- the whole `mhtool zoek` command against `mhtool --help` (median wall time of N runs);
- recall: the share of planted variant queries whose original is among the results.
Budgets (issue 3): < 10 ms in-process at 1M signals; zoek <= --help + 50 ms; recall 100 %;
no address with another house number ranked first (issue 15: '14 2' is never 142).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_data import PlantedVariant, generate  # noqa: E402

from mhtool.domain.matching import address_query, person_query  # noqa: E402
from mhtool.services.entity_finders import find_addresses, find_persons  # noqa: E402
from mhtool.services.search import search  # noqa: E402
from mhtool.store.open_store import open_store  # noqa: E402


def _load_or_generate(
    db: Path | None, signals: int, seed: int
) -> tuple[Path, list[PlantedVariant]]:
    path = db or Path(tempfile.gettempdir()) / f"mhtool-bench-{signals}-{seed}.db"
    truth_file = path.with_suffix(".truth.json")
    if path.exists() and not truth_file.exists():
        # Never delete or replace a file this script did not make: it may be someone's data.
        raise SystemExit(
            f"{path} exists without {truth_file.name}; it was not made by this benchmark, so it "
            "is left alone. Give --db a new path (it is generated there) or a generated file."
        )
    if not path.exists():
        truth_file.unlink(missing_ok=True)  # a truth file without its database is useless
        started = time.perf_counter()
        truth = generate(path, signals, seed)
        truth_file.write_text(json.dumps(truth.as_json(), ensure_ascii=False))
        print(f"generated {path} in {time.perf_counter() - started:.0f} s")
    data = json.loads(truth_file.read_text())
    variants = [PlantedVariant(**v) for v in data["varianten"]]
    return path, variants


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, "
        f"max {ordered[-1] * 1000:.2f} ms (n={len(ordered)})"
    )


def _time(fn: Callable[[], Any], repeat: int) -> list[float]:
    fn()  # warm the page cache and the term cache once
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


# Start-up is measured as a user gets it: with compiled bytecode. Under
# PYTHONDONTWRITEBYTECODE every run would compile mhtool's sources again, which punishes a
# command in proportion to how many of its modules it imports.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _wall(args: list[str], repeat: int) -> float:
    samples = []
    for _ in range(repeat + 1):  # the first run warms caches (and writes bytecode) and is dropped
        started = time.perf_counter()
        subprocess.run(args, capture_output=True, check=False, env=_ENV)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples[1:])


def _house_number(store: Any, address_id: int | None) -> int | None:
    row = store.row("SELECT house_number FROM address WHERE id = ?", (address_id,))
    return int(row["house_number"]) if row else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signalen", type=int, default=100_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--herhaal", type=int, default=5)
    args = parser.parse_args(argv)
    path, variants = _load_or_generate(args.db, args.signalen, args.seed)
    store = open_store(path, create=False)
    counts = store.row(
        "SELECT (SELECT count(*) FROM signal) AS signals, (SELECT count(*) FROM person) AS persons,"
        " (SELECT count(*) FROM address) AS addresses,"
        " (SELECT count(*) FROM search_term) AS terms"
    )
    print(f"database: {path} ({path.stat().st_size / 1e6:.0f} MB): {counts}")

    # Recall over every planted variant, through the same service `mhtool zoek` calls.
    found = 0
    misses: list[str] = []
    ranks: list[int] = []
    per_class: dict[str, list[int]] = {}
    wrong_number_first: list[str] = []
    for v in variants:
        result = search(store, **v.query)  # type: ignore[arg-type]
        ids = [h.entity_id for h in result.hits if h.kind == v.kind]
        tally = per_class.setdefault(v.variant, [0, 0])
        tally[1] += 1
        if v.entity_id in ids:
            found += 1
            tally[0] += 1
            ranks.append(ids.index(v.entity_id) + 1)
        else:
            misses.append(f"{v.kind} {v.entity_id} {v.original!r} via {v.variant}: {v.query}")
        if (
            v.kind == "adres"
            and ids
            and _house_number(store, ids[0]) != _house_number(store, v.entity_id)
        ):
            wrong_number_first.append(f"{v.original!r} via {v.variant}: {v.query}")
    recall = found / len(variants) if variants else 1.0
    print(
        f"recall: {found}/{len(variants)} = {recall:.1%}; mean rank of the original "
        f"{statistics.mean(ranks) if ranks else 0:.2f}, top-1 {ranks.count(1)}/{len(ranks)}"
    )
    for variant, (hit, total) in sorted(per_class.items()):
        print(f"  {hit:4}/{total:<4} {variant}")
    for miss in misses[:20]:
        print(f"  MISSED {miss}")
    print(f"another house number ranked first: {len(wrong_number_first)}")
    for wrong in wrong_number_first[:20]:
        print(f"  WRONG NUMBER FIRST {wrong}")

    # In-process timings: query parsing + candidate lookup + fuzzy terms + scoring + signals.
    address_times: list[float] = []
    person_times: list[float] = []
    for v in variants:
        if v.kind == "adres" and "address" in v.query:
            aq = address_query(v.query["address"])
            address_times += _time(partial(find_addresses, store, aq), args.herhaal)
        if v.kind == "persoon":
            pq = person_query(v.query["person"])
            person_times += _time(partial(find_persons, store, pq), args.herhaal)
    print(f"fuzzy address search (in-process): {_ms(address_times)}")
    print(f"fuzzy person search (in-process): {_ms(person_times)}")
    common = store.row(
        "SELECT surname_key, initial, count(*) AS n FROM person WHERE initial <> '' "
        "GROUP BY surname_key, initial ORDER BY n DESC LIMIT 1"
    )
    assert common is not None
    worst = person_query(f"{common['initial']}. {common['surname_key']}")
    worst_times = _time(lambda: find_persons(store, worst), args.herhaal * 10)
    print(
        f"worst-case person search ('{common['initial']}. {common['surname_key']}', "
        f"{common['n']} candidates): {_ms(worst_times)}"
    )
    first = store.row(
        "SELECT given_key, count(*) AS n FROM person WHERE given_key <> '' "
        "GROUP BY given_key ORDER BY n DESC LIMIT 1"
    )
    assert first is not None
    for year in (None, 1990):  # a birth year orders the namesakes: every one is read
        lone = person_query(first["given_key"], birth_year=year)  # also a family name first
        lone_times = _time(partial(find_persons, store, lone), args.herhaal * 10)
        print(
            f"one-word person search on the commonest given name ('{first['given_key']}', "
            f"{first['n']} persons{', born 1990' if year else ''}): {_ms(lone_times)}"
        )
    store.close()

    # The whole command, as a user runs it, against `mhtool --help`.
    mhtool = shutil.which("mhtool", path=str(Path(sys.executable).parent)) or "mhtool"
    env_args = [mhtool, "--db", str(path)]
    help_time = _wall([mhtool, "--help"], args.herhaal)
    sample = next(v for v in variants if v.kind == "adres" and "address" in v.query)
    zoek_address = _wall([*env_args, "zoek", "--adres", sample.query["address"]], args.herhaal)
    person = next(v for v in variants if v.kind == "persoon")
    zoek_person = _wall([*env_args, "zoek", person.query["person"]], args.herhaal)
    other = _wall([*env_args, "signaal", "lijst", "--jaar", "1999"], args.herhaal)
    print(f"mhtool --help: {help_time * 1000:.0f} ms")
    print(
        f"mhtool signaal lijst (reference: any command that opens the database): "
        f"{other * 1000:.0f} ms (+{(other - help_time) * 1000:.0f} ms over --help)"
    )
    print(
        f"mhtool zoek --adres: {zoek_address * 1000:.0f} ms "
        f"(+{(zoek_address - help_time) * 1000:.0f} ms over --help)"
    )
    print(
        f"mhtool zoek (free text, person + organisation + text): {zoek_person * 1000:.0f} ms "
        f"(+{(zoek_person - help_time) * 1000:.0f} ms over --help)"
    )
    os.environ.pop("MHTOOL_DB", None)
    return 0 if recall == 1.0 and not wrong_number_first else 1


if __name__ == "__main__":
    sys.exit(main())
