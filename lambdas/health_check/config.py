"""The health-check function's settings, read from its environment variables (set by the lambdas role).

Every variable is parsed and checked here, so the rest of the function works with plain values and a
misconfiguration names the variable at fault. A function that cannot read its settings raises
``ConfigError``; a failing probe, on the other hand, is a result (see probe.py).
"""

import json
import math
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

TARGET_GROUP_COLOURS = ("blue", "green")


class ConfigError(ValueError):
    """An environment variable is missing or malformed."""


@dataclass(frozen=True)
class Endpoint:
    """One URL to probe. ``host`` replaces the Host header (the ALB answers the application's name)."""

    name: str
    url: str
    host: str | None = None
    verify_tls: bool = True  # False accepts any certificate (an on-premises endpoint with a private CA)


@dataclass(frozen=True)
class StatusRange:
    """HTTP status codes from ``low`` to ``high`` inclusive, e.g. 200-399."""

    low: int
    high: int

    def __contains__(self, status: int) -> bool:
        return self.low <= status <= self.high


@dataclass(frozen=True)
class Settings:
    endpoints: tuple[Endpoint, ...]
    test_endpoint: Endpoint | None
    target_groups: dict[str, str]  # "blue"/"green" -> target group ARN; a colour may be absent
    timeout_seconds: float
    expected_status: tuple[StatusRange, ...]
    expected_status_text: str  # as configured, for error messages
    state_table: str | None
    metric_namespace: str
    environment: str | None
    hook_deadline_seconds: float
    hook_retry_interval_seconds: float
    dms_task_arn: str | None = None  # its status feeds DmsTaskFailed, the metric of alarm-dms-task-failed

    def status_expected(self, status: int) -> bool:
        return any(status in status_range for status_range in self.expected_status)


def load(environ=None) -> Settings:
    """Settings from ``environ`` (default: os.environ)."""
    environ = os.environ if environ is None else environ
    expected_text = environ.get("EXPECTED_STATUS", "200-399").strip()
    return Settings(
        endpoints=tuple(parse_endpoints(environ.get("ENDPOINTS", "[]"))),
        test_endpoint=parse_test_endpoint(environ.get("TEST_ENDPOINT", "")),
        target_groups=parse_target_groups(environ.get("TARGET_GROUP_ARNS", "")),
        timeout_seconds=positive_number(environ, "PROBE_TIMEOUT_SECONDS", 5),
        expected_status=parse_status_ranges(expected_text),
        expected_status_text=expected_text,
        state_table=environ.get("STATE_TABLE") or None,
        metric_namespace=environ.get("METRIC_NAMESPACE") or "envmigrate",
        environment=environ.get("ENVIRONMENT") or None,
        hook_deadline_seconds=positive_number(environ, "HOOK_DEADLINE_SECONDS", 60),
        hook_retry_interval_seconds=positive_number(environ, "HOOK_RETRY_INTERVAL_SECONDS", 5),
        dms_task_arn=environ.get("DMS_TASK_ARN") or None,
    )


def parse_endpoints(text: str) -> list[Endpoint]:
    value = parse_json("ENDPOINTS", text)
    if not isinstance(value, list):
        raise ConfigError(f"ENDPOINTS must be a JSON list of endpoints, got {text!r}")
    endpoints = [endpoint_from("ENDPOINTS", item) for item in value]
    names = [endpoint.name for endpoint in endpoints]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        # The name is the metric dimension: two endpoints with one name would mix their figures.
        raise ConfigError(f"ENDPOINTS names must be unique, repeated: {', '.join(duplicates)}")
    return endpoints


def parse_test_endpoint(text: str) -> Endpoint | None:
    if not text.strip():
        return None
    return endpoint_from("TEST_ENDPOINT", parse_json("TEST_ENDPOINT", text))


def endpoint_from(variable: str, item) -> Endpoint:
    if not isinstance(item, dict):
        raise ConfigError(f"{variable}: each endpoint is an object with name and url, got {item!r}")
    unknown = set(item) - {"name", "url", "host", "verify_tls"}
    if unknown:
        raise ConfigError(f"{variable}: unknown keys {sorted(unknown)} in {item!r}")
    name, url, host = item.get("name"), item.get("url"), item.get("host")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{variable}: an endpoint needs a name, got {item!r}")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{variable}: endpoint {name!r} needs an http:// or https:// url, got {url!r}")
    if host is not None and (not isinstance(host, str) or not host):
        raise ConfigError(f"{variable}: endpoint {name!r} has a host that is not a name: {host!r}")
    verify_tls = item.get("verify_tls", True)
    if not isinstance(verify_tls, bool):
        raise ConfigError(f"{variable}: endpoint {name!r} verify_tls must be true or false, got {verify_tls!r}")
    return Endpoint(name=name, url=url, host=host, verify_tls=verify_tls)


def parse_target_groups(text: str) -> dict[str, str]:
    if not text.strip():
        return {}
    value = parse_json("TARGET_GROUP_ARNS", text)
    if not isinstance(value, dict) or set(value) - set(TARGET_GROUP_COLOURS):
        raise ConfigError(f"TARGET_GROUP_ARNS must be a JSON object with keys blue and/or green, got {text!r}")
    # An empty ARN counts as absent: the role may render a colour it does not know yet as "".
    return {colour: arn for colour, arn in value.items() if arn}


def parse_status_ranges(text: str) -> tuple[StatusRange, ...]:
    """'200-399' or '200,204' or '200-299,301': codes and inclusive ranges, comma separated."""
    ranges = []
    for part in text.split(","):
        low, _dash, high = part.strip().partition("-")
        try:
            status_range = StatusRange(int(low), int(high or low))
        except ValueError:
            raise ConfigError(f"EXPECTED_STATUS must be codes or ranges like 200-399, got {text!r}") from None
        if not 100 <= status_range.low <= status_range.high <= 599:
            raise ConfigError(f"EXPECTED_STATUS ranges must lie within 100-599 and run low-high, got {text!r}")
        ranges.append(status_range)
    return tuple(ranges)


def positive_number(environ, variable: str, default: float) -> float:
    text = environ.get(variable, "")
    if not text.strip():
        return float(default)
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{variable} must be a number of seconds, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{variable} must be a finite number above 0, got {text!r}")
    return value


def parse_json(variable: str, text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{variable} is not valid JSON ({error}): {text!r}") from None
