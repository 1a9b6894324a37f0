"""Security on the wire, end to end (issue 14, points 2 and 4): what a user typing a server
address sees, and what reaches (or never reaches) a server. The parser's own cases are in
tests/test_server_address.py, the keyring in tests/test_server_passwords.py.

The refusals need no server: they must happen before any connection, which a plain listening
socket proves (nothing arrives). The rest uses the session's PostgreSQL cluster."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Backend, Cli
from tests.mhtool_process import SIGNAL_ARGS as LOG_ARGS
from tests.mhtool_process import child_env, run_mhtool
from tests.postgres_cluster import PostgresCluster

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


# --- against the session's PostgreSQL cluster -----------------------------------------------


@pytest.fixture
def server_db(
    postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[PostgresCluster, str]]:
    postgres_cluster.ensure_running()
    roles = postgres_cluster.roles()
    name = postgres_cluster.fresh_database()
    for variable in ("MHTOOL_SERVER_ZONDER_TLS", "PGHOST", "PGHOSTADDR", "PGSERVICE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv("MHTOOL_DB", raising=False)
    try:
        yield postgres_cluster, name
    finally:
        postgres_cluster.ensure_running()
        postgres_cluster.drop_database(name, roles_before=roles)


# A command that opens the server database (creating the schema on first use) and reads.
READ = ("normen", "toon", "--json")
TABLES = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
OWNERS = "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
AUDIT = ("audit", "toon", "--json")  # viewing the audit log is logged: a write by this login


@pytest.mark.slow
def test_parameters_of_the_address_are_never_shown(
    cli: Cli, server_db: tuple[PostgresCluster, str]
) -> None:
    cluster, name = server_db
    hidden = (
        "?sslmode=disable&application_name=prive-naam&passfile=/geheim/pgpass&connect_timeout=30"
    )
    opened = cli("--db", f"postgresql://postgres@127.0.0.1:{cluster.port}/{name}{hidden}", *READ)
    assert opened.exit_code == 0, opened.output
    assert cluster.admin_rows(name, TABLES)[0][0] > 0
    info = cli("--db", f"postgresql://postgres@127.0.0.1:{cluster.port}/{name}{hidden}", "info")
    assert info.exit_code == 0, info.output
    assert f"Database: postgresql://postgres@127.0.0.1:{cluster.port}/{name} " in info.stdout
    assert "Verbinding: niet versleuteld" in info.stdout
    for part in ("sslmode", "prive-naam", "geheim", "connect_timeout", "?"):
        assert part not in info.output
    missing = cli("--db", f"postgresql://postgres@127.0.0.1:{cluster.port}/geen_db{hidden}", *READ)
    assert missing.exit_code == 4
    assert f"postgresql://postgres@127.0.0.1:{cluster.port}/geen_db" in missing.stderr
    for part in ("sslmode", "prive-naam", "geheim", "connect_timeout", "?"):
        assert part not in missing.output


@pytest.mark.slow
def test_gebruiker_is_refused_on_a_real_server_before_it_is_touched(
    cli: Cli, server_db: tuple[PostgresCluster, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster, name = server_db
    monkeypatch.setenv("MHTOOL_DB", cluster.url(name))
    monkeypatch.setenv("LOGNAME", "computer-naam")
    refused = cli("--gebruiker", "iemand.anders", *READ)
    assert refused.exit_code == 2
    assert "--gebruiker werkt niet" in refused.stderr
    assert cluster.admin_rows(name, TABLES) == [(0,)]
    # Viewing the audit log is logged itself: by the login name, not the computer's user.
    assert cli(*AUDIT).exit_code == 0
    logged = "SELECT by_user, count(*) FROM audit_log GROUP BY by_user"
    assert cluster.admin_rows(name, logged) == [("postgres", 1)]
    again = cli("--gebruiker", "iemand.anders", *AUDIT)
    assert again.exit_code == 2
    assert cluster.admin_rows(name, logged) == [("postgres", 1)]


@pytest.mark.slow
def test_pghost_and_pghostaddr_cannot_send_a_local_address_elsewhere(
    cli: Cli, server_db: tuple[PostgresCluster, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`localhost` is allowed without TLS because it is this computer; libpq's PGHOSTADDR
    would otherwise connect to another address (here an unroutable one) under that name."""
    cluster, name = server_db
    address = f"postgresql://postgres@localhost:{cluster.port}/{name}?connect_timeout=20"
    with monkeypatch.context() as only_for_mhtool:  # the fixture's own connections need none
        only_for_mhtool.setenv("PGHOSTADDR", "192.0.2.1")
        only_for_mhtool.setenv("PGHOST", "192.0.2.1")
        opened = cli("--db", address, *READ)
    assert opened.exit_code == 0, opened.output
    assert cluster.admin_rows(name, TABLES)[0][0] > 0


