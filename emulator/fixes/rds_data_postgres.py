"""RDS Data API: ExecuteStatement runs its SQL on a real PostgreSQL, one server per DB cluster.

On AWS, ``rds-data`` ExecuteStatement runs the statement on the cluster's writer as
the user of the Secrets Manager secret it names. moto runs nothing: it answers empty
records (or results queued through ``/moto-api/static/rds-data/statement-results``),
whatever the cluster, secret or SQL. Here an Aurora PostgreSQL cluster gets its own
PostgreSQL 16 server (``pgserver``), started on the first Data API call for it, so
roles, grants and tables behave as PostgreSQL makes them behave.

Rules, in the order they are checked:

- ``resourceArn`` must be exactly the ARN of a DB cluster of the request's account and
  region whose HTTP endpoint is enabled, else ``HttpEndpointNotEnabledException``
  "HttpEndpoint is not enabled for resource <arn>" (what AWS answers for both; the
  message is AWS's). The cluster needs a DB instance, else
  ``DatabaseNotFoundException``. Only ``aurora-postgresql`` runs SQL; another engine
  gets a ``BadRequestException`` saying the emulator cannot run it.
- ``secretArn`` (ARN or name) must be a secret of the request's account and region
  whose value is JSON with ``username`` and ``password``, else ``BadRequestException``.
- The statement runs in a connection opened as the secret's user with the secret's
  password, over the server's unix socket; PostgreSQL checks the password
  (``scram-sha-256`` for every role in ``pg_hba.conf``) and answers a wrong password
  or an unknown role with ``password authentication failed for user "<name>"``, which
  becomes a ``BadRequestException``. No ``SET SESSION AUTHORIZATION``: the session is
  the user's own, so the SQL cannot ``RESET`` its way to the superuser.
- The server is initialised like Aurora: ``rdsadmin`` is the bootstrap superuser and
  cannot be used through the Data API; the master user is a role ``LOGIN CREATEROLE
  CREATEDB`` (not a superuser) and a member, with admin option, of ``rds_superuser``
  and ``rds_replication`` (roles without login); the cluster's ``DatabaseName`` is
  created owned by the master user. The master password is the cluster's: the
  ``password`` of its managed master secret, or ``MasterUserPassword``. It is set
  when the server starts and again whenever the cluster's password has changed
  (rotation, ModifyDBCluster) before a call as the master user.
- ``database`` picks the database (default: ``DatabaseName``, else ``postgres``).
  ``schema`` is refused (``BadRequestException``), as the Data API does for
  PostgreSQL.
- ``parameters`` are bound for real: each ``:name`` outside string literals, quoted
  identifiers, comments and dollar quotes becomes a PostgreSQL parameter. Types
  follow the Data API (JDBC): ``stringValue`` is ``varchar`` unless ``typeHint``
  says ``DATE``, ``TIME``, ``TIMESTAMP``, ``DECIMAL``, ``JSON`` or ``UUID``;
  ``longValue`` ``bigint``; ``doubleValue`` ``double precision``;
  ``booleanValue`` ``boolean``; ``blobValue`` ``bytea``; ``isNull`` an untyped
  NULL. Array parameters are refused, as on AWS. A placeholder without a parameter is
  a ``BadRequestException``; unused parameters are ignored.
- One statement per call (extended query protocol), so several statements in one
  ``sql`` fail as PostgreSQL fails them. Errors become ``DatabaseErrorException``
  with PostgreSQL's message in the form AWS reports it (``ERROR: <message>; Position:
  <n>; SQLState: <code>``).
- Answers: ``records`` for statements that return rows (Field per value:
  ``booleanValue``, ``longValue`` for integers and ``oid``, ``doubleValue`` for
  ``real``/``double precision``, ``blobValue`` for ``bytea``, ``arrayValue`` for
  arrays (a multidimensional one is an ``UnsupportedResultException``, as documented),
  ``isNull``, else ``stringValue`` holding PostgreSQL's text form; the
  ``resultSetOptions`` ``decimalReturnType`` and ``longReturnType`` apply),
  ``columnMetadata`` with ``includeResultMetadata``, ``formattedRecords`` (and no
  ``records`` or ``columnMetadata``) with ``formatRecordsAs: JSON``,
  ``numberOfRecordsUpdated`` (rows of INSERT, UPDATE, DELETE, MERGE, COPY; else 0).
- BeginTransaction / CommitTransaction / RollbackTransaction keep one connection per
  transaction; an error inside a transaction aborts it and later calls get
  ``TransactionNotFoundException``, as AWS documents; a second call while one runs
  in the same transaction gets ``DatabaseErrorException`` "Transaction is still
  running a query". BatchExecuteStatement runs the statement once per parameter set,
  all or nothing. Transactions do not expire after three idle minutes here.
- moto's result queue still wins when a caller filled it: with queued (or already
  assigned) results for the statement, ExecuteStatement answers them as moto does.

Servers live in ``<tmp>/emulator-rds-data-*/``: each takes about 1.5 s to start
(initdb 1.2 s, CREATE DATABASE 0.25 s; the emulator prints the time), is stopped
and removed when its cluster is deleted, at
``/moto-api/reset`` (the servers hang off moto's RDS backend, whose reset stops them)
and when the emulator exits. Without ``pgserver`` installed every Data API call
answers a ``BadRequestException`` saying so.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import functools
import json
import re
import secrets
import shutil
import tempfile
import threading
import time
import warnings
from pathlib import Path

SLOT = "_data_api_databases"  # on moto's RDSBackend, so moto's reset ends with it
SUPERUSER = "rdsadmin"
SQL_ENGINES = ("aurora-postgresql",)
# Every role logs in with its password; rdsadmin (the emulator itself) through trust,
# and the Data API refuses it before any connection is made.
PG_HBA = f"local all {SUPERUSER} trust\nlocal all all scram-sha-256\n"

# typeHint -> PostgreSQL type OID of a stringValue parameter; varchar without a hint.
HINT_TYPES = {"DATE": 1082, "TIME": 1083, "TIMESTAMP": 1114, "DECIMAL": 1700, "JSON": 114, "UUID": 2950}
VARCHAR, BIGINT, DOUBLE, BOOLEAN, BYTEA, NUMERIC, MONEY = 1043, 20, 701, 16, 17, 1700, 790
UPDATE_COMMANDS = {"INSERT", "UPDATE", "DELETE", "MERGE", "COPY"}
# java.sql.Types, which the Data API reports as ColumnMetadata.type.
JDBC_TYPES = {
    16: -7,
    17: -2,
    18: 1,
    19: 12,
    20: -5,
    21: 5,
    23: 4,
    25: 12,
    26: -5,
    700: 7,
    701: 8,
    790: 8,
    1042: 1,
    1043: 12,
    1082: 91,
    1083: 92,
    1114: 93,
    1184: 93,
    1266: 92,
    1700: 2,
}
JDBC_ARRAY, JDBC_OTHER = 2003, 1111
PRECISION = {16: 1, 20: 19, 21: 5, 23: 10, 26: 10, 700: 8, 701: 17, 1082: 13, 1083: 15, 1114: 29, 1184: 35}
SIGNED = {20, 21, 23, 700, 701, 790, 1700}
CASE_SENSITIVE = {18, 19, 25, 1042, 1043}

_start_lock = threading.Lock()  # one initdb at a time in this process
_registry_lock = threading.Lock()
_live: set = set()
_workdir: Path | None = None


# -- errors (the rds-data service model's shapes) ------------------------------------
def _error(code: str, status: int, message: str):
    from moto.core.exceptions import JsonRESTError

    error = JsonRESTError(code, message)
    error.code = status
    return error


def bad_request(message: str):
    return _error("BadRequestException", 400, message)


def database_error(message: str):
    return _error("DatabaseErrorException", 400, message)


def postgres_message(error) -> str:
    """PostgreSQL's error as the Data API reports it: ERROR: ...; Position: n; SQLState: xxxxx."""
    fields = error.args[0] if error.args and isinstance(error.args[0], dict) else None
    if fields is None:
        return str(error)
    parts = [f"{fields.get('S', 'ERROR')}: {fields.get('M', '')}"]
    for key, label in (("D", "Detail"), ("H", "Hint"), ("P", "Position")):
        if fields.get(key):
            parts.append(f"{label}: {fields[key]}")
    parts.append(f"SQLState: {fields.get('C', '')}")
    return "; ".join(parts)


