"""An mhtool database on a PostgreSQL server (psycopg 3): the same `Store` as a file.

Store modules write SQL with SQLite's `?` placeholders; `pyformat()` turns them into psycopg's
`%s` (and `:name` into `%(name)s`) outside quoted text, once per statement. Where the dialects
differ, the store module branches on `store.dialect` at the query itself.

Write transactions first take one transaction-scoped advisory lock, so writers queue exactly as
they do on a file under BEGIN IMMEDIATE: every read-check-write sequence in a use case stays
free of races without re-reasoning each one for READ COMMITTED. Reads run in a REPEATABLE READ
snapshot, as a file's read transaction does.

psycopg is imported here and only here (and in postgres_errors.py); this module is imported only
for a `postgresql://` database, so a command on a file never pays for it.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from mhtool.errors import NotAllowedError
from mhtool.store.connection import (
    Cursor,
    Store,
    busy_timeout_ms,
    insert_sql,
    translate_sqlite_errors,
)

if TYPE_CHECKING:
    import psycopg

# Advisory lock keys (any fixed 64-bit numbers; "MHTW"/"MHTM" in ASCII): one for writers, one
# for schema migrations.
WRITE_LOCK = 0x4D485457
MIGRATION_LOCK = 0x4D48544D
WAIT_NOTICE_MS = 1_000

# Tables without an `id` column: `insert` returns 0 for them instead of asking for the id.
_WITHOUT_ID = frozenset(
    {
        "signal_form",
        "signal_measure",
        "signal_person",
        "signal_address",
        "signal_organisation",
        "setting",
        "signal_counter",
        "schema_migration",
        "search_term",
        "signal_group",
        "signal_group_count",
    }
)


# Names of server-side cursors: unique within a connection.
_CURSOR_NUMBERS = itertools.count(1)


@functools.lru_cache(maxsize=1024)
def pyformat(sql: str, named: bool) -> str:
    """`?` -> `%s` (or `:name` -> `%(name)s` when the values come as a dict) and `%` -> `%%`,
    leaving quoted strings, quoted identifiers and `::type` casts alone."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1].replace("%", "%%"))
            i = end + 1
            continue
        if ch == "%":
            out.append("%%")
        elif ch == "?" and not named:
            out.append("%s")
        elif (
            ch == ":"
            and named
            and i + 1 < n
            and (sql[i + 1].isalpha() or sql[i + 1] == "_")
            and (i == 0 or sql[i - 1] != ":")
        ):
            end = i + 1
            while end < n and (sql[end].isalnum() or sql[end] == "_"):
                end += 1
            out.append(f"%({sql[i + 1 : end]})s")
            i = end
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


