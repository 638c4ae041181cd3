"""Fault injection: throttling at a rate, and errors that tests ask for.

``--throttle RATE`` answers that fraction of requests the way AWS throttles.

Each service has its own throttling error (EC2 ``RequestLimitExceeded`` with
HTTP 503, query services ``Throttling``, JSON services ``ThrottlingException``,
S3 ``SlowDown``, Lambda ``TooManyRequestsException`` with 429...), written in
the protocol the client spoke, so botocore parses it as that code and its retry
logic treats it as throttling. ``--seed`` fixes which requests are throttled:
the same requests in the same order are throttled the same way, so a failing
run can be replayed.

``FaultRules`` lets a test ask for one AWS error, for example "the next
UpdateTable answers AccessDeniedException", through ``POST /_emulator/faults``
(``DELETE`` clears them, and so does ``/moto-api/reset``). Modules' error paths
are then tested against the real protocol, not a mock.
"""

from __future__ import annotations

import functools
import json
import random
import threading
import uuid
from collections.abc import Callable, Iterable

import botocore.session

from .requests import RequestInfo

# (code, HTTP status) per service where it differs from its protocol's default
# below; each is what the service's API reference documents for throttling.
THROTTLING_ERRORS = {
    "ec2": ("RequestLimitExceeded", 503),
    "s3": ("SlowDown", 503),
    "lambda": ("TooManyRequestsException", 429),
    "cloudwatch": ("Throttling", 400),  # the query-era code, also on its JSON/CBOR protocols
}
PROTOCOL_DEFAULTS = {
    "ec2": ("RequestLimitExceeded", 503),
    "query": ("Throttling", 400),
    "rest-xml": ("Throttling", 400),  # Route 53
    "json": ("ThrottlingException", 400),
    "rest-json": ("ThrottlingException", 400),
    "cbor": ("ThrottlingException", 400),
}
# DynamoDB throttles item reads and writes against the table's capacity, with
# its own code; its control plane answers ThrottlingException.
DYNAMODB_DATA_PLANE = frozenset(
    {
        *("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem"),
        *("TransactGetItems", "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"),
    }
)
MESSAGE = "Rate exceeded"


class Throttle:
    """WSGI middleware answering a random fraction of AWS requests with a throttling error."""

    def __init__(self, app: Callable, rate: float, seed: int | None = None):
        self.app = app
        self.rate = rate
        self.random = random.Random(seed)
        self.lock = threading.Lock()  # one draw per request, in arrival order

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        info: RequestInfo | None = environ.get("emulator.request")
        # The emulator's own API (reset, state) is not AWS and is never throttled.
        if info is None or info.service in ("moto-api", "unknown"):
            return self.app(environ, start_response)
        with self.lock:
            throttled = self.random.random() < self.rate
        if not throttled:
            return self.app(environ, start_response)
        code, status, headers, body = throttling_response(info, environ)
        environ["emulator.error_code"] = code  # for the journal: a CBOR body is not readable there
        start_response(f"{status} {_REASONS[status]}", headers)
        # AWS answers HEAD without a body; botocore then names the error by its status.
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]


_REASONS = {400: "Bad Request", 429: "Too Many Requests", 503: "Service Unavailable"}


def throttling_response(info: RequestInfo, environ: dict) -> tuple[str, int, list, bytes]:
    """(code, status, headers, body) of the service's throttling error in the request's protocol."""
    protocol = wire_protocol(info.service, environ)
    code, status = THROTTLING_ERRORS.get(info.service) or PROTOCOL_DEFAULTS[protocol]
    if info.service == "dynamodb" and info.operation in DYNAMODB_DATA_PLANE:
        code = "ProvisionedThroughputExceededException"
    message = "Please reduce your request rate." if info.service == "s3" else MESSAGE
    headers, body = error_response(info, environ, code, message)
    return code, status, headers, body


