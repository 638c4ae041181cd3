"""Integration tests run the playbooks against the emulator.

A whole deployment takes minutes, so the read-back tests share one: ``site`` deploys
environment ``it`` once per session on the session's emulator. ``make integration`` runs two
xdist workers, each a session of its own, so each worker that gets such a test deploys ``it`` on
its own emulator; these tests do not depend on one another's order (the split between the
workers changes from run to run). Tests that need an account of their own (an empty one, or one
they interrupt) take ``fresh_emulator``. Tests marked ``last`` (the teardown of ``it``) are
collected last, so they run after every other test of their worker.
"""

from __future__ import annotations

import pytest

from tests.harness.emulator import Emulator
from tests.harness.playbook import run_playbook

SUFFIX = "it"


def pytest_configure(config):
    config.addinivalue_line("markers", "last: runs after every other test (it removes the shared deployment)")


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.slow)
    # xdist hands out tests in collection order, so the last collected is the last its worker runs.
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)


def subnet_ids(emulator, tier: str, suffix: str = SUFFIX) -> list[str]:
    """IDs of the environment's subnets of one tier (public or private), sorted."""
    subnets = emulator.client("ec2").describe_subnets(
        Filters=[{"Name": "tag:Environment", "Values": [suffix]}, {"Name": "tag:Tier", "Values": [tier]}]
    )["Subnets"]
    return sorted(s["SubnetId"] for s in subnets)


def group_id(emulator, tier: str, suffix: str = SUFFIX) -> str:
    """ID of the environment's security group of one tier (alb, app, db, dms, lambda)."""
    (group,) = emulator.client("ec2").describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [f"secgroup-{tier}-{suffix}"]}]
    )["SecurityGroups"]
    return group["GroupId"]


@pytest.fixture(scope="session")
def site(emulator_process):
    """Environment ``it`` deployed by site.yml; the first run's result, with ``outputs_file``."""
    emulator_process.reset()
    result = run_playbook(emulator_process, "site.yml", extra_vars={"env_suffix": SUFFIX})
    assert result.rc == 0, result.failed_message or result.stderr
    result.outputs_file = emulator_process.outputs_dir / f"{SUFFIX}.json"
    return result


@pytest.fixture
def fresh_emulator():
    """An emulator process of this test's own: an empty account nobody else touches."""
    process = Emulator()
    yield process
    process.cleanup()