def _sqlstate(error) -> str:
    return error.args[0].get("C", "") if error.args and isinstance(error.args[0], dict) else ""


# -- :name placeholders ------------------------------------------------------------------
_NAME = re.compile(r":([A-Za-z_][A-Za-z0-9_]*)")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_POSITIONAL = re.compile(r"\$(\d+)")


def to_positional(sql: str) -> tuple[str, list[str]]:
    """Replace each ``:name`` outside literals, quoted identifiers, comments and dollar
    quotes by ``$n`` (one number per distinct name); return the statement and the names
    in parameter order. ``::`` casts are left alone; numbering starts after any ``$n``
    already in the statement."""
    highest = 0
    out: list[str] = []
    names: list[str] = []
    i, n = 0, len(sql)

    def literal_end(start: int, backslash: bool) -> int:
        j = start + 1
        while j < n:
            if backslash and sql[j] == "\\":
                j += 2
                continue
            if sql[j] == "'":
                if j + 1 < n and sql[j + 1] == "'":
                    j += 2
                    continue
                return j + 1
            j += 1
        return n

    while i < n:
        c = sql[i]
        previous = sql[i - 1] if i else ""
        if c == "'":
            escaped = previous in ("e", "E") and not (i > 1 and (sql[i - 2].isalnum() or sql[i - 2] in "_$"))
            end = literal_end(i, escaped)
        elif c == '"':
            end = sql.find('"', i + 1)
            end = n if end < 0 else end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end + 1
        elif sql.startswith("/*", i):
            depth, end = 1, i + 2
            while end < n and depth:
                if sql.startswith("/*", end):
                    depth, end = depth + 1, end + 2
                elif sql.startswith("*/", end):
                    depth, end = depth - 1, end + 2
                else:
                    end += 1
        elif c == "$" and not (previous.isalnum() or previous in "_$"):
            tag = _DOLLAR_TAG.match(sql, i)
            positional = _POSITIONAL.match(sql, i)
            if tag:
                close = sql.find(tag.group(0), tag.end())
                end = n if close < 0 else close + len(tag.group(0))
            elif positional:
                highest = max(highest, int(positional.group(1)))
                end = positional.end()
            else:
                end = i + 1
        elif c == ":" and sql.startswith("::", i):
            end = i + 2
        elif c == ":" and previous != ":" and _NAME.match(sql, i):
            name = _NAME.match(sql, i).group(1)
            if name not in names:
                names.append(name)
            out.append(("\0", name))  # numbered below, once every $n is known
            i = _NAME.match(sql, i).end()
            continue
        else:
            end = i + 1
        out.append(sql[i:end])
        i = end
    statement = "".join(
        f"${highest + names.index(piece[1]) + 1}" if isinstance(piece, tuple) else piece for piece in out
    )
    return statement, names


