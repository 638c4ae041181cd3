"""Fixtures for the Lambda functions' unit tests.

``postgres``: one real PostgreSQL 16 server (pgserver's binaries) for the whole session, reached the
way the Lambda reaches Aurora and the on-premises server: TCP on 127.0.0.1 at a free port, password
logins (scram-sha-256). It has two databases, ``source`` and ``target``; each test works in a schema
of its own in both (``postgres.new_schema()``).

``validator``: the migration validator's modules imported from lambdas/migration_validator/, where
the Lambda runtime finds them as top-level modules (``import compare``). Both functions have a
handler.py, so the modules are imported with that folder first on sys.path and then taken out of
sys.modules again: the two functions' tests cannot get each other's modules.
"""

from __future__ import annotations

import importlib
import itertools
import os
import sys
import tempfile
import warnings
from pathlib import Path
from types import SimpleNamespace

import pg8000.native
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
    import pgserver
    from pgserver import _commands as pg_commands
    from pgserver.utils import PostmasterInfo, find_suitable_port

ROOT = Path(__file__).resolve().parents[3]
VALIDATOR_DIR = ROOT / "lambdas" / "migration_validator"
PASSWORD = "validator-test-password"
# The superuser logs in without a password over the unix socket (the fixture's own admin work);
# every TCP login needs its password, so a wrong one fails as it would on Aurora.
PG_HBA = "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n"


class PostgresOverTcp(pgserver.PostgresServer):
    """pgserver's PostgreSQL listening on 127.0.0.1:<free port> as well as on its unix socket.

    pgserver starts the server with ``-h ""`` (unix socket only); this subclass starts it itself.
    """

    port: int

    def ensure_pgdata_inited(self) -> None:
        super().ensure_pgdata_inited()
        (self.pgdata / "pg_hba.conf").write_text(PG_HBA)

    def ensure_postgres_running(self) -> None:
        self.port = find_suitable_port("127.0.0.1")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.pgdata}"
        pg_commands.pg_ctl(
            ["-w", "-o", options, "-l", str(self.log), "start"], pgdata=self.pgdata, user=self.system_user, timeout=60
        )
        self._postmaster_info = PostmasterInfo.read_from_pgdata(self.pgdata)

    def admin(self, database: str = "postgres") -> pg8000.native.Connection:
        """A superuser connection over the unix socket."""
        socket_path = str(self.get_postmaster_info().socket_path)
        return pg8000.native.Connection("postgres", unix_sock=socket_path, database=database)


def start_postgres(directory: str, databases=("source", "target")) -> PostgresOverTcp:
    """A new server in ``directory`` (deleted with the server) with the given databases, and the
    superuser's password set for TCP logins."""
    pgdata = Path(directory) / "pgdata"
    pgdata.mkdir()
    server = PostgresOverTcp(pgdata, cleanup_mode="delete")
    admin = server.admin()
    try:
        admin.run(f"ALTER ROLE postgres PASSWORD '{PASSWORD}'")
        for name in databases:
            admin.run(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
    return server


class Postgres:
    """The session's server, as the tests use it."""

    host = "127.0.0.1"
    user = "postgres"
    password = PASSWORD

    def __init__(self, server: PostgresOverTcp):
        self.server = server
        self.port = server.port
        self._connections: dict[str, pg8000.native.Connection] = {}
        self._numbers = itertools.count(1)

    def run(self, database: str, sql: str, **params):
        """Run SQL as the superuser in ``source`` or ``target`` (one connection per database)."""
        if database not in self._connections:
            self._connections[database] = self.server.admin(database)
        return self._connections[database].run(sql, **params)

    def both(self, sql: str) -> None:
        for database in ("source", "target"):
            self.run(database, sql)

    def new_schema(self) -> str:
        """A fresh, empty schema of the same name in both databases."""
        schema = f"test_{os.getpid()}_{next(self._numbers)}"
        self.both(f"CREATE SCHEMA {schema}")
        return schema

    def secret(self, database: str, **overrides) -> dict:
        """The Secrets Manager value (the JSON DMS reads) that reaches ``database`` over TCP."""
        fields = {
            "engine": "postgres",
            "host": self.host,
            "port": self.port,
            "username": self.user,
            "password": self.password,
            "dbname": database,
        }
        return {**fields, **overrides}

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()


@pytest.fixture(scope="session")
def postgres():
    with tempfile.TemporaryDirectory(prefix="lambda-pg-") as directory:
        os.chmod(directory, 0o755)  # pgserver runs PostgreSQL as its own user when we are root
        server = start_postgres(directory)
        handle = Postgres(server)
        try:
            yield handle
        finally:
            handle.close()
            server.cleanup()


def import_validator() -> SimpleNamespace:
    """The validator's modules, imported as Lambda imports them and kept out of sys.modules."""
    names = sorted(path.stem for path in VALIDATOR_DIR.glob("*.py"))
    saved = {name: sys.modules.pop(name) for name in names if name in sys.modules}
    sys.path.insert(0, str(VALIDATOR_DIR))
    try:
        return SimpleNamespace(**{name: importlib.import_module(name) for name in names})
    finally:
        sys.path.remove(str(VALIDATOR_DIR))
        for name in names:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


@pytest.fixture(scope="session")
def validator():
    return import_validator()
