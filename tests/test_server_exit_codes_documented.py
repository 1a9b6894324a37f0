"""The exit codes a script meets on a server are the ones README's table promises.

README's table spoke of a file only: code 4 "het bestand is geen (bruikbare) mhtool-database",
code 2 "verkeerde invoer". A server that cannot be reached, a database that is not there, an
unknown login and an address without TLS each get the code whose row now names that case.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.postgres_cluster import PostgresCluster

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parent.parent / "README.md"


def _row(code: int) -> str:
    found = re.search(rf"^\| {code} \| (.*) \|$", README.read_text(encoding="utf-8"), re.M)
    assert found is not None, code
    return found.group(1)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_failures_exit_with_the_documented_codes(
    postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    cluster = postgres_cluster
    cluster.ensure_running()
    cases = [
        (cluster.url("bestaat_niet_hier"), 4, "heeft die database niet"),
        (f"postgresql://iemand@127.0.0.1:{_closed_port()}/mhtool", 4, "niet bereikbaar"),
        (cluster.url("postgres", user="onbekende_inlog"), 2, "onbekende inlognaam"),
        ("postgresql://iemand@db.example.nl/mhtool", 2, "zonder TLS"),
        ("postgresql://iemand:geheim@127.0.0.1/mhtool", 2, "met een wachtwoord erin"),
    ]
    for address, code, documented in cases:
        monkeypatch.setenv("MHTOOL_DB", address)
        result = cli("info")
        assert result.exit_code == code, (address, result.output)
        assert result.stderr.startswith("Fout: ") and "Traceback" not in result.output
        assert "geheim" not in result.output
        assert documented in _row(code), (code, documented)
