"""Name every request the emulator receives: which AWS service, which operation.

The journal, the fault injector and the fixes all need to know "this is
ec2:DescribeVpcs" before moto sees the request. botocore's own service models
say how each protocol carries the operation name, so we read them instead of
keeping a table of our own:

* JSON and CBOR protocols name it in ``X-Amz-Target`` or in the path
  ``/service/<target>/operation/<Name>``;
* query and EC2 protocols send ``Action=<Name>`` in the form body or URL;
* REST protocols (S3, Route53, Lambda) are matched on HTTP method plus the
  ``requestUri`` template of each operation.
"""

from __future__ import annotations

import functools
import io
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

import botocore.session

# Signing names that differ from botocore's service names. Classic ELB and
# ELBv2 share a signing name and are told apart by the API version.
SIGNING_NAME_TO_SERVICE = {
    "monitoring": "cloudwatch",
    "elasticloadbalancing": "elbv2",
    "email": "ses",
    "states": "stepfunctions",
}
API_VERSION_TO_SERVICE = {"2012-06-01": "elb"}

# Operation-name prefixes that only read. Anything else counts as mutating,
# which errs on the safe side for "check mode makes no mutating request".
READ_ONLY_PREFIXES = (
    "Describe",
    "List",
    "Get",
    "Head",
    "Search",
    "Scan",
    "Query",
    "BatchGet",
    "Lookup",
    "Select",
    "Filter",
    "Download",
    "Poll",
)

# A Data API statement that is one SELECT or SHOW only reads, like a Describe call: a module
# may run it in check mode. Anything else (DDL, DML, several statements) counts as mutating.
_READ_ONLY_SQL = re.compile(r"^\s*(SELECT|SHOW)\b[^;]*;?\s*$", re.IGNORECASE | re.DOTALL)
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
_CBOR_PATH = re.compile(r"^/service/[^/]+/operation/([A-Za-z0-9]+)$")


@dataclass(frozen=True)
class RequestInfo:
    """What a request is, as far as the emulator is concerned."""

    service: str
    operation: str
    region: str
    reads_only: bool = False  # known from the request itself to change nothing

    @property
    def mutating(self) -> bool:
        return not self.reads_only and is_mutating(self.operation)


def is_mutating(operation: str) -> bool:
    return not operation.startswith(READ_ONLY_PREFIXES)


def read_body(environ: dict) -> bytes:
    """Read the request body once and put it back so moto can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def identify(environ: dict, body: bytes) -> RequestInfo:
    """Return service, operation and region of a WSGI request."""
    path = environ.get("PATH_INFO", "")
    if path.startswith(("/moto-api", "/_emulator")):  # the emulator's own API, not AWS
        return RequestInfo("moto-api", path.rsplit("/", 1)[-1] or "index", "")

    service, region = _signing_scope(environ)
    params = _form_params(environ, body)
    if service in SIGNING_NAME_TO_SERVICE:
        service = SIGNING_NAME_TO_SERVICE[service]
    if service == "elbv2" and params.get("Version") in API_VERSION_TO_SERVICE:
        service = API_VERSION_TO_SERVICE[params["Version"]]

    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return RequestInfo(service, target.rsplit(".", 1)[-1], region)
    match = _CBOR_PATH.match(path)
    if match:
        return RequestInfo(service, match.group(1), region)
    if "Action" in params:
        return RequestInfo(service, params["Action"], region)
    headers = frozenset(key[5:].replace("_", "-").lower() for key in environ if key.startswith("HTTP_"))
    operation = rest_operation(
        service, environ.get("REQUEST_METHOD", "GET"), path, environ.get("QUERY_STRING", ""), headers
    )
    if service == "rds-data" and operation == "ExecuteStatement":
        return RequestInfo(service, operation, region, reads_only=_is_read_only_sql(body))
    return RequestInfo(service, operation or "Unknown", region)


def _is_read_only_sql(body: bytes) -> bool:
    try:
        sql = json.loads(body or b"{}").get("sql") or ""
    except (ValueError, AttributeError):
        return False
    return bool(_READ_ONLY_SQL.match(sql))


def _signing_scope(environ: dict) -> tuple[str, str]:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = _CREDENTIAL_SCOPE.search(auth)
    if not match:  # presigned URL
        query = parse_qs(environ.get("QUERY_STRING", ""))
        credential = query.get("X-Amz-Credential", [""])[0]
        match = _CREDENTIAL_SCOPE.search("Credential=" + credential + "/aws4_request") if credential else None
        if match is None:
            parts = credential.split("/")
            return (parts[3], parts[2]) if len(parts) >= 4 else ("unknown", "")
    return match.group(2), match.group(1)


def _form_params(environ: dict, body: bytes) -> dict[str, str]:
    params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        params.update({k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})
    return params


def rest_operation(
    service: str, method: str, path: str, query_string: str, headers: frozenset = frozenset()
) -> str | None:
    """Match a REST request against the service model's routes; the most specific match wins."""
    try:
        routes = _rest_routes(service)
    except Exception:  # an unknown service name: nothing to match against
        return None
    query_keys = set(parse_qs(query_string, keep_blank_values=True))
    best, best_score = None, (-1, -1)
    for route in routes:
        if route.method != method or not route.query <= query_keys or not route.headers <= headers:
            continue
        if route.path.match(path):
            score = (len(route.query) + len(route.headers), route.literal_length)
            if score > best_score:
                best, best_score = route.operation, score
    return best


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    path: re.Pattern
    literal_length: int
    query: frozenset  # query keys the operation always sends
    headers: frozenset  # header names (lower case) the operation always sends


@functools.cache
def _rest_routes(service: str) -> tuple:
    model = _session().get_service_model(service)
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        uri_path, _, uri_query = operation.http.get("requestUri", "/").partition("?")
        # "x-id" is a documentation hint botocore does not send.
        query = {part.split("=", 1)[0] for part in uri_query.split("&") if part and not part.startswith("x-id")}
        headers = set()
        shape = operation.input_shape
        for member in shape.required_members if shape is not None else ():
            location = shape.members[member].serialization
            if location.get("location") == "querystring":
                query.add(location.get("name", member))
            elif location.get("location") == "header":
                headers.add(location.get("name", member).lower())
        pattern, literal_length = _uri_template_to_regex(uri_path)
        routes.append(
            _Route(
                name, operation.http.get("method", "GET"), pattern, literal_length, frozenset(query), frozenset(headers)
            )
        )
    return tuple(routes)


def _uri_template_to_regex(template: str) -> tuple[re.Pattern, int]:
    regex, literal_length = "", 0
    for piece in re.split(r"(\{[^}]+\})", template):
        if piece.startswith("{"):
            regex += ".+" if piece.endswith("+}") else "[^/]+"
        else:
            regex += re.escape(piece)
            literal_length += len(piece)
    # A trailing slash is optional in practice (botocore strips it for S3 buckets).
    return re.compile("^" + regex.rstrip("/") + "/?$"), literal_length


@functools.lru_cache(maxsize=1)
def _session():
    return botocore.session.get_session()