def bind(names: list[str], parameters: list[dict]) -> tuple[tuple, tuple]:
    """Values and PostgreSQL type OIDs for the names, from the request's SqlParameters."""
    given = {parameter.get("name"): parameter for parameter in parameters or []}
    values, oids = [], []
    for name in names:
        if name not in given:
            raise bad_request(f"No value specified for parameter: {name}")
        parameter = given[name]
        field = parameter.get("value") or {}
        hint = parameter.get("typeHint")
        if field.get("isNull"):
            value, oid = None, 0
        elif "stringValue" in field:
            value, oid = field["stringValue"], HINT_TYPES.get(hint, VARCHAR)
        elif "longValue" in field:
            value, oid = int(field["longValue"]), BIGINT
        elif "doubleValue" in field:
            value, oid = float(field["doubleValue"]), DOUBLE
        elif "booleanValue" in field:
            value, oid = bool(field["booleanValue"]), BOOLEAN
        elif "blobValue" in field:
            value, oid = base64.b64decode(field["blobValue"]), BYTEA
        elif "arrayValue" in field:
            raise bad_request("Array parameters are not supported.")
        else:
            raise bad_request(f"The value of parameter {name} is empty.")
        values.append(value)
        oids.append(oid)
    return tuple(values), tuple(oids)