def error_response(info: RequestInfo, environ: dict, code: str, message: str) -> tuple[list, bytes]:
    """(headers, body) of an AWS error with ``code`` in the protocol the request used."""
    protocol = wire_protocol(info.service, environ)
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id), ("x-amz-request-id", request_id)]
    if protocol == "ec2":
        body = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
        body += f"<RequestID>{request_id}</RequestID></Response>"
    elif protocol == "query" or (protocol == "rest-xml" and info.service != "s3"):
        body = f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        body += f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    elif protocol == "rest-xml":  # S3's bare <Error>
        body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
    else:
        document = {"__type": code, "message": message}
        if protocol == "cbor":
            headers += [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
            return headers, _cbor_text_map(document)
        headers.append(("x-amzn-ErrorType", code))
        if _query_compatible(info.service):
            # Former query services translate codes through this header (botocore reads it).
            headers.append(("x-amzn-query-error", f"{code};Sender"))
        content_type = "application/json" if protocol == "rest-json" else _json_content_type(info.service)
        headers.append(("Content-Type", content_type))
        return headers, json.dumps(document).encode()
    headers.append(("Content-Type", "text/xml"))
    return headers, ('<?xml version="1.0" encoding="UTF-8"?>' + body).encode()


class FaultRules:
    """WSGI middleware: answers the operations tests named with the errors they asked for."""

    PATH = "/_emulator/faults"

    def __init__(self, app: Callable):
        self.app = app
        self.rules: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == self.PATH:
            return self._manage(environ, start_response)
        if path.startswith("/moto-api/reset"):
            with self.lock:
                self.rules.clear()
        rule = self._take(environ.get("emulator.request"))
        if rule is None:
            return self.app(environ, start_response)
        info = environ["emulator.request"]
        headers, body = error_response(info, environ, rule["code"], rule["message"])
        environ["emulator.error_code"] = rule["code"]
        start_response(f"{rule['status']} Injected", headers)
        return [body]

    def _take(self, info: RequestInfo | None) -> dict | None:
        if info is None:
            return None
        with self.lock:
            for rule in self.rules:
                if (rule["service"], rule["operation"]) == (info.service, info.operation) and rule["count"] > 0:
                    rule["count"] -= 1
                    return rule
        return None

    def _manage(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "DELETE":
            with self.lock:
                self.rules.clear()
        else:
            rule = json.loads(environ["wsgi.input"].read() or b"{}")
            missing = {"service", "operation", "code"} - set(rule)
            if missing:
                start_response("400 Bad Request", [("Content-Type", "text/plain")])
                return [f"missing {', '.join(sorted(missing))}".encode()]
            rule = {"message": "Injected by a test", "status": 400, "count": 1, **rule}
            with self.lock:
                self.rules.append(rule)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"rules": self.rules}).encode()]


def wire_protocol(service: str, environ: dict) -> str:
    """The protocol the client used: services such as CloudWatch speak more than one."""
    if environ.get("HTTP_SMITHY_PROTOCOL") == "rpc-v2-cbor":
        return "cbor"
    if environ.get("HTTP_X_AMZ_TARGET"):
        return "json"
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return "ec2" if service == "ec2" else "query"
    protocol = _model_metadata(service).get("protocol", "rest-json")
    return "cbor" if protocol == "smithy-rpc-v2-cbor" else protocol


def _query_compatible(service: str) -> bool:
    return "awsQueryCompatible" in _model_metadata(service)


def _json_content_type(service: str) -> str:
    return f"application/x-amz-json-{_model_metadata(service).get('jsonVersion', '1.1')}"


@functools.cache
def _model_metadata(service: str) -> dict:
    try:
        return botocore.session.get_session().get_service_model(service).metadata
    except Exception:  # a name botocore does not know: treat as REST JSON
        return {}


def _cbor_text_map(document: dict[str, str]) -> bytes:
    """CBOR (RFC 8949) encoding of a small map of short strings: all an error body needs."""
    out = bytearray([0xA0 + len(document)])  # major type 5 (map), length < 24
    for text in (item for pair in document.items() for item in pair):
        data = text.encode()
        assert len(data) < 256
        out += bytes([0x60 + len(data)]) if len(data) < 24 else bytes([0x78, len(data)])  # major type 3 (text)
        out += data
    return bytes(out)
