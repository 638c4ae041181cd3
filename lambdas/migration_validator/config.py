"""The validator's configuration: every environment variable it reads, parsed and checked here.

Lambda passes configuration as strings; this module turns them into one immutable ``Config`` so the
rest of the code never touches ``os.environ``. README.md beside this file lists the variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

SSL_MODES = ("require", "disable")


class ConfigError(ValueError):
    """An environment variable (or the event's table list) is missing or malformed."""


@dataclass(frozen=True)
class Config:
    source_secret_arn: str
    target_secret_arn: str
    state_table: str
    tables: tuple[str, ...]  # "schema.table", in the order given
    schemas: tuple[str, ...] = ()  # with no tables: every table of these schemas on the source
    max_reported_keys: int = 20
    dms_task_arn: str = ""
    metric_namespace: str = "envmigrate"
    environment: str = ""
    connect_timeout: float = 10.0
    deadline_margin: float = 30.0
    ssl_mode: str = "require"


def load(environ=None) -> Config:
    """The configuration from the environment (``os.environ`` unless given)."""
    env = os.environ if environ is None else environ
    ssl_mode = env.get("SSL_MODE", "require").strip().lower() or "require"
    if ssl_mode not in SSL_MODES:
        raise ConfigError(f"SSL_MODE must be one of {', '.join(SSL_MODES)}, not {ssl_mode!r}")
    return Config(
        source_secret_arn=_required(env, "SOURCE_SECRET_ID"),
        target_secret_arn=_required(env, "TARGET_SECRET_ID"),
        state_table=_required(env, "STATE_TABLE"),
        tables=parse_tables(env.get("TABLES", "")),
        schemas=tuple(name.strip() for name in env.get("SCHEMAS", "").split(",") if name.strip()),
        max_reported_keys=_number(env, "MAX_REPORTED_KEYS", 20, int),
        dms_task_arn=env.get("DMS_TASK_ARN", "").strip(),
        metric_namespace=env.get("METRIC_NAMESPACE", "").strip() or "envmigrate",
        environment=env.get("ENVIRONMENT", "").strip(),
        connect_timeout=_number(env, "CONNECT_TIMEOUT_SECONDS", 10.0, float),
        deadline_margin=_number(env, "DEADLINE_MARGIN_SECONDS", 30.0, float),
        ssl_mode=ssl_mode,
    )


def parse_tables(value) -> tuple[str, ...]:
    """Table names as ``schema.table`` from a comma-separated string or a list; a bare name is in public.

    Names are taken literally (PostgreSQL's catalog spelling, no case folding), duplicates dropped.
    """
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ConfigError(f"tables must be a list of names or a comma-separated string, not {type(value).__name__}")
    names: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"a table name must be a string, not {item!r}")
        if not item.strip():
            continue
        schema, table = split_table_name(item)
        name = f"{schema}.{table}"
        if name not in names:
            names.append(name)
    return tuple(names)


def split_table_name(name: str) -> tuple[str, str]:
    """("schema", "table") from "schema.table" or "table" (schema public)."""
    schema, dot, table = name.strip().partition(".")
    if not dot:
        schema, table = "public", schema
    if not schema or not table or "." in table:
        raise ConfigError(f"table name {name!r} is not of the form schema.table or table")
    return schema, table


def _required(env, name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment variable {name} is not set")
    return value


def _number(env, name: str, default, kind):
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise ConfigError(f"environment variable {name} must be a number, not {text!r}") from None
    if value < 0:
        raise ConfigError(f"environment variable {name} must not be negative")
    return value
