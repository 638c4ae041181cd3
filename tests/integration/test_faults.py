"""Runs that meet the faults of real life: a killed run, AWS's real waits, throttling.

Each test has an emulator of its own: ``--latency realistic:SCALE`` keeps the slow resources (NAT
gateway, VPN, load balancer, Aurora, DMS) in their transitional states for their typical AWS time
times SCALE, so waits really wait and a run can be killed inside one; ``--throttle RATE`` answers
that fraction of requests with AWS's throttling errors.
"""

from __future__ import annotations

import pytest

from emulator.standins import make_gates_green
from tests.harness.emulator import Emulator
from tests.harness.leftovers import Endpoint, resources_of
from tests.harness.playbook import first_request, interrupt_playbook, run_playbook, waiting
from tests.integration.conftest import dms_service_roles

# 1/50 of AWS's typical times: the DMS instance takes 14 s to become available, the NAT gateway 2.4 s.
LATENCY = "realistic:0.02"

# Where a deploy is killed: between two roles, and inside the slow waits (the run has seen the
# resource in its transitional state and looks again: a waiter's second poll).
KILL_POINTS = {
    "between two roles, as the first container resource is created": first_request(
        lambda e: e["service"] == "ecr" and e["mutating"]
    ),
    "while waiting for the NAT gateway": waiting("CreateNatGateway", "DescribeNatGateways"),
    "while waiting for the DMS instance": waiting("CreateReplicationInstance", "DescribeReplicationInstances"),
    "while waiting for the load balancer": waiting("CreateLoadBalancer", "DescribeLoadBalancers"),
}


def _started(operation):
    return first_request(lambda e: e["operation"] == operation and e["status"] < 400)


# The same account killed again and again, just after each slow resource was started (each is started
# once, by the first run that gets there, so every point is reached whatever site.yml's order).
RERUN_KILL_POINTS = {
    "between two roles": KILL_POINTS["between two roles, as the first container resource is created"],
    "the NAT gateway coming up": _started("CreateNatGateway"),
    "the load balancer coming up": _started("CreateLoadBalancer"),
    "the DMS instance coming up": _started("CreateReplicationInstance"),
    "Aurora's writer coming up": _started("CreateDBInstance"),
}

# The waits of a deploy and of a teardown: (request that starts a transition, request that polls it).
DEPLOY_WAITS = [
    ("CreateNatGateway", "DescribeNatGateways"),
    ("CreateVpnGateway", "DescribeVpnGateways"),
    ("AttachVpnGateway", "DescribeVpnGateways"),
    ("CreateVpnConnection", "DescribeVpnConnections"),
    ("CreateLoadBalancer", "DescribeLoadBalancers"),
    ("CreateDBCluster", "DescribeDBClusters"),
    ("CreateDBInstance", "DescribeDBInstances"),
    ("CreateReplicationInstance", "DescribeReplicationInstances"),
]
TEARDOWN_WAITS = [
    ("DeleteNatGateway", "DescribeNatGateways"),
    ("DeleteVpnConnection", "DescribeVpnConnections"),
    ("DetachVpnGateway", "DescribeVpnGateways"),
    ("DeleteDBInstance", "DescribeDBInstances"),
    ("DeleteDBCluster", "DescribeDBClusters"),
    ("DeleteReplicationInstance", "DescribeReplicationInstances"),
]


@pytest.fixture
def slow_emulator():
    """An empty account of the test's own whose slow resources take (scaled) AWS time."""
    process = Emulator("--latency", LATENCY)
    yield process
    process.cleanup()


def _site(emulator, suffix):
    return run_playbook(emulator, "site.yml", extra_vars={"env_suffix": suffix})


def _any_of(points):
    return lambda journal: any(point(journal) for point in points)


def _unwaited(journal, waits, not_found_counts=False):
    return [
        (start, poll) for start, poll in waits if not waiting(start, poll, not_found_counts=not_found_counts)(journal)
    ]


