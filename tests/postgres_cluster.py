"""One throwaway PostgreSQL cluster per test session, in a temporary folder on a free port.

Why our own cluster instead of a server the machine may already run: no test may depend on, or
touch, a server the suite did not start (issue 14), and a fresh cluster gives every session the
same clean state (no leftover roles or databases) with trust authentication, so tests can log
in as any role they create without a password.

The cluster is started lazily by the `postgres_cluster` fixture (tests/conftest.py) and hands
out one fresh database per test (`fresh_database`), optionally cloned from a template that was
migrated once per session (`ensure_template`), so a test does not pay for the migrations.

As root (here and in CI) initdb refuses to run, so every server program runs as the `postgres`
OS user (else `nobody`) and the folder is handed to that user. A small watchdog process stops
the server and removes the folder if the test process dies without tearing down (SIGKILL,
SIGTERM, a CI timeout), so no stray postmaster keeps a port and shared memory.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

SUPERUSER = "postgres"
PROGRAMS = ("initdb", "pg_ctl", "postgres")
# Room for the 8-writer test, a crash test's leftovers and a few admin connections.
MAX_CONNECTIONS = 60
READY_TIMEOUT = 180.0  # seconds; a busy 2-core CI box can be very slow to start a server
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "max_connections": str(MAX_CONNECTIONS),
    "shared_buffers": "'32MB'",
    "work_mem": "'4MB'",
    "maintenance_work_mem": "'32MB'",
    "max_wal_size": "'256MB'",
    # fsync only guards against the OS or the power going down; `pg_ctl stop -m immediate` (the
    # crash tests) kills the server's processes, and a commit has still written its WAL to the
    # OS before it returns (synchronous_commit stays on), so nothing committed is lost. Off, a
    # test database is created in a quarter of the time and every commit is cheaper.
    "fsync": "off",
    "synchronous_commit": "on",
    "logging_collector": "off",
    "log_min_messages": "warning",
    "timezone": "'UTC'",
    "max_parallel_workers_per_gather": "0",  # tiny test databases; keep the 2 cores for tests
}


class PostgresUnavailable(Exception):
    """No PostgreSQL server programs on this machine: the fixture skips, saying this."""


def find_bin_dir() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres: from PATH first (resolving the links
    some images put in /usr/local/bin), then the newest /usr/lib/postgresql/<version>/bin."""
    initdb = shutil.which("initdb")
    if initdb is not None:
        folder = Path(initdb).resolve().parent
        if all((folder / program).exists() for program in PROGRAMS):
            return folder
    candidates = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
        key=lambda p: _version_key(p.parent.name),
        reverse=True,
    )
    for folder in candidates:
        if all((folder / program).exists() for program in PROGRAMS):
            return folder
    return None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def free_port() -> int:
    """A port nobody listens on right now (the start retries if another process takes it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def qmark_to_psycopg(sql: str) -> str:
    """SQL written with sqlite3's `?` placeholders in psycopg's `%s` form (`%` doubled), leaving
    quoted strings and identifiers alone, so a test can write one query for both backends."""
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote is not None:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char == "?":
            out.append("%s")
            continue
        out.append("%%" if char == "%" else char)
    return "".join(out)


def _server_user() -> tuple[int, int] | None:
    """(uid, gid) to run the server programs as when we are root; None when we are not."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    raise PostgresUnavailable(
        "running as root, and neither a 'postgres' nor a 'nobody' OS user exists to run "
        "initdb and the server as"
    )


