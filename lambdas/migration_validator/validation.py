"""One invocation: start or resume a run, compare its tables until done or out of time, report.

A run validates a list of tables and may span many invocations. Its state (the ``run`` dict below)
is checkpointed in the state table whenever an invocation stops early, and the next invocation
resumes it, unless the event says ``restart: true`` or names other tables. A finished run (passed or
not) is recorded as the "latest" result, published as metrics, and its checkpoint deleted.

run = {"run_id", "started_at", "tables": [...], "invocations", "position": index of the table being
       compared, "progress": that table's compare progress (or None), "results": {table: summary}}
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor

import compare
import credentials
import database
import dms
import metrics
from botocore.exceptions import BotoCoreError, ClientError
from config import ConfigError, parse_tables
from database import OutOfTime, QueryFailed, Unavailable
from state import StateStore, now_iso
from tables import TableProblem

log = logging.getLogger(__name__)
AWS_ERRORS = (ClientError, BotoCoreError)


class NoProgress(Exception):
    """An invocation could not complete a single step: re-invoking would never finish the run."""


def invoke(config, event: dict, deadline, aws) -> dict:
    """The handler's work; returns the result (finished run) or the progress (run to be resumed)."""
    try:
        tables = parse_tables(event["tables"]) if event.get("tables") is not None else config.tables
    except ConfigError as error:
        return unrecorded_failure(f"the event's tables are not valid: {error}")
    if not tables and not config.schemas:
        return unrecorded_failure('no tables to validate: set TABLES or SCHEMAS, or pass "tables" in the event')
    store = StateStore(aws.state_table(config.state_table))
    if not tables:
        try:
            tables = source_tables(config, deadline, aws)
        except (Unavailable, QueryFailed, OutOfTime) as error:
            return finish(config, new_run([]), store, aws, failure=str(error))
    if not tables:
        return finish(
            config, new_run([]), store, aws, failure=f"no table in schemas {', '.join(config.schemas)} on the source"
        )
    try:
        run = None if event.get("restart") else store.load_checkpoint()
    except AWS_ERRORS as error:
        return unrecorded_failure(f"cannot read the checkpoint in the state table {config.state_table}: {error}")
    if run is None or run["tables"] != list(tables):
        run = new_run(tables)
        log.info("run %s starts: %s", run["run_id"], ", ".join(tables))
    run["invocations"] += 1
    try:
        complete = Invocation(config, run, deadline, aws).compare_tables()
    except (Unavailable, NoProgress) as error:
        return finish(config, run, store, aws, failure=str(error))
    if complete:
        return finish(config, run, store, aws)
    try:
        store.save_checkpoint(run)
    except AWS_ERRORS as error:
        return finish(config, run, store, aws, failure=f"cannot save the checkpoint: {error}")
    log.info("run %s continues in the next invocation at %s", run["run_id"], run["tables"][run["position"]])
    return in_progress(run)


def new_run(tables) -> dict:
    return {
        "run_id": uuid.uuid4().hex,
        "started_at": now_iso(),
        "tables": list(tables),
        "invocations": 0,
        "position": 0,
        "progress": None,
        "results": {},
    }