class PgStore(Store):
    """An mhtool database on a PostgreSQL server."""

    dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any], location: str) -> None:
        super().__init__(location)
        self.conn = conn
        self._figures_only: bool | None = None
        # Counts the transactions write()/read() began: a server-side cursor of stream() is
        # closed only in the transaction it was declared in (it is gone with that one).
        self._transactions = 0

    @property
    def user(self) -> str:
        """The login name: the server, not the client, says who writes history and audit."""
        row = self.conn.execute("SELECT current_user").fetchone()
        assert row is not None
        return str(row[0])

    @property
    def figures_only(self) -> bool:
        """A login that may not read the signals but may read the regional figures (the role
        mhtool_regio): asked once, by privilege rather than role name, so a beheerder who
        grants the views to a role of their own gets the same."""
        if self._figures_only is None:
            row = self.conn.execute(
                b"SELECT CASE WHEN to_regclass('regio_signal') IS NULL THEN false "
                b"ELSE NOT has_table_privilege('signal', 'SELECT') "
                b"AND has_table_privilege('regio_signal', 'SELECT') END"
            ).fetchone()
            self._figures_only = bool(row is not None and row[0])
        return self._figures_only

    def writable_municipalities(self) -> frozenset[str] | None:
        """None for a login exempt from row-level security (superuser, BYPASSRLS, or a member
        of the tables' owner); none at all without INSERT on `signal` (a reader, the region);
        else the login's own rows of officer_municipality, which is what the policy checks."""
        row = self.conn.execute(
            b"SELECT r.rolsuper OR r.rolbypassrls "
            b"OR pg_has_role(current_user, c.relowner, 'USAGE'), "
            b"has_table_privilege('signal', 'INSERT') "
            b"FROM pg_roles r, pg_class c "
            b"WHERE r.rolname = current_user AND c.oid = 'signal'::regclass"
        ).fetchone()
        if row is None or row[0]:
            return None
        if not row[1]:
            return frozenset()
        found = self.conn.execute(
            b"SELECT municipality FROM officer_municipality WHERE role_name = current_user::text"
        ).fetchall()
        return frozenset(str(r[0]) for r in found)

    @property
    def transport(self) -> str:
        """What libpq reports about this connection, for `mhtool info` (see Store.transport)."""
        host = self.conn.info.host
        if host.startswith(("/", "\\", "@")) or host[1:3] in (":\\", ":/"):
            return "socket"
        if not self.conn.pgconn.ssl_in_use:
            return "plain"
        verified = self.conn.info.get_parameters().get("sslmode") == "verify-full"
        return "tls-verified" if verified else "tls"

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.conn.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Cursor:
        if not params:
            # Without values psycopg sends the text as it is: no placeholders, no '%' escapes.
            return self.conn.execute(sql.encode())
        named = isinstance(params, dict)
        return self.conn.execute(pyformat(sql, named).encode(), params)

    def stream(
        self, sql: str, params: tuple[Any, ...] | dict[str, Any] = (), size: int = 500
    ) -> Iterator[dict[str, Any]]:
        """A server-side cursor: a plain psycopg cursor would first copy the whole result to
        this computer. Declared in the caller's transaction and closed with the generator,
        but only while that transaction still runs: a generator dropped after it ended (a
        pager closed, then the audit entry written in a new transaction) must not send a
        CLOSE into a later transaction, where the cursor no longer exists."""
        from psycopg.pq import TransactionStatus

        name = f"mhtool_rows_{next(_CURSOR_NUMBERS)}"
        transaction = self._transactions
        self.execute(f"DECLARE {name} NO SCROLL CURSOR FOR {sql}", params)
        try:
            while True:
                cursor = self.conn.execute(f"FETCH FORWARD {int(size)} FROM {name}".encode())
                batch = cursor.fetchall()
                if not batch:
                    return
                names = [d.name for d in cursor.description or ()]
                for row in batch:
                    yield dict(zip(names, row, strict=True))
        finally:
            status = self.conn.info.transaction_status
            if transaction == self._transactions and status == TransactionStatus.INTRANS:
                self.conn.execute(f"CLOSE {name}".encode())

    def executemany(self, sql: str, params: Iterable[tuple[Any, ...]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(pyformat(sql, False).encode(), params)

    def insert(self, table: str, record: dict[str, Any]) -> int:
        sql = insert_sql(table, record)
        if table in _WITHOUT_ID:
            self.execute(sql, tuple(record.values()))
            return 0
        if record.get("id") is not None:
            # The id is known. RETURNING would also make row-level security ask whether the
            # writer may already SELECT the new row, before the triggers that make a new,
            # unlinked person visible to its writer have run.
            self.execute(sql, tuple(record.values()))
            return int(record["id"])
        row = self.execute(sql + " RETURNING id", tuple(record.values())).fetchone()
        return int(row[0])

    @contextlib.contextmanager
    def write(self) -> Iterator[Store]:
        self.change_id = None
        with translate_sqlite_errors():
            self.conn.execute(b"BEGIN ISOLATION LEVEL READ COMMITTED")
        self._transactions += 1
        try:
            with translate_sqlite_errors():
                self._take_write_lock()
                yield self
        except NotAllowedError as refused:
            self._rollback()
            raise self._for_role(refused) from None
        except BaseException:
            self._rollback()
            raise
        else:
            with translate_sqlite_errors():
                try:
                    self.conn.execute(b"COMMIT")
                except BaseException:
                    self._rollback()
                    raise

    @contextlib.contextmanager
    def read(self) -> Iterator[Store]:
        with translate_sqlite_errors():
            self.conn.execute(b"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        self._transactions += 1
        try:
            with translate_sqlite_errors():
                yield self
        except NotAllowedError as refused:
            self._rollback()
            raise self._for_role(refused) from None
        finally:
            self._rollback()

    def _for_role(self, refused: NotAllowedError) -> NotAllowedError:
        """The server's refusal (42501) in the words for this login's role: the region is
        told what it can do instead. Asked after the rollback, outside the failed transaction."""
        from mhtool.store.postgres_errors import FIGURES_ONLY, ROLE_REFUSED

        if str(refused) == ROLE_REFUSED and self.figures_only:
            return NotAllowedError(FIGURES_ONLY)
        return refused

    def _take_write_lock(self) -> None:
        """Queue behind another writer; after a second say so (`on_wait`, once), and give up
        after the same busy timeout as on a file (lock_timeout: an error we translate)."""
        row = self.conn.execute(
            b"SELECT pg_try_advisory_xact_lock(%s)", (WRITE_LOCK,)
        ).fetchone()
        if row is not None and row[0]:
            return
        total = busy_timeout_ms()
        if self.on_wait is not None and total > WAIT_NOTICE_MS:
            # Writers hold the lock for milliseconds: a colleague's write is waited for in
            # silence, as on a file; only a wait of a second or more is told.
            if self._lock_within(WAIT_NOTICE_MS):
                return
            self.on_wait()
            total -= WAIT_NOTICE_MS
        self.conn.execute(f"SET LOCAL lock_timeout = {total}".encode())
        self.conn.execute(b"SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        self.conn.execute(b"SET LOCAL lock_timeout = 0")

    def _lock_within(self, ms: int) -> bool:
        """Wait up to `ms` for the writers' lock. In a savepoint, because running out of time
        is an error, which would otherwise abort the whole transaction."""
        import psycopg

        self.conn.execute(b"SAVEPOINT mhtool_write_lock")
        try:
            self.conn.execute(f"SET LOCAL lock_timeout = {ms}".encode())
            self.conn.execute(b"SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        except psycopg.errors.LockNotAvailable:
            self.conn.execute(b"ROLLBACK TO SAVEPOINT mhtool_write_lock")
            self.conn.execute(b"RELEASE SAVEPOINT mhtool_write_lock")
            return False
        self.conn.execute(b"SET LOCAL lock_timeout = 0")
        self.conn.execute(b"RELEASE SAVEPOINT mhtool_write_lock")  # the lock stays held
        return True

    def _rollback(self) -> None:
        """Undo an open transaction; a failing rollback (a lost connection) must not hide the
        original error: the server rolls back itself when the connection is gone."""
        import psycopg

        with contextlib.suppress(psycopg.Error):
            if self.in_transaction:
                self.conn.execute(b"ROLLBACK")

    def close(self) -> None:
        import psycopg

        with contextlib.suppress(psycopg.Error):
            self.conn.close()


def connect_server(
    conninfo: str, location: str, password: Callable[[], str | None] | None = None
) -> PgStore:
    """Connect (autocommit: `write()`/`read()` open every transaction explicitly). `password`
    is asked only when the server wants one and libpq found none (.pgpass, PGPASSFILE)."""
    import psycopg

    from mhtool.store.postgres_errors import connect_error

    try:
        conn = psycopg.connect(conninfo, autocommit=True, application_name="mhtool")
    except psycopg.OperationalError as error:
        secret = password() if password is not None and _needs_password(error) else None
        if secret is None:
            raise connect_error(error, location) from None
        try:
            conn = psycopg.connect(
                conninfo, autocommit=True, application_name="mhtool", password=secret
            )
        except psycopg.OperationalError as again:
            raise connect_error(again, location) from None
    return PgStore(conn, location)


def _needs_password(error: Exception) -> bool:
    text = str(error).lower()
    return "password" in text and ("no password supplied" in text or "fe_sendauth" in text)


def open_server(
    conninfo: str,
    location: str,
    *,
    password: Callable[[], str | None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> PgStore:
    """Open (and if needed create or upgrade) the mhtool schema in a server database."""
    from mhtool.errors import DatabaseError
    from mhtool.store.migrations import LATEST_VERSION, apply_migrations

    store = connect_server(conninfo, location, password)
    try:
        store.on_wait = on_wait
        with translate_sqlite_errors():
            version = server_schema_version(store)
            if version == 0 and _has_other_tables(store):
                raise DatabaseError(
                    f"De database {location} bevat al tabellen van een ander programma, geen "
                    "mhtool-database; er is niets gewijzigd. Gebruik een lege database."
                )
        if version > LATEST_VERSION:
            raise DatabaseError(
                f"De database {location} is bijgewerkt door een nieuwere versie van mhtool "
                f"(schema {version}); werk mhtool bij voordat u deze database gebruikt."
            )
        if version < LATEST_VERSION:
            apply_migrations(store)
            if version > 0:
                store.upgraded = (version, LATEST_VERSION, None)
        return store
    except BaseException:
        store.close()
        raise


def server_schema_version(store: Store) -> int:
    """0 for an empty database (no schema_migration table yet)."""
    row = store.execute("SELECT to_regclass('schema_migration') IS NOT NULL").fetchone()
    if not row[0]:
        return 0
    found = store.execute("SELECT coalesce(max(version), 0) FROM schema_migration").fetchone()
    return int(found[0])


def _has_other_tables(store: Store) -> bool:
    row = store.execute(
        "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
    ).fetchone()
    return int(row[0]) > 0


@contextlib.contextmanager
def migration_lock(store: Store) -> Iterator[None]:
    """Two officers whose mhtool upgrades the server at the same moment: the second waits here,
    then finds the schema done (the runner re-reads the version under the lock)."""
    store.execute("SELECT pg_advisory_lock(?)", (MIGRATION_LOCK,))
    try:
        yield
    finally:
        store.execute("SELECT pg_advisory_unlock(?)", (MIGRATION_LOCK,))
