"""Run a playbook of the collection the way a user does, and read what happened."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .emulator import ROOT, Emulator

ANSIBLE_PLAYBOOK = str(Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "ansible-playbook")


@dataclass
class PlaybookResult:
    rc: int
    stats: dict  # per host: ok, changed, failures, skipped, ...
    failed_task: str | None  # name of the first failed task
    failed_message: str | None
    journal: list[dict] = field(default_factory=list)  # requests the run made
    output: dict = field(default_factory=dict)  # the json callback's document
    stderr: str = ""

    @property
    def changed(self) -> int:
        return sum(host.get("changed", 0) for host in self.stats.values())

    @property
    def changed_tasks(self) -> list[str]:
        """Names of the tasks that reported a change, for assertion messages."""
        return [
            task["task"]["name"]
            for play in self.output.get("plays", [])
            for task in play.get("tasks", [])
            if any(result.get("changed") for result in task["hosts"].values())
        ]

    @property
    def mutating_requests(self) -> list[dict]:
        return [e for e in self.journal if e["mutating"]]

    def task_results(self, name: str) -> list[dict]:
        """Every host result of the tasks called ``name`` (in a role: "<role> : name")."""
        found = []
        for play in self.output.get("plays", []):
            for task in play.get("tasks", []):
                if task["task"]["name"] == name or task["task"]["name"].endswith(" : " + name):
                    found.extend(task["hosts"].values())
        return found


def _command_and_environment(emulator, playbook, extra_vars, check, diff, args, env):
    command = [ANSIBLE_PLAYBOOK, playbook]
    for key, value in {"outputs_dir": str(emulator.outputs_dir), **(extra_vars or {})}.items():
        command += ["-e", json.dumps({key: value})]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    command += list(args)
    environment = {
        **os.environ,
        "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
        "ANSIBLE_NOCOLOR": "1",
        "AWS_ENDPOINT_URL": emulator.endpoint,
        **(env or {}),
    }
    return command, environment


def run_playbook(
    emulator: Emulator,
    playbook: str,
    *,
    extra_vars: dict | None = None,
    check: bool = False,
    diff: bool = False,
    args: tuple = (),
    env: dict | None = None,
    timeout: float = 900,
) -> PlaybookResult:
    """Run ``playbook`` (relative to the checkout) against ``emulator``; journal only this run."""
    emulator.mark()
    command, environment = _command_and_environment(emulator, playbook, extra_vars, check, diff, args, env)
    completed = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = _parse_json_output(completed.stdout)
    failed_task, failed_message = _first_failure(output)
    return PlaybookResult(
        rc=completed.returncode,
        stats=output.get("stats", {}),
        failed_task=failed_task,
        failed_message=failed_message,
        journal=emulator.journal(),
        output=output,
        stderr=completed.stderr + ("" if output else completed.stdout),
    )


def _parse_json_output(stdout: str) -> dict:
    start = stdout.find("{")
    if start < 0:
        return {}
    try:
        return json.loads(stdout[start:])
    except ValueError:
        return {}


def _first_failure(output: dict) -> tuple[str | None, str | None]:
    for play in output.get("plays", []):
        for task in play.get("tasks", []):
            for result in task["hosts"].values():
                if result.get("failed") or result.get("unreachable"):
                    # A loop fails with "One or more items failed"; what a user reads is each item's message.
                    items = [str(item.get("msg", "")) for item in result.get("results", []) if item.get("failed")]
                    return task["task"]["name"], "; ".join(items) or str(result.get("msg", ""))
    return None, None


def first_request(match: Callable[[dict], bool]) -> Callable[[list[dict]], bool]:
    """Kill point: the first journal entry that ``match`` accepts has been answered."""
    return lambda journal: any(match(entry) for entry in journal)


def waiting(start: str, poll: str, polls: int = 2, *, not_found_counts: bool = False) -> Callable[[list[dict]], bool]:
    """Kill point inside a wait: ``poll`` answered ``polls`` times after a successful ``start``.

    The emulator shows a slow resource in its transitional state to at least the first read after
    its creation or deletion (emulator/latency.py), so the second poll is one a waiter made while it
    waited. A deleted resource's waiter may end on a "not found" answer: with ``not_found_counts``
    such an answer counts as a poll too (a loaded machine can poll after a short deletion is over).
    """

    def answered(entry: dict) -> bool:
        return entry["status"] < 400 or (not_found_counts and "NotFound" in entry.get("error", ""))

    def reached(journal: list[dict]) -> bool:
        started = next((i for i, e in enumerate(journal) if e["operation"] == start and e["status"] < 400), None)
        if started is None:
            return False
        return sum(e["operation"] == poll and answered(e) for e in journal[started + 1 :]) >= polls

    return reached


def interrupt_playbook(
    emulator: Emulator,
    playbook: str,
    when,
    *,
    extra_vars: dict | None = None,
    sig: int = signal.SIGKILL,
    timeout: float = 900,
) -> list[dict]:
    """Start ``playbook`` and kill it as soon as its journal satisfies ``when(journal)``.

    This is an operator's Ctrl-C or a lost laptop: whatever AWS call was in flight may or may
    not have landed. Returns the journal up to the kill; fails if the run ended first.
    """
    emulator.mark()
    command, environment = _command_and_environment(emulator, playbook, extra_vars, False, False, (), None)
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + timeout
    journal = emulator.follow_journal()
    try:
        while time.monotonic() < deadline:
            if when(journal()):
                os.killpg(process.pid, sig)  # ansible-playbook and the module it is running
                process.wait(30)
                _kill_strays(str(emulator.outputs_dir))
                return emulator.journal()
            if process.poll() is not None:
                raise AssertionError(f"{playbook} ended (rc={process.returncode}) before the interruption point")
            time.sleep(0.05)
        raise AssertionError(f"{playbook} did not reach the interruption point in {timeout} s")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        _kill_strays(str(emulator.outputs_dir))


def _kill_strays(marker: str) -> None:
    """SIGKILL what the killed run forked into sessions of its own (Mitogen's children call setsid).

    Such a child keeps ansible-playbook's command line, which names this emulator's outputs folder,
    and outlives a kill of the run's process group; left alone it would sleep on for good.
    """
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if "ansible-playbook" in command and marker in command:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(proc.name), signal.SIGKILL)