# -- results -----------------------------------------------------------------------------
def _array(values: list) -> dict:
    present = [value for value in values if value is not None]
    if any(isinstance(value, list) for value in present):
        raise _error("UnsupportedResultException", 400, "The result contains a multidimensional array.")
    if present and all(isinstance(value, bool) for value in present):
        return {"booleanValues": values}
    if present and all(isinstance(value, int) and not isinstance(value, bool) for value in present):
        return {"longValues": values}
    if present and all(isinstance(value, float) for value in present):
        return {"doubleValues": values}
    return {"stringValues": [None if value is None else str(value) for value in values]}


def to_field(value, type_oid: int, options: dict) -> dict:
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        if options.get("longReturnType") == "STRING":
            return {"stringValue": str(value)}
        return {"longValue": value}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"blobValue": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, list):
        return {"arrayValue": _array(value)}
    if type_oid == NUMERIC and options.get("decimalReturnType") == "DOUBLE_OR_LONG" and value != "NaN":
        return {"longValue": int(value)} if "." not in value else {"doubleValue": float(value)}
    return {"stringValue": value}


def _json_value(value):
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    return value


def _converters():
    """Per-connection result conversion: booleans, integers, floats, bytea and arrays of
    them become Python values; every other type stays PostgreSQL's text form."""
    from collections import defaultdict

    from pg8000 import converters as c

    kept = {
        16: c.bool_in,
        17: c.bytes_in,
        20: int,
        21: int,
        23: int,
        26: int,
        700: float,
        701: float,
        1000: c.bool_array_in,
        1005: c.int_array_in,
        1007: c.int_array_in,
        1016: c.int_array_in,
        1028: c.int_array_in,
        1021: c.float_array_in,
        1022: c.float_array_in,
    }
    # text, varchar, name, char, bpchar, numeric, uuid, date, time(stamp)(tz), json(b) arrays: strings
    for oid in (1009, 1015, 1003, 1002, 1014, 1231, 2951, 1182, 1183, 1115, 1185, 199, 3807):
        kept[oid] = c.string_array_in
    return defaultdict(lambda: c.string_in, kept)


def column_metadata(connection, columns: list[dict]) -> list[dict]:
    """ColumnMetadata as the Data API (pgJDBC underneath) reports it."""
    type_oids = sorted({column["type_oid"] for column in columns})
    types = {
        oid: (name, category, element)
        for oid, name, category, element in connection.run(
            "SELECT oid, typname, typcategory, typelem FROM pg_catalog.pg_type "
            f"WHERE oid IN ({','.join(str(int(oid)) for oid in type_oids)})"
        )
    }
    attributes = {}
    tables = sorted({int(column["table_oid"]) for column in columns if column["table_oid"]})
    if tables:
        for rel, num, relname, nspname, notnull, auto in connection.run(
            "SELECT a.attrelid, a.attnum, c.relname, n.nspname, a.attnotnull, "
            "(a.attidentity <> '' OR coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%') "
            "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            f"WHERE a.attrelid IN ({','.join(map(str, tables))}) AND a.attnum > 0"
        ):
            attributes[(rel, num)] = (relname, nspname, notnull, auto)
    metadata = []
    for column in columns:
        oid, modifier = column["type_oid"], column["type_modifier"]
        type_name, category, element = types.get(oid, ("unknown", "X", 0))
        table, schema, notnull, auto = attributes.get(
            (column["table_oid"], column["column_attrnum"]), ("", "", None, False)
        )
        if oid == NUMERIC:
            precision, scale = ((modifier - 4) >> 16 & 0xFFFF, (modifier - 4) & 0xFFFF) if modifier > 0 else (0, 0)
        elif oid in (1042, 1043):
            precision, scale = (modifier - 4 if modifier > 0 else 2147483647), 0
        elif oid in (19, 25):
            precision, scale = 2147483647, 0
        else:
            precision, scale = PRECISION.get(oid, 0), 0
        is_array = category == "A"
        metadata.append(
            {
                "name": column["name"],
                "label": column["name"],
                "type": JDBC_ARRAY if is_array else JDBC_TYPES.get(oid, JDBC_OTHER),
                "typeName": type_name,
                "schemaName": schema,
                "tableName": table,
                "isAutoIncrement": bool(auto),
                "isSigned": oid in SIGNED,
                "isCurrency": oid == MONEY,
                "isCaseSensitive": oid in CASE_SENSITIVE,
                "nullable": 2 if notnull is None else (0 if notnull else 1),
                "precision": precision,
                "scale": scale,
                "arrayBaseColumnType": JDBC_TYPES.get(element, JDBC_OTHER) if is_array else 0,
            }
        )
    return metadata