@dataclass
class PostgresCluster:
    """A running throwaway cluster: `admin_url` (superuser `postgres`), a database per test."""

    folder: Path
    bin_dir: Path
    port: int
    run_as: tuple[int, int] | None
    _names: Iterator[int]
    _watchdog: subprocess.Popen[bytes] | None = None
    _templates: dict[str, str] | None = None

    # ---- life cycle -------------------------------------------------------------------------

    @classmethod
    def create(cls) -> PostgresCluster:
        """initdb into a new temporary folder and start the server; raises PostgresUnavailable
        when this machine has no PostgreSQL server programs at all."""
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise PostgresUnavailable(
                "no PostgreSQL server programs (initdb, pg_ctl, postgres) on PATH or in "
                "/usr/lib/postgresql/*/bin; install PostgreSQL 15 (.ci/run does this in CI)"
            )
        run_as = _server_user()
        folder = Path(tempfile.mkdtemp(prefix="mhtool-pg-"))
        cluster = cls(folder, bin_dir, 0, run_as, itertools.count(1))
        try:
            cluster._init()
            cluster._start_watchdog()
            cluster._start_on_free_port()
        except BaseException:
            cluster.destroy()
            raise
        return cluster

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    @property
    def log_file(self) -> Path:
        return self.folder / "server.log"

    def _run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """A server program, as the server's OS user when we are root. stdin closed and a new
        session, so neither waits for a terminal nor gets the terminal's Ctrl-C: the session's
        teardown stops the server in order."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        extra: dict[str, Any] = {}
        if self.run_as is not None:
            extra = {"user": self.run_as[0], "group": self.run_as[1], "extra_groups": []}
            env["HOME"] = str(self.folder)
        return subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            env=env,
            cwd=self.folder,  # the server's user may not be allowed into the caller's folder
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,
            check=False,
            **extra,
        )

    def _init(self) -> None:
        self.socket_dir.mkdir()
        if self.run_as is not None:
            for path in (self.folder, self.socket_dir):
                os.chown(path, *self.run_as)
        done = self._run(
            "initdb",
            "--pgdata",
            str(self.data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",  # local socket and 127.0.0.1/::1 host lines, for every role
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",  # a throwaway cluster (see fsync in SETTINGS)
            "--no-instructions",
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        lines = [f"{key} = {value}" for key, value in SETTINGS.items()]
        # A socket path longer than the OS allows (~107 bytes, a deep TMPDIR) would stop the
        # server from starting; TCP on 127.0.0.1 is what the tests use, so go without it then.
        socket_ok = len(str(self.socket_dir / ".s.PGSQL.65535").encode()) <= 100
        lines.append(f"unix_socket_directories = '{self.socket_dir if socket_ok else ''}'")
        conf = self.data / "postgresql.conf"
        with conf.open("a", encoding="utf-8") as file:
            file.write("\n# mhtool test cluster (tests/postgres_cluster.py)\n")
            file.write("\n".join(lines) + "\n")

    def _start_on_free_port(self) -> None:
        """Start on a free port; another process may take the port between our probe and the
        server's bind, so a failed bind tries the next free port (a few times)."""
        for attempt in range(5):
            self.port = free_port()
            with (self.data / "postgresql.conf").open("a", encoding="utf-8") as file:
                file.write(f"port = {self.port}\n")  # the last setting wins
            try:
                self.start()
                return
            except RuntimeError:
                log = self._log_tail()
                if attempt == 4 or "could not bind" not in log and "in use" not in log:
                    raise

    def start(self) -> None:
        """Start the server (again) and wait until it accepts connections. `pg_ctl -w` polls
        the server's own readiness; a connection confirms it (crash recovery after
        `stop_immediately` may take a moment)."""
        done = self._run(
            "pg_ctl",
            "start",
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log_file),
            "--wait",
            "--timeout",
            str(int(READY_TIMEOUT)),
            timeout=READY_TIMEOUT + 30,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"pg_ctl start failed ({done.returncode}):\n{done.stdout}{done.stderr}\n"
                f"server log:\n{self._log_tail()}"
            )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                with self.connect(timeout=10) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"PostgreSQL did not accept connections within {READY_TIMEOUT:.0f} s:\n"
                        f"{self._log_tail()}"
                    ) from None
                time.sleep(0.05)  # poll again; the loop ends on the condition, not the time

    def stop(self) -> None:
        """`pg_ctl stop -m fast`: running transactions are rolled back, the server shuts down
        cleanly."""
        self._pg_ctl_stop("fast")

    def stop_immediately(self) -> None:
        """`pg_ctl stop -m immediate`: the server quits without a checkpoint, as in a crash or
        a power cut; the next `start()` runs crash recovery from the WAL."""
        self._pg_ctl_stop("immediate")

    def _pg_ctl_stop(self, mode: str) -> None:
        done = self._run(
            "pg_ctl", "stop", "--pgdata", str(self.data), "--mode", mode, "--wait", timeout=300
        )
        if done.returncode != 0 and self.is_running():
            raise RuntimeError(f"pg_ctl stop -m {mode} failed:\n{done.stdout}{done.stderr}")

    def is_running(self) -> bool:
        return self._run("pg_ctl", "status", "--pgdata", str(self.data)).returncode == 0

    def destroy(self) -> None:
        """Stop the server (fast) if it runs and remove the folder; safe to call twice."""
        try:
            if self.data.exists() and (self.data / "postmaster.pid").exists():
                self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
            if self._watchdog is not None:
                if self._watchdog.stdin is not None:
                    with contextlib.suppress(OSError):
                        self._watchdog.stdin.close()  # EOF: it finds nothing left to clean up
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._watchdog.wait(timeout=30)
                self._watchdog = None

    def _start_watchdog(self) -> None:
        """A process that waits for our end of a pipe to close. If this test process dies
        without `destroy()` (killed), the pipe closes all the same, and the watchdog stops the
        server at once and removes the folder."""
        pg_ctl = str(self.bin_dir / "pg_ctl")
        script = (
            "import os, shutil, subprocess, sys\n"
            "sys.stdin.buffer.read()\n"
            "data = sys.argv[2]\n"
            "if os.path.exists(os.path.join(data, 'postmaster.pid')):\n"
            "    kw = {} if sys.argv[4] == '-' else "
            "dict(user=int(sys.argv[4]), group=int(sys.argv[5]), extra_groups=[])\n"
            "    subprocess.run([sys.argv[1], 'stop', '-D', data, '-m', 'immediate', '-w'],"
            " cwd=sys.argv[3], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)\n"
            "shutil.rmtree(sys.argv[3], ignore_errors=True)\n"
        )
        uid, gid = ("-", "-") if self.run_as is None else map(str, self.run_as)
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", script, pg_ctl, str(self.data), str(self.folder), uid, gid],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in the terminal is for pytest, not for this
        )

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    # ---- connections and databases --------------------------------------------------------

    def url(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        """A libpq URL for `dbname` over TCP on 127.0.0.1 (what MHTOOL_DB gets)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def connect(
        self, dbname: str = "postgres", *, autocommit: bool = True, timeout: int = 30
    ) -> psycopg.Connection[Any]:
        """A superuser connection to this cluster whatever the test did to the environment:
        every setting libpq would otherwise take from PGHOSTADDR, PGSSLMODE, PGOPTIONS or a
        PGSERVICE entry is given here, so a test of those variables cannot move the harness's
        own connections elsewhere."""
        import psycopg

        return psycopg.connect(
            host="127.0.0.1",
            hostaddr="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            dbname=dbname,
            sslmode="disable",
            gssencmode="disable",
            options="",
            connect_timeout=timeout,
            autocommit=autocommit,
        )

    def admin_rows(
        self, dbname: str, sql: str, params: Sequence[object] = ()
    ) -> list[tuple[Any, ...]]:
        """Rows of one statement run as the superuser in `dbname` (its own connection, so it
        sees every committed row and no row-level security). `?` placeholders work too."""
        with self.connect(dbname) as conn:
            cursor = conn.execute(qmark_to_psycopg(sql), tuple(params))
            return list(cursor.fetchall()) if cursor.description is not None else []

    def roles(self) -> set[str]:
        return {str(row[0]) for row in self.admin_rows("postgres", "SELECT rolname FROM pg_roles")}

    def fresh_database(self, template: str | None = None) -> str:
        """A new database (its name); empty (from template0) unless a `template` made by
        `ensure_template` is named, which is copied as it is, schema and all."""
        name = f"mhtool_test_{os.getpid()}_{next(self._names)}"
        source = template or "template0"
        with self.connect() as conn:
            conn.execute(
                f'CREATE DATABASE "{name}" TEMPLATE "{source}" ENCODING \'UTF8\' '
                "LC_COLLATE 'C' LC_CTYPE 'C'"
            )
        return name

    def ensure_template(self, name: str, prepare: Callable[[str], None]) -> str:
        """A template database, made once per session: an empty database that `prepare(url)`
        fills (for mhtool: open it once, which runs the migrations), then frozen as a
        template. Later calls return the same name without running `prepare` again."""
        if self._templates is None:
            self._templates = {}
        if name not in self._templates:
            with self.connect() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(
                    f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                    "LC_COLLATE 'C' LC_CTYPE 'C'"
                )
            prepare(self.url(name))
            with self.connect() as conn:
                # CREATE DATABASE ... TEMPLATE needs the template without other sessions.
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
                conn.execute(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true')
            self._templates[name] = name
        return self._templates[name]

    @contextlib.contextmanager
    def scratch_database(self, template: str | None = None) -> Iterator[str]:
        """A fresh database for one test (see `fresh_database`), dropped afterwards together
        with the roles the test created, also when the test stopped the server."""
        self.ensure_running()
        roles_before = self.roles()
        dbname = self.fresh_database(template)
        try:
            yield dbname
        finally:
            self.ensure_running()
            self.drop_database(dbname, roles_before=roles_before)

    def drop_database(self, name: str, *, roles_before: set[str] | None = None) -> None:
        """Drop a test's database (closing what is still connected), and the roles the test
        created (roles belong to the cluster, not to one database), so the next test starts
        without them."""
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if roles_before is None:
            return
        for role in sorted(self.roles() - roles_before):
            self._drop_role(role)

    def _drop_role(self, role: str) -> None:
        """DROP ROLE, after dropping what it owns or was granted in every database that is
        left (the template, `postgres`): otherwise the server refuses."""
        import psycopg

        try:
            with self.connect() as conn:
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')
            return
        except psycopg.errors.DependentObjectsStillExist:
            pass
        databases = self.admin_rows(
            "postgres", "SELECT datname FROM pg_database WHERE datallowconn"
        )
        for (dbname,) in databases:
            with self.connect(str(dbname)) as conn:
                conn.execute(f'DROP OWNED BY "{role}"')
        with self.connect() as conn:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')

    def ensure_running(self) -> None:
        """Start the server again if a test left it stopped (a crash test that failed half
        way), so one failure does not turn every later test into an error."""
        if not self.is_running():
            self.start()
