"""Connections to the two databases (pg8000) and the time budget every query runs under.

Each connection pins the session settings that decide how values print, so that a row's text (and
so its checksum) is the same on the on-premises server and on Aurora whatever their configuration.
Every query runs under a ``statement_timeout`` derived from the Lambda deadline, so a long query is
cancelled by PostgreSQL itself before the function would be killed (``OutOfTime``).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor, wait

import pg8000.native
from pg8000.exceptions import DatabaseError, InterfaceError

# Sent in the startup packet: no extra round trip, and in force before the first query.
SESSION_SETTINGS = {
    "TimeZone": "UTC",
    "DateStyle": "ISO, YMD",
    "IntervalStyle": "postgres",
    "extra_float_digits": "3",  # shortest exact float text (PostgreSQL 12+)
    "bytea_output": "hex",
    "standard_conforming_strings": "on",  # the literals compare.py writes double quotes only
    "lc_monetary": "C",
    "search_path": "pg_catalog",  # built-in functions cannot be shadowed; format_type() qualifies the rest
    "client_encoding": "UTF8",
}
APPLICATION_NAME = "envmigrate-migration-validator"  # shows in pg_stat_activity on both servers
QUERY_CANCELED = "57014"
LOGIN_FAILED = {"28P01", "28000"}


class Unavailable(Exception):
    """A database cannot be reached or used; the message names the side and says why."""


class QueryFailed(Exception):
    """A query failed for a reason that concerns one table (missing privilege, bad type...)."""


class OutOfTime(Exception):
    """The invocation's time is used up; the current step was not completed."""


class Deadline:
    """The invocation's time budget: work stops ``margin`` seconds before Lambda's deadline.

    ``context`` is the Lambda context; without one (benchmarks, scripts) there is no limit.
    """

    def __init__(self, context=None, margin: float = 30.0):
        self.context = context
        self.margin = margin

    def remaining(self) -> float | None:
        """Seconds before the function is stopped, or None without a limit."""
        if self.context is None:
            return None
        return self.context.get_remaining_time_in_millis() / 1000.0

    def work_left(self) -> float | None:
        """Seconds left for work (before the margin kept for the checkpoint), or None without a limit."""
        remaining = self.remaining()
        return None if remaining is None else remaining - self.margin

    def expired(self) -> bool:
        left = self.work_left()
        return left is not None and left <= 0


class Side:
    """One database of the comparison ("source" or "target") with its open connection."""

    def __init__(self, name: str, connection, deadline: Deadline):
        self.name = name
        self.connection = connection
        self.deadline = deadline
        self._timeout_armed_at: float | None = None

    def query(self, sql: str, **params) -> list:
        """Rows of ``sql`` (pg8000 native ``:name`` parameters); errors become this module's exceptions."""
        self._arm_statement_timeout()
        try:
            return self.connection.run(sql, **params)
        except DatabaseError as error:
            fields = _fields(error)
            if fields.get("C") == QUERY_CANCELED:
                raise OutOfTime(f"{self.name}: query cancelled at the invocation's deadline") from None
            raise QueryFailed(f"{self.name}: {fields.get('M', error)}") from None
        except (InterfaceError, OSError) as error:
            if self.deadline.expired():
                raise OutOfTime(f"{self.name}: connection timed out at the invocation's deadline") from None
            raise Unavailable(f"lost the connection to the {self.name} database: {_cause(error)}") from None

    def close(self) -> None:
        # Closing a broken connection fails; that must not hide the outcome being reported.
        with contextlib.suppress(Exception):
            self.connection.close()

    def _arm_statement_timeout(self) -> None:
        """Keep ``statement_timeout`` at most the time left for work.

        Re-setting it costs a round trip, so it is done only when the value set earlier would let a
        statement run more than half the margin past the end of the work time.
        """
        left = self.deadline.work_left()
        if left is None:
            return
        if left <= 0:
            raise OutOfTime(f"{self.name}: no time left in this invocation")
        now = time.monotonic()
        if self._timeout_armed_at is not None and now - self._timeout_armed_at < self.deadline.margin / 2:
            return
        try:
            self.connection.run(f"SET statement_timeout = {max(1, int(left * 1000))}")
        except (InterfaceError, OSError) as error:
            raise Unavailable(f"lost the connection to the {self.name} database: {_cause(error)}") from None
        self._timeout_armed_at = now