# -- servers -----------------------------------------------------------------------------
def _pgserver():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import pgserver
    except ImportError as error:
        raise bad_request(
            "aws-emulator cannot run Data API statements: the Python package pgserver (PostgreSQL for "
            f"the emulator) is not installed ({error}); run `make setup`."
        ) from None
    return pgserver


@functools.cache
def _server_class():
    pgserver = _pgserver()

    class ClusterServer(pgserver.PostgresServer):
        """pgserver's PostgreSQL with Aurora's superuser name and password logins from the start."""

        def ensure_pgdata_inited(self) -> None:
            self.postgres_user = SUPERUSER
            super().ensure_pgdata_inited()
            (self.pgdata / "pg_hba.conf").write_text(PG_HBA)  # before the server first starts

    return ClusterServer


@functools.cache
def _connection_class():
    import pg8000.native

    class Connection(pg8000.native.Connection):
        """Remembers the command tag (SELECT, INSERT, CREATE ROLE, ...) of the last statement."""

        def handle_COMMAND_COMPLETE(self, data, context):
            super().handle_COMMAND_COMPLETE(data, context)
            context.command = data[:-1].decode("ascii", "replace").split(" ")[0]

    return Connection


def _work_directory() -> Path:
    global _workdir
    if _workdir is None:
        _workdir = Path(tempfile.mkdtemp(prefix="emulator-rds-data-"))
    return _workdir


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class Transaction:
    def __init__(self, connection):
        self.connection = connection
        self.lock = threading.Lock()


