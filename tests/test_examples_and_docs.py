"""The examples and the README promises are executable facts, not prose."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_demo_script_fills_a_database(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("MHTOOL_DB", None)
    result = subprocess.run(
        ["bash", str(ROOT / "examples" / "demo.sh"), str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Demo-database klaar" in result.stdout
    conn = sqlite3.connect(db)
    steps = conn.execute("SELECT ref, step, conclusion FROM signal ORDER BY ref").fetchall()
    conn.close()
    assert steps == [
        ("MH-2026-0001", 5, "verder-onderzoek"),
        ("MH-2026-0002", 2, None),
        ("MH-2026-0003", 5, "duiding"),
        ("MH-2026-0004", 1, None),
    ]
    again = subprocess.run(
        ["bash", str(ROOT / "examples" / "demo.sh"), str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert again.returncode != 0 and "bestaat al" in again.stderr


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    install_and_run, run_tests = blocks[0].strip(), blocks[1].strip()
    assert install_and_run == "python3 installeer.py signaal nieuw"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert run_tests in ci.splitlines()
    assert run_tests.startswith("python3 installeer.py --test")


def test_readme_lists_every_top_level_command(cli: object) -> None:
    from mhtool.cli.app import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    import typer.main

    group = typer.main.get_command(app)
    for name in group.commands:  # type: ignore[attr-defined]
        assert f"mhtool {name}" in readme, f"README does not mention 'mhtool {name}'"
