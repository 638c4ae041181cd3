"""Integration tests run the playbooks against the emulator.

A whole deployment takes minutes, so the read-back tests share one: ``site`` deploys
environment ``it`` once per worker on the worker's integration emulator (its own, not the one
the unit tests reset before each test). Their files are in one of two groups,
``deployment-a`` and ``deployment-b`` (tests/conftest.py): each group runs on one worker, so two
workers deploy ``it`` side by side and each group's tests run one after the other on theirs.
These tests do not depend on one another's order, and none removes ``it``: teardown is tested
on environments of their own (test_lifecycle.py, test_faults.py, the molecule scenario). Tests
that need an account of their own (an empty one, or one they interrupt) take ``fresh_emulator``.
"""

from __future__ import annotations

import pytest

from tests.harness.emulator import Emulator
from tests.harness.playbook import run_playbook

SUFFIX = "it"


def pytest_collection_modifyitems(items):
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.slow)


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


def dms_service_roles(emulator) -> list[str]:
    """The account-wide roles DMS wants (made with an account's first DMS, removed with its last)."""
    roles = emulator.client("iam").list_roles()["Roles"]
    return sorted(r["RoleName"] for r in roles if r["RoleName"] in ("dms-vpc-role", "dms-cloudwatch-logs-role"))


@pytest.fixture(scope="session")
def emulator_process():
    """The integration tests' emulator of this worker: never reset by a unit test."""
    process = Emulator()
    yield process
    process.cleanup()


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
