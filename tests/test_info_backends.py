"""`mhtool info` on a file and on a PostgreSQL server: where the database is, its schema
version and its signal counts on both; on a server also who is logged in, and nothing about
a file (size, permissions, file encryption) that a server does not have."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from mhtool.store.migrations import LATEST_VERSION
from tests.backend_helpers import server_only, stored_execute
from tests.conftest import Backend, Cli
from tests.signal_helpers import close_signal

pytestmark = pytest.mark.usefixtures("backend")

FILE_ONLY_KEYS = {"pad", "grootte_bytes", "bestandsrechten", "versleuteld"}


def test_info_counts_the_signals_on_both_backends(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    new_signal()
    close_signal(cli, new_signal(), "10-11-2026")
    new_signal()
    result = cli("info", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["signalen"], data["open_signalen"]) == (3, 2)
    assert data["schemaversie"] == LATEST_VERSION
    assert data["bron"] == "MHTOOL_DB" and data["bestaat"] is True
    shown = cli("info")
    assert shown.exit_code == 0, shown.output
    assert "Signalen: 3 (open: 2)" in shown.stdout
    assert f"Schemaversie: {LATEST_VERSION}" in shown.stdout
    if backend.is_postgresql:
        assert data["server"] is True
        assert data["adres"] == backend.target
        assert data["gebruiker"] == urlsplit(backend.target).username == "postgres"
        assert not FILE_ONLY_KEYS & set(data)
        assert f"Database: {backend.target} (PostgreSQL-server)" in shown.stdout
        assert "Aangemeld als: postgres" in shown.stdout
        for file_word in ("Grootte", "rechten", "Versleuteld"):
            assert file_word not in shown.stdout
    else:
        assert data["pad"] == backend.target
        assert data["bestandsrechten"] == "0600" and data["grootte_bytes"] > 0
        assert data["versleuteld"] is False
        assert "server" not in data and "gebruiker" not in data
        assert "Grootte:" in shown.stdout and "Aangemeld als" not in shown.stdout


def test_info_on_a_server_names_the_login_not_the_computer_user(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    server_only(backend, "a file has no login")
    new_signal()
    # A second officer with a login of her own (superuser here, so no grants are needed:
    # who may see what is tested with the roles in the row-level-security tests).
    stored_execute(backend, "CREATE ROLE anna_de_vries LOGIN SUPERUSER")
    parts = urlsplit(backend.target)
    as_anna = parts._replace(netloc=f"anna_de_vries@{parts.hostname}:{parts.port}").geturl()
    result = cli("--db", as_anna, "info", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["gebruiker"] == "anna_de_vries"
    assert data["adres"] == as_anna and data["bron"] == "--db"
    assert data["signalen"] == 1
    text = cli("--db", as_anna, "info")
    assert "Aangemeld als: anna_de_vries" in text.stdout
    # Reading is not changing: info leaves no history row behind.
    assert backend.scalar("SELECT count(*) FROM history WHERE by_user = 'anna_de_vries'") == 0


def test_info_on_a_server_shows_no_connection_parameters(
    cli: Cli, backend: Backend
) -> None:
    """Parameters of the address (which may carry more than a host) stay out of the output."""
    server_only(backend, "a file path has no parameters")
    with_parameters = backend.target + "?connect_timeout=10&application_name=mhtool"
    result = cli("--db", with_parameters, "info", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["adres"] == backend.target
    shown = cli("--db", with_parameters, "info")
    assert "connect_timeout" not in shown.output and "application_name" not in shown.output


def test_info_on_a_server_counts_what_the_role_may_see(
    cli: Cli, new_signal: Callable[..., str], backend: Backend
) -> None:
    """An officer of Koggenland counts the Koggenland signals only (row-level security), the
    regional role counts every signal of the region from its figures, and neither sees an
    error or a hint it cannot follow."""
    server_only(backend, "roles and row-level security are the server's")
    new_signal(gemeente="Texel")
    new_signal(gemeente="Koggenland")
    close_signal(cli, new_signal(gemeente="Koggenland"), "10-11-2026")
    roles = cli(
        "server", "rollen", "--functionaris", "kees_info", "--gemeente", "Koggenland",
        "--regio", "regio_info",
    )  # fmt: skip
    assert roles.exit_code == 0, roles.output
    stored_execute(backend, roles.stdout)
    parts = urlsplit(backend.target)
    for role, expected in (("kees_info", (2, 1)), ("regio_info", (3, 2))):
        address = parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}").geturl()
        result = cli("--db", address, "info", "--json")
        assert result.exit_code == 0, (role, result.output)
        data = json.loads(result.stdout)
        assert (data["signalen"], data["open_signalen"]) == expected, role
        assert data["gebruiker"] == role
        assert result.stderr == "", (role, result.stderr)
