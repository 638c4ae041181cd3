"""Start the emulator as a real process (as users do) and talk to it from tests."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
READY = re.compile(r"ready on (http://\S+)")

# Credentials and region every test client uses; the emulator accepts anything.
DUMMY_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class Emulator:
    """One running ``python -m emulator`` process with its own journal file."""

    def __init__(self, *args: str, port: int = 0, startup_timeout: float = 60):
        self._tmp = tempfile.TemporaryDirectory(prefix="emulator-")
        self.journal_path = Path(self._tmp.name) / "journal.jsonl"
        self.log_path = Path(self._tmp.name) / "emulator.log"
        # Where playbooks run by the harness write outputs/<env_suffix>.json (not the checkout).
        self.outputs_dir = Path(self._tmp.name) / "outputs"
        self.args = ["--port", str(port), "--journal", str(self.journal_path), *args]
        self._log = open(self.log_path, "w+", encoding="utf-8")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "emulator", *self.args],
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **DUMMY_ENVIRONMENT},
        )
        self.endpoint = self._wait_ready(startup_timeout)
        self._mark = 0

    def _wait_ready(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = READY.search(self.log_path.read_text(encoding="utf-8"))
            if match:
                return match.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("emulator did not start:\n" + self.log_path.read_text(encoding="utf-8"))

    # -- state -------------------------------------------------------------
    def reset(self) -> None:
        """Empty the account (moto's reset) and start a new journal window."""
        request = urllib.request.Request(self.endpoint + "/moto-api/reset", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=30).read()
        self.mark()

    def inject_fault(
        self, service: str, operation: str, code: str, message: str = "Injected by a test", status: int = 400, count=1
    ) -> None:
        """The next ``count`` calls of ``service:operation`` answer this AWS error (reset clears it)."""
        rule = {"service": service, "operation": operation, "code": code, "message": message, "status": status}
        request = urllib.request.Request(
            self.endpoint + "/_emulator/faults",
            method="POST",
            data=json.dumps({**rule, "count": count}).encode(),
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=30).read()

    def mark(self) -> None:
        """Journal entries before this call are no longer returned by ``journal()``."""
        # A byte offset, not a count of lines: the journal grows over a session and is read before each test.
        self._mark = self.journal_path.stat().st_size if self.journal_path.exists() else 0

    def _entries_from(self, offset: int) -> list[dict]:
        if not self.journal_path.exists():
            return []
        with open(self.journal_path, "rb") as handle:
            handle.seek(offset)
            return [json.loads(line) for line in handle if line.strip()]

    def follow_journal(self) -> Callable[[], list[dict]]:
        """A reader of the journal since ``mark()`` that parses only what was appended since its last call.

        For loops that look at the journal many times a second while a playbook runs
        (``interrupt_playbook``): reading the whole window each time would cost a core's fifth.
        A line the emulator is still writing is left for the next call.
        """
        offset, entries = self._mark, []

        def read() -> list[dict]:
            nonlocal offset
            if self.journal_path.exists():
                with open(self.journal_path, "rb") as handle:
                    handle.seek(offset)
                    appended = handle.read()
                complete = appended[: appended.rfind(b"\n") + 1]
                offset += len(complete)
                parsed = (json.loads(line) for line in complete.splitlines() if line.strip())
                entries.extend(e for e in parsed if e["service"] != "moto-api")
            return entries

        return read

    def journal(self, include_emulator_api: bool = False, since_start: bool = False) -> list[dict]:
        """Journal entries since ``mark()`` (or since the emulator started)."""
        entries = self._entries_from(0 if since_start else self._mark)
        return [e for e in entries if include_emulator_api or e["service"] != "moto-api"]

    def mutating_requests(self) -> list[dict]:
        return [e for e in self.journal() if e["mutating"]]

    # -- clients -----------------------------------------------------------
    def client(self, service: str, **config):
        """A boto3 client for the emulator; ``config`` goes to botocore's Config."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(**config) if config else None,
        )

    # -- life cycle --------------------------------------------------------
    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def cleanup(self) -> None:
        self.stop()
        self._tmp.cleanup()