class ClusterDatabase:
    """The PostgreSQL server behind one DB cluster, started at its first Data API call."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.lock = threading.Lock()
        self.server = None
        self.socket: str | None = None
        self.master_password: str | None = None
        self.transactions: dict[str, Transaction] = {}
        self.startup_seconds: float | None = None

    # life cycle
    def ensure_started(self) -> None:
        with self.lock:
            if self.server is not None:
                return
            server_class = _server_class()
            started = time.monotonic()
            with _start_lock:
                pgdata = Path(tempfile.mkdtemp(prefix=f"{self.cluster.db_cluster_resource_id}-", dir=_work_directory()))
                self.server = server_class(pgdata, cleanup_mode="delete")
            _live.add(self)
            try:
                self.socket = str(self.server.get_postmaster_info().socket_path)
                self._initialise()
            except BaseException:
                self.server.cleanup()
                self.server = None
                _live.discard(self)
                raise
            self.startup_seconds = time.monotonic() - started
            print(
                f"aws-emulator: PostgreSQL for DB cluster {self.cluster.db_cluster_identifier} started in "
                f"{self.startup_seconds:.2f} s ({pgdata})",
                flush=True,
            )

    def _initialise(self) -> None:
        master, password = self.cluster.master_username, master_password(self.cluster)
        admin = self.admin_connection()
        try:
            for role in ("rds_superuser", "rds_replication"):
                admin.run(f"CREATE ROLE {role} NOLOGIN")
            login = "LOGIN CREATEROLE CREATEDB" + (f" PASSWORD {_literal(password)}" if password else "")
            admin.run(f"CREATE ROLE {_identifier(master)} {login}")
            admin.run(f"GRANT rds_superuser, rds_replication TO {_identifier(master)} WITH ADMIN OPTION")
            if self.cluster.database_name:
                admin.run(f"CREATE DATABASE {_identifier(self.cluster.database_name)} OWNER {_identifier(master)}")
        finally:
            admin.close()
        self.master_password = password

    def stop(self) -> None:
        with self.lock:
            for transaction in self.transactions.values():
                _close(transaction.connection)
            self.transactions.clear()
            if self.server is not None:
                self.server.cleanup()  # pg_ctl stop, then removes the data directory
                self.server = None
            _live.discard(self)

    # connections
    def admin_connection(self, database: str = "postgres"):
        return _connection_class()(SUPERUSER, unix_sock=self.socket, database=database)

    def connect(self, username: str, password: str, database: str):
        import pg8000

        if username == SUPERUSER:  # Aurora's own superuser; no customer logs in as it
            raise bad_request(f'FATAL: password authentication failed for user "{username}"; SQLState: 28P01')
        self.ensure_started()
        if username == self.cluster.master_username:
            self._follow_master_password()
        try:
            connection = _connection_class()(username, password=password, unix_sock=self.socket, database=database)
        except pg8000.Error as raised:
            # When the server hangs up first, pg8000's goodbye fails and hides the server's answer.
            error = raised
            while error is not None and not isinstance(error, pg8000.DatabaseError):
                error = error.__context__
            if error is None:
                raise
            if _sqlstate(error) in ("28P01", "28000"):
                raise bad_request(postgres_message(error)) from None
            raise database_error(postgres_message(error)) from None
        connection.pg_types = _converters()
        return connection

    def _follow_master_password(self) -> None:
        password = master_password(self.cluster)
        with self.lock:
            if not password or password == self.master_password:
                return
            admin = self.admin_connection()
            try:
                admin.run(f"ALTER ROLE {_identifier(self.cluster.master_username)} PASSWORD {_literal(password)}")
            finally:
                admin.close()
            self.master_password = password


def _close(connection) -> None:
    with contextlib.suppress(Exception):  # the server may be gone already
        connection.close()


def master_password(cluster) -> str | None:
    """The cluster's current master password: its managed secret's, else MasterUserPassword."""
    secret = getattr(cluster, "master_user_secret", None)
    if secret is not None:
        return json.loads(secret.secret.versions[secret.secret.default_version_id]["secret_string"])["password"]
    return getattr(cluster, "_master_user_password", None)


def databases(backend) -> dict:
    return backend.__dict__.setdefault(SLOT, _Databases())


class _Databases(dict):
    """ClusterDatabase by DbClusterResourceId, on moto's RDS backend."""

    def __deepcopy__(self, memo):
        return self  # moto deep-copies clusters (StartDBCluster, ...) and with them their backend


def _stop_all(found: dict | None) -> None:
    for database in list((found or {}).values()):
        database.stop()
    if found:
        found.clear()


@atexit.register
def _stop_everything() -> None:
    for database in list(_live):
        database.stop()
    if _workdir is not None:
        shutil.rmtree(_workdir, ignore_errors=True)