class Pair:
    """The source and the target; ``run`` does the same work on both at once, one thread each."""

    def __init__(self, source: Side, target: Side):
        self.source, self.target = source, target
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="side")

    def run(self, work) -> tuple:
        """(work(source), work(target)), run concurrently; the first error is raised after both finished."""
        futures = [self._pool.submit(work, side) for side in (self.source, self.target)]
        wait(futures)
        for future in futures:
            if future.exception() is not None:
                raise future.exception()
        return tuple(future.result() for future in futures)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.source.close()
        self.target.close()


def connect(name: str, secret: dict, *, ssl_mode: str, connect_timeout: float, deadline: Deadline) -> Side:
    """Open the connection to one side, as described by its secret, with the pinned session settings.

    ``secret['sslmode']`` (require|disable), when present, wins over ``ssl_mode``. Raises
    ``Unavailable`` with a message a person can act on.
    """
    host, port = secret["host"], int(secret.get("port") or 5432)
    where = f"{name} database {host}:{port}"
    mode = str(secret.get("sslmode") or ssl_mode).lower()
    try:
        sock = socket.create_connection((host, port), timeout=connect_timeout)
    except socket.gaierror as error:
        raise Unavailable(f"cannot resolve the host of the {where}: {error.strerror or error}") from None
    except TimeoutError:
        raise Unavailable(f"cannot reach the {where}: no answer within {connect_timeout:g} s") from None
    except OSError as error:
        raise Unavailable(f"cannot reach the {where}: {error.strerror or error}") from None
    # After the connect, reads may wait for a long query: bounded by the invocation, not the connect timeout.
    left = deadline.remaining()
    sock.settimeout(None if left is None else max(1.0, left - deadline.margin / 4))
    try:
        connection = pg8000.native.Connection(
            secret["username"],
            host=host,
            port=port,
            database=secret["dbname"],
            password=secret["password"],
            sock=sock,
            application_name=APPLICATION_NAME,
            ssl_context=_ssl_context(mode),
            startup_params=dict(SESSION_SETTINGS),
        )
    except DatabaseError as error:
        sock.close()
        fields = _fields(error)
        message = fields.get("M", str(error))
        if fields.get("C") in LOGIN_FAILED:
            raise Unavailable(f"the {where} refused the login of {secret['username']}: {message}") from None
        raise Unavailable(f"the {where} refused the connection: {message}") from None
    except (InterfaceError, OSError, ssl.SSLError) as error:
        sock.close()
        raise Unavailable(f"cannot open a session on the {where} (sslmode {mode}): {_cause(error)}") from None
    return Side(name, connection, deadline)


def _ssl_context(mode: str):
    """pg8000's ssl_context: False for plain TCP; for require, TLS without certificate checks (as libpq's
    sslmode=require: encrypted, the server not authenticated)."""
    if mode == "disable":
        return False
    if mode != "require":
        raise Unavailable(f"sslmode {mode!r} is not supported (require or disable)")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _fields(error: DatabaseError) -> dict:
    """PostgreSQL's error fields (C = SQLSTATE, M = message) from a pg8000 DatabaseError."""
    return error.args[0] if error.args and isinstance(error.args[0], dict) else {}


def _cause(error: BaseException) -> str:
    """The innermost useful message of a pg8000 InterfaceError (which wraps the socket error)."""
    while error.__cause__ is not None:
        error = error.__cause__
    return str(error) or type(error).__name__