@pytest.mark.deploys(minutes=9)
def test_a_deploy_killed_at_every_point_converges_on_rerun_and_waits_for_every_slow_resource(slow_emulator):
    # One account, killed again and again, each time at the first kill point not used yet (the order
    # in which a run reaches them is site.yml's business): each rerun must get past where the last died.
    # Killing inside the waits themselves, then tearing down: test_teardown_after_a_deploy_killed.
    remaining = dict(RERUN_KILL_POINTS)
    while remaining:
        any_left = _any_of(list(remaining.values()))
        reached = interrupt_playbook(slow_emulator, "site.yml", any_left, extra_vars={"env_suffix": "lat"})
        remaining = {name: point for name, point in remaining.items() if not point(reached)}
    finished = _site(slow_emulator, "lat")
    assert finished.rc == 0, finished.failed_message
    assert _unwaited(slow_emulator.journal(since_start=True), DEPLOY_WAITS) == []

    rerun = _site(slow_emulator, "lat")
    assert rerun.rc == 0, rerun.failed_message
    assert rerun.changed == 0, rerun.changed_tasks
    assert rerun.mutating_requests == []

    # A teardown killed while the database is being deleted finishes when run again.
    teardown_start = len(slow_emulator.journal(since_start=True))
    # The first read after the delete is sure to see "deleting" (emulator/latency.py); a second one is
    # not: the cluster takes 2.4 s at this scale, and a loaded machine may look again after that.
    deleting_the_database = waiting("DeleteDBCluster", "DescribeDBClusters", polls=1)
    interrupt_playbook(slow_emulator, "teardown.yml", deleting_the_database, extra_vars={"env_suffix": "lat"})
    removed = run_playbook(slow_emulator, "teardown.yml", extra_vars={"env_suffix": "lat"})
    assert removed.rc == 0, removed.failed_message
    assert resources_of(slow_emulator, "lat") == {}
    assert dms_service_roles(slow_emulator) == []  # the account's last DMS took AWS's service roles along
    teardown_journal = slow_emulator.journal(since_start=True)[teardown_start:]
    assert _unwaited(teardown_journal, TEARDOWN_WAITS, not_found_counts=True) == []


@pytest.mark.deploys(minutes=3)
@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_teardown_after_a_deploy_killed(slow_emulator, point):
    interrupt_playbook(slow_emulator, "site.yml", KILL_POINTS[point], extra_vars={"env_suffix": "cut"})
    assert "vpc" in resources_of(slow_emulator, "cut")
    result = run_playbook(slow_emulator, "teardown.yml", extra_vars={"env_suffix": "cut"})
    assert result.rc == 0, result.failed_message
    assert resources_of(slow_emulator, "cut") == {}
    assert dms_service_roles(slow_emulator) == []


@pytest.mark.deploys(minutes=7)
def test_site_cutover_and_teardown_succeed_while_a_fifth_of_requests_are_throttled():
    emulator = Emulator("--throttle", "0.2")
    try:
        # "aws-emulator: throttling 20% of requests; --seed N replays": how to rerun this exact case.
        replay = next(line for line in emulator.output().splitlines() if "--seed" in line)
        site = _site(emulator, "thr")
        assert site.rc == 0, f"{replay}\n{site.failed_task}: {site.failed_message}"
        assert any("Throttl" in e.get("error", "") for e in site.journal), "the emulator throttled nothing"

        make_gates_green(emulator.endpoint, "thr")
        cutover = run_playbook(
            emulator, "playbooks/cutover.yml", extra_vars={"env_suffix": "thr", "phase_soak_seconds": 0}
        )
        assert cutover.rc == 0, f"{replay}\n{cutover.failed_task}: {cutover.failed_message}"

        removed = run_playbook(emulator, "teardown.yml", extra_vars={"env_suffix": "thr"})
        assert removed.rc == 0, f"{replay}\n{removed.failed_task}: {removed.failed_message}"
        assert resources_of(Endpoint(emulator.endpoint), "thr") == {}
    finally:
        emulator.cleanup()
