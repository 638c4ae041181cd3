"""The molecule scenario (extensions/molecule/default): the stack's whole life cycle, as `make molecule` runs it.

It runs here, inside the test session, so that its waits overlap other tests (tests/conftest.py),
with its emulator on a free port instead of 4590 (ENVMIGRATE_MOLECULE_PORT, molecule.yml).
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.harness.emulator import ROOT
from tests.harness.playbook import ANSIBLE_PLAYBOOK
from tests.harness.ports import free_port

BIN = os.path.dirname(ANSIBLE_PLAYBOOK)
STAGES = ["destroy", "syntax", "create", "converge", "idempotence", "side_effect", "verify", "destroy"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.deploys(minutes=6)
def test_the_scenario_runs_every_stage_of_the_life_cycle():
    environment = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
        "ENVMIGRATE_MOLECULE_PORT": str(free_port()),
        "NO_COLOR": "1",
    }
    completed = subprocess.run(
        [f"{BIN}/molecule", "test"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    output = ANSI.sub("", completed.stdout + completed.stderr)
    assert completed.returncode == 0, output[-6000:]
    # In the scenario's order, each stage ran and succeeded (idempotence: a second converge changed nothing).
    # (molecule's closing DETAILS: "default > converge: Executed: Successful"; "➜" on a UTF-8 terminal)
    executed = re.findall(r"^default (?:>|➜) (\w+): Executed: Successful\s*$", output, re.MULTILINE)
    assert executed == STAGES, output[-6000:]
