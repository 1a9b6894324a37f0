"""Running the real `mhtool` in a child process, as a user or a script would.

Used where in-process runs cannot see the truth: output the SQLCipher C library writes straight
to file descriptor 2, a missing terminal, SIGKILL, and two processes at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MHTOOL = [sys.executable, "-m", "mhtool"]
TEST_PASSPHRASE = "correct paard batterij niet"

SIGNAL_ARGS = (
    "signaal",
    "nieuw",
    "--datum",
    "01-11-2026",
    "--gemeente",
    "Dijk en Waard",
    "--melder",
    "P. Jansen",
    "--kanaal",
    "mail",
    "--vorm",
    "arbeid",
)


def child_env(db: Path | str, passphrase: str | None = None, **extra: str) -> dict[str, str]:
    """The parent's environment with a known database, and no passphrase or keyring unless
    the test asks for one."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MHTOOL_") or k == "MHTOOL_LOPEND"  # the test's own registry
    }
    env["MHTOOL_DB"] = str(db)
    env["MHTOOL_SLEUTELBOS"] = "uit"
    env["MHTOOL_AGENDA_HINT"] = "uit"  # tested on its own in test_lifecycle_agenda
    env["MHTOOL_ONTGRENDELD_MINUTEN"] = "0"  # remembered keys: tested in test_session_keys
    env["COLUMNS"] = "200"
    if passphrase is not None:
        env["MHTOOL_WACHTWOORD"] = passphrase
    env.update(extra)
    return env


def run_mhtool(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run mhtool with no terminal at all (no stdin, own session), so nothing can wait for input."""
    return subprocess.run(
        [*MHTOOL, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
        check=False,
    )


def log_signal_installed(env: dict[str, str]) -> str:
    """`signaal nieuw` through the installed mhtool (SIGNAL_ARGS); returns the new number."""
    made = run_mhtool(*SIGNAL_ARGS, "--omschrijving", "x", "--json", env=env)
    assert made.returncode == 0, made.stderr
    return str(json.loads(made.stdout)["id"])
