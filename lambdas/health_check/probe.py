"""HTTP(S) probes of the configured endpoints.

A probe is one GET of the endpoint's URL with the Host header the endpoint names. Whatever the endpoint
does (answers 500, answers too late, refuses the connection, shows a certificate we do not trust) is a
``ProbeResult`` with ``ok`` False and an ``error`` saying what happened; ``probe`` never raises for it.

http.client rather than urllib: a probe must not follow redirects (a 301 to HTTPS is an answer of the
endpoint, judged by EXPECTED_STATUS), and TLS must verify against the Host header's name (the ALB's
certificate is for the application's name, not for the ALB's DNS name we connect to).
"""

import http.client
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

USER_AGENT = "envmigrate-health-check"


@dataclass(frozen=True)
class ProbeResult:
    name: str
    ok: bool
    status: int | None  # the HTTP status, None when no response arrived
    latency_ms: float | None  # connect to status line and headers; None when no response arrived
    error: str | None  # what went wrong, None when ok

    def to_dict(self) -> dict:
        return asdict(self)


class TLSConnection(http.client.HTTPConnection):
    """HTTPS to ``host`` that presents and verifies ``server_hostname`` (SNI) instead of ``host``."""

    default_port = 443

    def __init__(self, host, port, *, timeout, context, server_hostname):
        super().__init__(host, port, timeout=timeout)
        self.tls_context = context
        self.server_hostname = server_hostname

    def connect(self):
        super().connect()
        self.sock = self.tls_context.wrap_socket(self.sock, server_hostname=self.server_hostname)


def probe(endpoint, settings) -> ProbeResult:
    """GET ``endpoint`` once within ``settings.timeout_seconds``; judge the status by EXPECTED_STATUS."""
    started = time.monotonic()
    try:
        status = get_status(endpoint, settings.timeout_seconds)
    except Exception as error:  # anything the endpoint does to us is a failed probe, not a crash
        return ProbeResult(endpoint.name, False, None, None, describe(error, settings.timeout_seconds))
    latency_ms = round((time.monotonic() - started) * 1000, 1)
    if settings.status_expected(status):
        return ProbeResult(endpoint.name, True, status, latency_ms, None)
    error = f"HTTP {status}, expected {settings.expected_status_text}"
    return ProbeResult(endpoint.name, False, status, latency_ms, error)


def probe_all(endpoints, settings) -> list[ProbeResult]:
    """Every endpoint probed at the same time (a run lasts one timeout, not one per endpoint), in order."""
    if not endpoints:
        return []
    with ThreadPoolExecutor(max_workers=len(endpoints)) as pool:
        return list(pool.map(lambda endpoint: probe(endpoint, settings), endpoints))


def probe_until_ok(endpoint, settings, seconds: float, interval: float) -> tuple[ProbeResult, int]:
    """Probe until one probe is ok or ``seconds`` are up: (the last result, how many probes).

    New tasks behind the test listener may still be warming up when CodeDeploy calls the hook, so a
    failure is retried every ``interval`` seconds. A retry starts only if it can end before the deadline;
    the first probe always runs, so the whole takes at most max(seconds, one timeout).
    """
    deadline = time.monotonic() + seconds
    attempts = 0
    while True:
        result = probe(endpoint, settings)
        attempts += 1
        if result.ok or time.monotonic() + interval + settings.timeout_seconds > deadline:
            return result, attempts
        time.sleep(interval)


def get_status(endpoint, timeout: float) -> int:
    """The status of one GET; raises what the connection raises. ``timeout`` bounds the whole request."""
    deadline = time.monotonic() + timeout
    url = urlsplit(endpoint.url)
    connection = open_connection(endpoint, url, timeout)
    try:
        connection.connect()
        # The socket timeout counts per operation; what is left of the timeout bounds the rest.
        connection.sock.settimeout(remaining(deadline))
        headers = {"User-Agent": USER_AGENT, "Connection": "close"}
        if endpoint.host:
            headers["Host"] = endpoint.host  # http.client then sends no Host of its own
        target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        connection.request("GET", target, headers=headers)
        connection.sock.settimeout(remaining(deadline))
        response = connection.getresponse()
        response.close()  # the status is the verdict; the body is not read
        return response.status
    finally:
        connection.close()


def open_connection(endpoint, url, timeout: float) -> http.client.HTTPConnection:
    if url.scheme == "http":
        return http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    # The Host header's name (without a port) is the name the certificate must carry.
    server_hostname = urlsplit(f"//{endpoint.host}").hostname if endpoint.host else url.hostname
    return TLSConnection(
        url.hostname,
        url.port,
        timeout=timeout,
        context=tls_context(endpoint.verify_tls),
        server_hostname=server_hostname,
    )


def tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()  # the runtime's CA bundle, hostname checked
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


def describe(error: Exception, timeout: float) -> str:
    """A short reason for the result's ``error`` (subclasses first: a certificate error is an SSLError)."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS certificate not accepted: {error.verify_message}"
    if isinstance(error, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {error.reason or error}"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    return f"{type(error).__name__}: {error}"
