"""The request journal: one JSON line per request, written as it is answered.

Tests read it to prove what a playbook did not do (``--check`` sends no
mutating request, a refused input sends no request at all), which the state
of the account alone cannot show.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import IO

from .requests import RequestInfo, identify, read_body


class Journal:
    """Append-only JSON-lines file shared by the server's threads."""

    def __init__(self, path: str | None):
        self._file: IO[str] | None = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115
        self._lock = threading.Lock()

    def record(self, entry: dict) -> None:
        if self._file is None:
            return
        line = json.dumps(entry, sort_keys=True)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class IdentifyAndJournal:
    """WSGI middleware: names the request for the layers below, then journals its answer.

    The ``RequestInfo`` is left in ``environ["emulator.request"]`` so that fault
    injection and the fixes do not parse the request a second time.
    """

    def __init__(self, app: Callable, journal: Journal):
        self.app = app
        self.journal = journal

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.monotonic()
        info: RequestInfo = identify(environ, read_body(environ))
        environ["emulator.request"] = info
        seen: dict = {}

        def recording_start_response(status: str, headers: list, exc_info=None):
            seen["status"] = int(status.split(" ", 1)[0])
            seen["error"] = _header(headers, "x-amzn-errortype") or environ.get("emulator.error_code")
            return start_response(status, headers, exc_info)

        try:
            body = list(self.app(environ, recording_start_response))
        except Exception:
            # moto raised instead of answering (an operation it does not implement):
            # werkzeug turns that into HTTP 500; journal it as such.
            seen.update(status=500, error="InternalFailure")
            body = []
            self._record(info, seen, started, body)
            raise
        self._record(info, seen, started, body)
        return body

    def _record(self, info: RequestInfo, seen: dict, started: float, body: list) -> None:
        entry = {
            "time": round(time.time(), 3),
            "service": info.service,
            "operation": info.operation,
            "region": info.region,
            "mutating": info.mutating,
            "status": seen.get("status", 0),
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        }
        if seen.get("status", 0) >= 400:
            entry["error"] = seen.get("error") or _error_code(b"".join(body))
        self.journal.record(entry)


def _header(headers: list, name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.split(":", 1)[0]
    return None


def _error_code(body: bytes) -> str | None:
    """Pull the error code out of an XML or JSON error body, for the journal only."""
    text = body[:4096].decode("utf-8", "replace")
    start = text.find("<Code>")
    if start >= 0:
        return text[start + 6 : text.find("</Code>", start)]
    try:
        document = json.loads(text)
    except ValueError:
        return None
    code = document.get("__type") or document.get("code") if isinstance(document, dict) else None
    return code.rsplit("#", 1)[-1] if isinstance(code, str) else None


def read_journal(path: str) -> list[dict]:
    """Every entry of a journal file, oldest first."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