# -- the Data API --------------------------------------------------------------------------
def statement_result(connection, sql: str, parameters, request: dict) -> dict:
    statement, names = to_positional(sql)
    values, oids = bind(names, parameters)
    context = connection.execute_unnamed(statement, vals=values, oids=oids)
    command = getattr(context, "command", "")
    result: dict = {"numberOfRecordsUpdated": max(context.row_count, 0) if command in UPDATE_COMMANDS else 0}
    if context.columns is None:
        result["generatedFields"] = []
        return result
    options = request.get("resultSetOptions") or {}
    if request.get("formatRecordsAs") == "JSON":
        result["formattedRecords"] = json.dumps(
            [
                {column["name"]: _json_value(value) for column, value in zip(context.columns, row, strict=True)}
                for row in context.rows
            ]
        )
        return result
    result["records"] = [
        [to_field(value, column["type_oid"], options) for column, value in zip(context.columns, row, strict=True)]
        for row in context.rows
    ]
    if request.get("includeResultMetadata"):
        result["columnMetadata"] = column_metadata(connection, context.columns)
    return result


def apply(options) -> None:
    from moto.rds.models import RDSBackend, rds_backends
    from moto.rdsdata import urls
    from moto.rdsdata.responses import RDSDataServiceResponse
    from moto.secretsmanager.exceptions import SecretsManagerClientError
    from moto.secretsmanager.models import secretsmanager_backends

    execute_statement_from_queue = RDSDataServiceResponse.execute_statement

    for path in ("BatchExecute", "BeginTransaction", "CommitTransaction", "RollbackTransaction"):
        urls.url_paths.setdefault("{0}/" + path + "$", urls.response.dispatch)

    def request(self) -> dict:
        return json.loads(self.body) if self.body else {}

    def cluster_database(self, body: dict) -> ClusterDatabase:
        arn = body.get("resourceArn") or ""
        backend = rds_backends[self.current_account][self.region]
        cluster = next((c for c in backend.clusters.values() if c.db_cluster_arn == arn), None)
        if cluster is None or not cluster.http_endpoint_enabled:
            raise _error("HttpEndpointNotEnabledException", 400, f"HttpEndpoint is not enabled for resource {arn}")
        if not cluster._members:
            raise _error("DatabaseNotFoundException", 404, f"DB cluster {arn} doesn't have a DB instance.")
        if cluster.engine not in SQL_ENGINES:
            raise bad_request(
                f"aws-emulator runs Data API statements on aurora-postgresql clusters only, not {cluster.engine}."
            )
        if body.get("schema"):
            raise bad_request("The schema parameter isn't supported.")
        found = databases(backend)
        with _registry_lock:
            database = found.get(cluster.db_cluster_resource_id)
            if database is None:
                database = found[cluster.db_cluster_resource_id] = ClusterDatabase(cluster)
        return database

    def credentials(self, body: dict) -> tuple[str, str]:
        secret_arn = body.get("secretArn") or ""
        backend = secretsmanager_backends[self.current_account][self.region]
        try:
            value = backend.get_secret_value(secret_arn, None, None)
        except SecretsManagerClientError as error:
            raise bad_request(f"Error fetching secret {secret_arn} : {error.message}") from None
        try:
            secret = json.loads(value.get("SecretString") or "")
            return str(secret["username"]), str(secret["password"])
        except (ValueError, TypeError, KeyError):
            raise bad_request(
                f"The secret {secret_arn} must be a JSON object with the keys username and password."
            ) from None

    def default_database(database: ClusterDatabase, body: dict) -> str:
        return body.get("database") or database.cluster.database_name or "postgres"

    def transaction_of(database: ClusterDatabase, transaction_id: str) -> Transaction:
        transaction = database.transactions.get(transaction_id)
        if transaction is None:
            raise _error("TransactionNotFoundException", 404, f"Transaction {transaction_id} is not found")
        return transaction

    def run(database: ClusterDatabase, body: dict, username: str, password: str, work):
        """``work(connection)`` in the call's transaction, or in a connection of its own."""
        import pg8000

        transaction_id = body.get("transactionId")
        if transaction_id:
            transaction = transaction_of(database, transaction_id)
            if not transaction.lock.acquire(blocking=False):
                raise database_error("Transaction is still running a query")
            try:
                return work(transaction.connection)
            except pg8000.DatabaseError as error:
                database.transactions.pop(transaction_id, None)  # AWS aborts the transaction
                _close(transaction.connection)
                raise database_error(postgres_message(error)) from None
            finally:
                transaction.lock.release()
        connection = database.connect(username, password, default_database(database, body))
        try:
            return work(connection)
        except pg8000.DatabaseError as error:
            raise database_error(postgres_message(error)) from None
        finally:
            _close(connection)

    def execute_statement(self):
        body = request(self)
        queued = self.rdsdata_backend
        if queued.results_queue or (body.get("resourceArn"), body.get("sql")) in queued.sql_results:
            return execute_statement_from_queue(self)
        database = cluster_database(self, body)
        username, password = credentials(self, body)
        result = run(
            database,
            body,
            username,
            password,
            lambda connection: statement_result(connection, body.get("sql") or "", body.get("parameters"), body),
        )
        return json.dumps(result)

    def batch_execute_statement(self):
        body = request(self)
        database = cluster_database(self, body)
        username, password = credentials(self, body)
        sql = body.get("sql") or ""
        parameter_sets = body.get("parameterSets") or [[]]

        def work(connection):
            own = not body.get("transactionId")
            if own:
                connection.run("BEGIN")
            try:
                results = [statement_result(connection, sql, parameters, {}) for parameters in parameter_sets]
            except BaseException:
                if own:
                    connection.run("ROLLBACK")
                raise
            if own:
                connection.run("COMMIT")
            return {"updateResults": [{"generatedFields": []} for _ in results]}

        return json.dumps(run(database, body, username, password, work))

    def begin_transaction(self):
        import pg8000

        body = request(self)
        database = cluster_database(self, body)
        username, password = credentials(self, body)
        name = default_database(database, body)
        connection = database.connect(username, password, name)
        try:
            connection.run("BEGIN")
        except pg8000.DatabaseError as error:
            _close(connection)
            raise database_error(postgres_message(error)) from None
        transaction_id = base64.b64encode(secrets.token_bytes(48)).decode()
        database.transactions[transaction_id] = Transaction(connection)
        return json.dumps({"transactionId": transaction_id})

    def end_transaction(self, command: str, status: str):
        import pg8000

        body = request(self)
        database = cluster_database(self, body)
        credentials(self, body)
        transaction_id = body.get("transactionId") or ""
        transaction = transaction_of(database, transaction_id)
        if not transaction.lock.acquire(blocking=False):
            raise database_error("Transaction is still running a query")
        try:
            database.transactions.pop(transaction_id, None)
            transaction.connection.run(command)
        except pg8000.DatabaseError as error:
            raise database_error(postgres_message(error)) from None
        finally:
            transaction.lock.release()
            _close(transaction.connection)
        return json.dumps({"transactionStatus": status})

    def commit_transaction(self):
        return end_transaction(self, "COMMIT", "Transaction Committed")

    def rollback_transaction(self):
        return end_transaction(self, "ROLLBACK", "Rollback Complete")

    RDSDataServiceResponse.execute_statement = execute_statement
    RDSDataServiceResponse.batch_execute_statement = batch_execute_statement
    RDSDataServiceResponse.begin_transaction = begin_transaction
    RDSDataServiceResponse.commit_transaction = commit_transaction
    RDSDataServiceResponse.rollback_transaction = rollback_transaction

    # The servers end with their cluster and with moto's reset.
    delete_db_cluster = RDSBackend.delete_db_cluster

    @functools.wraps(delete_db_cluster)
    def delete_db_cluster_and_server(self, *args, **kwargs):
        cluster = delete_db_cluster(self, *args, **kwargs)
        database = self.__dict__.get(SLOT, {}).pop(cluster.db_cluster_resource_id, None)
        if database is not None:
            database.stop()
        return cluster

    RDSBackend.delete_db_cluster = delete_db_cluster_and_server

    reset = RDSBackend.reset

    @functools.wraps(reset)
    def reset_and_stop_servers(self):
        _stop_all(self.__dict__.get(SLOT))
        reset(self)

    RDSBackend.reset = reset_and_stop_servers
