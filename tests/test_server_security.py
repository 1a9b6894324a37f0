"""Security on the wire, end to end (issue 14, points 2 and 4): what a user typing a server
address sees, and what reaches (or never reaches) a server. The parser's own cases are in
tests/test_server_address.py, the keyring in tests/test_server_passwords.py.

The refusals need no server: they must happen before any connection, which a plain listening
socket proves (nothing arrives). The rest uses the session's PostgreSQL cluster."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.conftest import Cli
from tests.mhtool_process import SIGNAL_ARGS as LOG_ARGS
from tests.mhtool_process import child_env, run_mhtool

SECRET = "Geheim-Wachtwoord-7"
SIGNAL_ARGS = (*LOG_ARGS, "--omschrijving", "Veel mensen op één adres.")


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP port on this computer that records connection attempts: after a command has
    returned, a connection it made (even a refused one) waits in the accept queue."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    try:
        yield server
    finally:
        server.close()


def nothing_arrived(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


@pytest.fixture
def no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MHTOOL_SERVER_ZONDER_TLS", "PGHOST", "PGHOSTADDR", "PGSERVICE", "PGSSLMODE"):
        monkeypatch.delenv(name, raising=False)


# 0.0.0.0 reaches this computer on Linux, but is not a name mhtool counts as local: it stands
# for any server elsewhere, while the listener can see whether a connection was attempted.
@pytest.mark.parametrize(
    "sslmode", ["", "?sslmode=disable", "?sslmode=require", "?sslmode=verify-ca"]
)
@pytest.mark.usefixtures("no_override")
def test_a_server_elsewhere_without_verify_full_is_refused_before_any_connection(
    cli: Cli, listener: socket.socket, sslmode: str
) -> None:
    port = listener.getsockname()[1]
    address = f"postgresql://ambtenaar@0.0.0.0:{port}/mhtool{sslmode}"
    for args in (("--db", address, "info"), ("--db", address, *SIGNAL_ARGS)):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("Fout: Deze server staat niet op deze computer")
        assert "sslmode=verify-full" in result.stderr
        assert nothing_arrived(listener)


@pytest.mark.usefixtures("no_override")
def test_the_lab_override_does_connect_and_warns(
    cli: Cli, listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same address with the override: now mhtool does try (so the test above can fail),
    says the connection is not verified, and reports the failure in Dutch."""
    port = listener.getsockname()[1]
    monkeypatch.setenv("MHTOOL_SERVER_ZONDER_TLS", "ja-testomgeving")
    address = f"postgresql://ambtenaar@0.0.0.0:{port}/mhtool?sslmode=disable&connect_timeout=2"
    result = cli("--db", address, "signaal", "lijst")
    assert result.exit_code != 0
    assert "niet beveiligd met een gecontroleerd certificaat" in result.stderr
    assert "MHTOOL_SERVER_ZONDER_TLS" in result.stderr
    assert "Traceback" not in result.output
    assert not nothing_arrived(listener)


@pytest.mark.parametrize(
    "address",
    [
        f"postgresql://postgres:{SECRET}@127.0.0.1:{{port}}/mhtool",
        f"postgresql://postgres@127.0.0.1:{{port}}/mhtool?password={SECRET}",
        f"POSTGRES://postgres:{SECRET}@localhost:{{port}}/mhtool?sslmode=disable",
    ],
)
@pytest.mark.parametrize("via", ["--db", "MHTOOL_DB"])
@pytest.mark.usefixtures("no_override")
def test_a_password_in_the_address_is_refused_and_never_shown(
    cli: Cli, listener: socket.socket, monkeypatch: pytest.MonkeyPatch, address: str, via: str
) -> None:
    target = address.format(port=listener.getsockname()[1])
    if via == "--db":
        result = cli("--db", target, *SIGNAL_ARGS, "--json")
    else:
        monkeypatch.setenv("MHTOOL_DB", target)
        result = cli(*SIGNAL_ARGS, "--json")
    assert result.exit_code == 2
    assert "wachtwoord" in result.stderr and ".pgpass" in result.stderr
    assert "mhtool server wachtwoord" in result.stderr
    assert SECRET not in result.output
    assert result.stdout == ""
    assert nothing_arrived(listener)


@pytest.mark.slow
def test_a_password_in_the_address_never_reaches_any_output_of_the_real_program(
    tmp_path: object, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    target = f"postgresql://postgres:{SECRET}@127.0.0.1:{port}/mhtool"
    env = child_env(tmp_path / "niet.db", MHTOOL_DEBUG="1")  # type: ignore[operator]
    for args in (("--db", target, "info"), ("--db", target, "server", "wachtwoord")):
        done = run_mhtool(*args, env=env)
        assert done.returncode == 2, done.stderr
        assert SECRET not in done.stdout + done.stderr
        assert "Traceback" not in done.stderr
    assert nothing_arrived(listener)


@pytest.mark.parametrize("via", ["--db", "MHTOOL_DB"])
@pytest.mark.usefixtures("no_override")
def test_gebruiker_is_refused_on_a_server_and_still_works_on_a_file(
    cli: Cli, listener: socket.socket, monkeypatch: pytest.MonkeyPatch, via: str, db_path: object
) -> None:
    server = f"postgresql://postgres@127.0.0.1:{listener.getsockname()[1]}/mhtool"
    where = ("--db", server) if via == "--db" else ()
    if via == "MHTOOL_DB":
        monkeypatch.setenv("MHTOOL_DB", server)
    result = cli(*where, "--gebruiker", "iemand.anders", *SIGNAL_ARGS, "--json")
    assert result.exit_code == 2
    assert result.stderr.startswith("Fout: --gebruiker werkt niet met een database op een server")
    assert f"({via})" in result.stderr and "inlognaam" in result.stderr
    assert nothing_arrived(listener)
    # A file given with --db beats a server in MHTOOL_DB: --gebruiker is fine there.
    on_file = cli("--db", str(db_path), "--gebruiker", "iemand.anders", *SIGNAL_ARGS, "--json")
    assert on_file.exit_code == 0, on_file.output


@pytest.mark.parametrize(
    "address",
    ["postgresql:/127.0.0.1/mhtool", "postgresql://127.0.0.1:5432,127.0.0.1:5433/mhtool"],
)
@pytest.mark.usefixtures("no_override")
def test_a_mistyped_address_is_a_sentence_and_creates_no_file(
    cli: Cli, tmp_path: object, monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    result = cli("--db", address, *SIGNAL_ARGS)
    assert result.exit_code == 2
    assert result.stderr.startswith("Fout: Het serveradres")
    assert list(tmp_path.iterdir()) == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "address",
    [
        "postgresql://postgres@127.0.0.1:{port}/mhtool",
        f"postgresql://postgres:{SECRET}@127.0.0.1:{{port}}/mhtool",
        "postgresql://postgres@0.0.0.0:{port}/mhtool",
    ],
)
@pytest.mark.usefixtures("no_override")
def test_tab_completion_on_a_server_completes_nothing_and_never_connects(
    cli: Cli, listener: socket.socket, monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    from tests.test_completion import bash

    monkeypatch.setenv("MHTOOL_DB", address.format(port=listener.getsockname()[1]))
    assert bash(cli, monkeypatch, "mhtool signaal toon MH") == []
    assert "signaal" in bash(cli, monkeypatch, "mhtool sig")
    assert nothing_arrived(listener)