@pytest.mark.slow
def test_the_lab_override_reaches_a_real_server(
    cli: Cli, server_db: tuple[PostgresCluster, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster, name = server_db
    address = f"postgresql://postgres@0.0.0.0:{cluster.port}/{name}?sslmode=disable"
    refused = cli("--db", address, *READ)
    assert refused.exit_code == 2
    assert cluster.admin_rows(name, TABLES) == [(0,)]
    monkeypatch.setenv("MHTOOL_SERVER_ZONDER_TLS", "ja-testomgeving")
    opened = cli("--db", address, *READ)
    assert opened.exit_code == 0, opened.output
    assert "niet beveiligd" in opened.stderr
    assert cluster.admin_rows(name, TABLES)[0][0] > 0


@pytest.fixture
def password_role(
    server_db: tuple[PostgresCluster, str],
) -> Iterator[tuple[PostgresCluster, str, str]]:
    """A login role that must give a password (scram) on 127.0.0.1, owning the test's
    database. The session cluster trusts everyone, so one pg_hba.conf line for this role alone
    goes in front while the test runs, and out again after."""
    cluster, name = server_db
    role = f"wachtwoord_{name}"[:60]
    cluster.admin_rows("postgres", f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{SECRET}'")
    cluster.admin_rows("postgres", f'ALTER DATABASE "{name}" OWNER TO "{role}"')
    hba = cluster.data / "pg_hba.conf"
    original = hba.read_text(encoding="utf-8")
    hba.write_text(f"host all {role} 127.0.0.1/32 scram-sha-256\n{original}", encoding="utf-8")
    try:
        _reload_until(cluster, name, role, needs_password=True)
        yield cluster, name, role
    finally:
        hba.write_text(original, encoding="utf-8")
        _reload_until(cluster, name, role, needs_password=False)


def _reload_until(cluster: PostgresCluster, name: str, role: str, *, needs_password: bool) -> None:
    """Reload the server's configuration and wait until a password-less login of `role` is
    refused (or accepted again): a reload is asynchronous."""
    import psycopg

    cluster.admin_rows("postgres", "SELECT pg_reload_conf()")
    for _ in range(600):
        try:
            with psycopg.connect(cluster.url(name, role), connect_timeout=10, passfile="/dev/null"):
                refused = False
        except psycopg.OperationalError:
            refused = True
        if refused == needs_password:
            return
        cluster.admin_rows("postgres", "SELECT pg_sleep(0.05)")
    raise AssertionError("the server did not take the new pg_hba.conf")


@pytest.mark.slow
def test_a_password_kept_with_server_wachtwoord_is_what_logs_in(
    cli: Cli,
    password_role: tuple[PostgresCluster, str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from mhtool.cli import server_commands
    from tests.test_server_passwords import Typed

    keyring = pytest.importorskip("keyring")
    from tests.keyring_stand_in import FileKeyring

    cluster, name, role = password_role
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "geen-pgpass"))
    monkeypatch.delenv("MHTOOL_SLEUTELBOS", raising=False)
    monkeypatch.setenv("MHTOOL_DB", cluster.url(name, role))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    typed = Typed()
    monkeypatch.setattr(server_commands, "_has_terminal", lambda: True)
    monkeypatch.setattr(server_commands, "_prompt", typed.prompt)
    try:
        without = cli(*READ)
        assert without.exit_code == 2, without.output
        assert "weigert de aanmelding" in without.stderr
        assert "mhtool server wachtwoord" in without.stderr

        typed.extend(["fout-wachtwoord", "fout-wachtwoord"])
        assert cli("server", "wachtwoord").exit_code == 0
        wrong = cli(*READ)
        assert wrong.exit_code == 2 and "weigert de aanmelding" in wrong.stderr
        assert "fout-wachtwoord" not in wrong.output

        typed.extend([SECRET, SECRET])
        assert cli("server", "wachtwoord").exit_code == 0
        made = cli(*READ)
        assert made.exit_code == 0, made.output
        assert SECRET not in made.output
        assert cli(*AUDIT).exit_code == 0
    finally:
        keyring.set_keyring(previous)
    assert cluster.admin_rows(name, OWNERS) == [(role,)]  # the schema was made by this login
    assert cluster.admin_rows(name, "SELECT DISTINCT by_user FROM audit_log") == [(role,)]


@pytest.mark.slow
def test_a_pgpass_file_is_read_by_libpq(
    cli: Cli,
    password_role: tuple[PostgresCluster, str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    cluster, name, role = password_role
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{cluster.port}:{name}:{role}:{SECRET}\n", encoding="utf-8")
    pgpass.chmod(0o600)
    monkeypatch.setenv("MHTOOL_SLEUTELBOS", "uit")
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    made = cli("--db", cluster.url(name, role), *READ)
    assert made.exit_code == 0, made.output
    assert cluster.admin_rows(name, OWNERS) == [(role,)]  # the schema was made by this login
    assert cli("--db", cluster.url(name, role), *AUDIT).exit_code == 0
    assert cluster.admin_rows(name, "SELECT DISTINCT by_user FROM audit_log") == [(role,)]


def _openssl(*args: str, cwd: Path) -> None:
    done = subprocess.run(
        ["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


def _authority(folder: Path, name: str) -> None:
    """A certificate authority: `name`-ca.key and `name`-ca.pem in `folder`."""
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", f"/CN=mhtool test CA {name}",
        "-keyout", f"{name}-ca.key", "-out", f"{name}-ca.pem",
        cwd=folder,
    )  # fmt: skip


@pytest.fixture
def tls_server(
    server_db: tuple[PostgresCluster, str], tmp_path: Path
) -> Iterator[tuple[PostgresCluster, str, str, Path]]:
    """The session's cluster with TLS on for the length of one test: a server certificate for
    the address 0.0.0.0 (what these tests use as 'a server elsewhere') signed by a test CA, and
    a role that the server lets in over TLS only. Yields cluster, database, role, and the folder
    with `gemeente-ca.pem` (the right CA) and `ander-ca.pem` (a CA that did not sign it)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make test certificates")
    cluster, name = server_db
    _authority(tmp_path, "gemeente")
    _authority(tmp_path, "ander")
    (tmp_path / "san.cnf").write_text("subjectAltName = IP:0.0.0.0\n", encoding="utf-8")
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=0.0.0.0",
        "-keyout", "server.key", "-out", "server.csr",
        cwd=tmp_path,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "gemeente-ca.pem",
        "-CAkey", "gemeente-ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", "san.cnf", "-out", "server.crt",
        cwd=tmp_path,
    )  # fmt: skip
    for part in ("server.crt", "server.key"):
        target = cluster.folder / f"test-tls-{part}"
        shutil.copyfile(tmp_path / part, target)
        target.chmod(0o600)
        if cluster.run_as is not None:
            os.chown(target, *cluster.run_as)
    role = f"tls_{name}"[:60]
    cluster.admin_rows("postgres", f'CREATE ROLE "{role}" LOGIN')
    cluster.admin_rows("postgres", f'ALTER DATABASE "{name}" OWNER TO "{role}"')
    hba = cluster.data / "pg_hba.conf"
    original = hba.read_text(encoding="utf-8")
    hba.write_text(
        f"hostssl all {role} 127.0.0.1/32 trust\nhost all {role} 127.0.0.1/32 reject\n{original}",
        encoding="utf-8",
    )
    settings = {
        "ssl": "on",
        "ssl_cert_file": str(cluster.folder / "test-tls-server.crt"),
        "ssl_key_file": str(cluster.folder / "test-tls-server.key"),
    }
    for key, value in settings.items():
        cluster.admin_rows("postgres", f"ALTER SYSTEM SET {key} = '{value}'")
    try:
        _reload_until_tls(cluster, on=True)
        yield cluster, name, role, tmp_path
    finally:
        hba.write_text(original, encoding="utf-8")
        for key in settings:
            cluster.admin_rows("postgres", f"ALTER SYSTEM RESET {key}")
        _reload_until_tls(cluster, on=False)


def _reload_until_tls(cluster: PostgresCluster, *, on: bool) -> None:
    """Reload and wait until the server does (or no longer does) TLS: a reload is
    asynchronous."""
    import psycopg

    cluster.admin_rows("postgres", "SELECT pg_reload_conf()")
    for _ in range(600):
        try:
            with psycopg.connect(cluster.url("postgres"), sslmode="require", connect_timeout=10):
                tls = True
        except psycopg.OperationalError:
            tls = False
        if tls == on:
            return
        cluster.admin_rows("postgres", "SELECT pg_sleep(0.05)")
    raise AssertionError("the server did not take the TLS settings")


@pytest.mark.slow
@pytest.mark.usefixtures("no_override")
def test_a_server_elsewhere_with_verify_full_and_the_right_certificate_is_used_over_tls(
    cli: Cli, tls_server: tuple[PostgresCluster, str, str, Path]
) -> None:
    cluster, name, role, certificates = tls_server
    base = f"postgresql://{role}@0.0.0.0:{cluster.port}/{name}?sslmode=verify-full&sslrootcert="
    right = cli("--db", base + str(certificates / "gemeente-ca.pem"), *AUDIT)
    assert right.exit_code == 0, right.output
    assert "niet beveiligd" not in right.stderr
    shown = cli("--db", base + str(certificates / "gemeente-ca.pem"), "info")
    assert "Verbinding: versleuteld (TLS), het certificaat van de server is gecontroleerd" in (
        shown.stdout
    )
    # The role may only come in over TLS, so the audit row proves the connection was one.
    assert cluster.admin_rows(name, "SELECT DISTINCT by_user FROM audit_log") == [(role,)]

    wrong = cli("--db", base + str(certificates / "ander-ca.pem"), *AUDIT)
    assert wrong.exit_code == 4
    assert "TLS-certificaat" in wrong.stderr and "sslrootcert" in wrong.stderr
    assert str(certificates) not in wrong.output
    assert cluster.admin_rows(name, "SELECT count(*) FROM audit_log") == [(1,)]


@pytest.mark.parametrize(
    "address",
    [
        f"postgresql://postgres:{SECRET}@127.0.0.1:{{port}}/mhtool",
        f"postgresql://postgres@127.0.0.1:{{port}}/mhtool?password={SECRET}",
        "postgresql://postgres@0.0.0.0:{port}/mhtool?sslmode=require",
    ],
)
@pytest.mark.usefixtures("no_override")
def test_overzetten_checks_the_address_before_the_file_or_the_server_is_touched(
    cli: Cli, listener: socket.socket, tmp_path: Path, address: str
) -> None:
    target = address.format(port=listener.getsockname()[1])
    source = tmp_path / "zaken.db"
    assert cli("--db", str(source), *SIGNAL_ARGS).exit_code == 0
    audit = "SELECT count(*) FROM audit_log"
    before = Backend("sqlite", str(source)).rows(audit)
    for args in (
        ("--db", str(source), "overzetten", "--naar", target),
        ("overzetten", "--van", target, "--naar-bestand", str(tmp_path / "kopie.db")),
    ):
        refused = cli(*args)
        assert refused.exit_code == 2, refused.output
        assert SECRET not in refused.output
        assert "wachtwoord" in refused.stderr or "sslmode=verify-full" in refused.stderr
    assert Backend("sqlite", str(source)).rows(audit) == before  # the file was not even opened
    assert not (tmp_path / "kopie.db").exists()
    assert nothing_arrived(listener)


@pytest.mark.slow
def test_info_says_how_the_connection_travels(
    cli: Cli, server_db: tuple[PostgresCluster, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster, name = server_db
    plain = cli("--db", f"postgresql://postgres@localhost:{cluster.port}/{name}", "info", "--json")
    assert plain.exit_code == 0, plain.output
    assert json.loads(plain.stdout)["verbinding"] == "onversleuteld"
    if cluster.socket_dir.exists():
        socket_address = (
            f"postgresql://postgres@/{name}?host={cluster.socket_dir}&port={cluster.port}"
        )
        local = cli("--db", socket_address, "info")
        assert local.exit_code == 0, local.output
        assert "Verbinding: via een socket op deze computer" in local.stdout
        assert str(cluster.socket_dir) in local.stdout  # the socket folder is no secret