class Invocation:
    """The comparisons one invocation does; ``steps`` counts the pieces of work it completed."""

    def __init__(self, config, run: dict, deadline, aws):
        self.config, self.run, self.deadline, self.aws = config, run, deadline, aws
        self.steps = 0

    def compare_tables(self) -> bool:
        """True when every table is done; False when the time ran out (the run says where it stopped)."""
        if self.deadline.expired():
            raise NoProgress(
                f"no time for work: the function's timeout is shorter than DEADLINE_MARGIN_SECONDS "
                f"({self.deadline.margin:g} s)"
            )
        pair = self._connect()
        try:
            while self.run["position"] < len(self.run["tables"]):
                name = self.run["tables"][self.run["position"]]
                self.run["results"][name] = self._compare_table(pair, name)
                log.info("%s: %s", name, self.run["results"][name])
                self.run["position"] += 1
                self.run["progress"] = None
                self.steps += 1
        except OutOfTime as stop:
            if self.steps == 0:
                raise NoProgress(
                    f"{name}: not one step of the comparison finished within an invocation ({stop}); "
                    "raise the function's timeout"
                ) from None
            return False
        finally:
            pair.close()
        return True

    def _compare_table(self, pair, name: str) -> dict:
        try:
            plan = compare.plan_table(pair, name)
            if self.run["progress"] is None:
                self.run["progress"] = compare.new_progress(plan, pair)
                self.steps += 1
            comparison = compare.TableComparison(plan, pair, self.run["progress"], self.config.max_reported_keys)
            while not comparison.done:
                if self.deadline.expired():
                    raise OutOfTime("the invocation's work time is over")
                comparison.step()
                self.steps += 1
            return comparison.summary()
        except (TableProblem, QueryFailed) as problem:
            return {"status": "error", "reason": str(problem)}

    def _connect(self) -> database.Pair:
        """Both connections, opened at the same time; raises Unavailable for the first side that fails."""
        secrets_manager = self.aws.secrets()
        secrets = {
            "source": credentials.database_secret(secrets_manager, self.config.source_secret_arn, "source"),
            "target": credentials.database_secret(secrets_manager, self.config.target_secret_arn, "target"),
        }
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {
                side: pool.submit(
                    database.connect,
                    side,
                    secret,
                    ssl_mode=self.config.ssl_mode,
                    connect_timeout=self.config.connect_timeout,
                    deadline=self.deadline,
                )
                for side, secret in secrets.items()
            }
        failures = [future.exception() for future in futures.values() if future.exception() is not None]
        if failures:
            for future in futures.values():
                if future.exception() is None:
                    future.result().close()
            raise failures[0]
        return database.Pair(futures["source"].result(), futures["target"].result())


def source_tables(config, deadline, aws) -> list[str]:
    """Every ordinary table of the SCHEMAS on the source, as schema.table, sorted (what DMS copies)."""
    secret = credentials.database_secret(aws.secrets(), config.source_secret_arn, "source")
    side = database.connect(
        "source", secret, ssl_mode=config.ssl_mode, connect_timeout=config.connect_timeout, deadline=deadline
    )
    try:
        rows = side.query(
            "SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY(:schemas)"
            " ORDER BY 1",
            schemas=list(config.schemas),
        )
    finally:
        side.close()
    return [row[0] for row in rows]


def finish(config, run: dict, store: StateStore, aws, failure: str | None = None) -> dict:
    """Record a finished run (passed or not), publish its metrics, delete its checkpoint."""
    tables = run["results"]
    result = {
        "complete": True,
        "run_id": run["run_id"],
        "at": now_iso(),
        "passed": False,
        "reason": "",
        "tables": tables,
        "started_at": run["started_at"],
        "invocations": run["invocations"],
    }
    problems = [f"{name}: {summary['reason']}" for name, summary in tables.items() if summary["status"] != "match"]
    result["reason"] = "; ".join(([failure] if failure else []) + problems)
    result["passed"] = not result["reason"] and len(tables) == len(run["tables"])
    if config.dms_task_arn:
        try:
            states = dms.validation_states(aws.dms(), config.dms_task_arn)
            for name, summary in tables.items():
                summary["dms_validation_state"] = states.get(name, "not reported by the task")
        except AWS_ERRORS as error:
            result["dms_error"] = f"cannot read DMS's table statistics of {config.dms_task_arn}: {error}"
    errors = []
    for what, action in (
        ("record the result", lambda: store.record_result(result)),
        (
            "publish the metrics",
            lambda: metrics.publish(aws.cloudwatch(), config.metric_namespace, config.environment, result),
        ),
        ("delete the checkpoint", store.clear_checkpoint),
    ):
        try:
            action()
        except AWS_ERRORS as error:
            errors.append(f"could not {what}: {error}")
    if errors:
        result["errors"] = errors
    log.info("run %s finished: passed=%s %s", run["run_id"], result["passed"], result["reason"])
    return result


def in_progress(run: dict) -> dict:
    """The answer of an invocation that stopped early: invoke again (same event) to continue."""
    position = run["position"]
    progress = run["progress"] or {}
    return {
        "complete": False,
        "run_id": run["run_id"],
        "passed": None,
        "reason": "",
        "tables": run["results"],
        "started_at": run["started_at"],
        "invocations": run["invocations"],
        "progress": {
            "tables_done": position,
            "tables_total": len(run["tables"]),
            "current_table": run["tables"][position] if position < len(run["tables"]) else None,
            "pending_ranges": len(progress.get("pending", [])),
        },
    }


def unrecorded_failure(reason: str) -> dict:
    """A failure before any run exists (bad configuration or event, unreadable state table)."""
    return {"complete": True, "run_id": None, "at": now_iso(), "passed": False, "reason": reason, "tables": {}}
