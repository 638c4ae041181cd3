"""The test session's schedule (tests/conftest.py) rests on pytest-xdist's ``--dist loadgroup``.

pytest-xdist 3.8.0 groups by appending ``@group`` to each node id; from pytest 9.2 on that write no
longer takes (pytest-xdist#1386) and the groups are silently spread over the workers: each worker
of ``make tests`` then deployed the shared environment again. requirements.txt pins a pytest where
it works; this test fails if a version bump breaks it again.
"""

from __future__ import annotations

import subprocess
import sys

GROUPED_FILE = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("shared")

@pytest.mark.parametrize("n", range(3))
def test_record_worker(n):
    with open(os.environ["WORKERS_FILE"], "a") as record:
        record.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""


def test_tests_of_one_xdist_group_run_on_one_worker(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / f"test_{name}.py").write_text(GROUPED_FILE)
    workers_file = tmp_path / "workers"
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    completed = subprocess.run(
        [*pytest, "-n", "3", "--dist", "loadgroup", str(tmp_path)],
        cwd=tmp_path,
        env={"WORKERS_FILE": str(workers_file), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    workers = workers_file.read_text().split()
    assert len(workers) == 9 and len(set(workers)) == 1, workers
