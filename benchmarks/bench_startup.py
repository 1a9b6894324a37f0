"""Start-up budget: how long the installed `mhtool` takes for cheap commands.

Run on demand (not in the test suite): `python benchmarks/bench_startup.py [--runs N]`.
Budget: `mhtool --help` under 300 ms and `mhtool signaal lijst` on a small database within
100 ms of it, on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELP_BUDGET_S = 0.300
LIST_EXTRA_BUDGET_S = 0.100


def timed(cmd: list[str], env: dict[str, str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True, stdin=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    mhtool = shutil.which("mhtool", path=str(Path(sys.executable).parent)) or "mhtool"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MHTOOL_DB": str(Path(tmp) / "bench.db")}
        subprocess.run(
            [
                mhtool,
                "signaal",
                "nieuw",
                "--gemeente",
                "Texel",
                "--melder",
                "x",
                "--kanaal",
                "mail",
                "--omschrijving",
                "benchmark",
            ],
            env=env,
            capture_output=True,
            check=True,
        )
        help_s = timed([mhtool, "--help"], env, args.runs)
        list_s = timed([mhtool, "signaal", "lijst"], env, args.runs)
    print(
        f"mhtool --help         median {help_s * 1000:6.1f} ms (budget {HELP_BUDGET_S * 1000:.0f})"
    )
    print(
        f"mhtool signaal lijst  median {list_s * 1000:6.1f} ms (budget help + "
        f"{LIST_EXTRA_BUDGET_S * 1000:.0f})"
    )
    ok = help_s <= HELP_BUDGET_S and list_s <= help_s + LIST_EXTRA_BUDGET_S
    print("binnen budget" if ok else "BUITEN BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
