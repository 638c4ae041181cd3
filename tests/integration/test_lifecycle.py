"""The promises of site.yml and teardown.yml: no-op rerun, check mode, isolation, interruption, removal."""

from __future__ import annotations

import pytest

from tests.harness.leftovers import resources_of
from tests.harness.playbook import run_playbook
from tests.integration.conftest import SUFFIX, dms_service_roles

# The tests of this file that use the shared deployment `it` run in its group (tests/conftest.py).
SHARED = pytest.mark.xdist_group("deployment-a")


@pytest.mark.deploys(minutes=1)
def test_check_mode_on_an_empty_account_sends_no_mutating_request(fresh_emulator):
    # From the playbooks folder, as ansible-playbook playbooks/site.yml works too.
    result = run_playbook(fresh_emulator, "playbooks/site.yml", extra_vars={"env_suffix": "dry"}, check=True, diff=True)
    assert result.rc == 0, result.failed_message
    assert result.changed > 0  # it says what it would create, and --diff shows it, as far as
    # the roles get without the resources earlier roles would create (they say so and stop)
    (application,) = result.task_results("Create the CodeDeploy application")
    assert (
        not application["diff"]["before"] and application["diff"]["after"]["application_name"] == "codedeploy-app-dry"
    )
    assert result.mutating_requests == []
    assert resources_of(fresh_emulator, "dry") == {}
    assert not (fresh_emulator.outputs_dir / "dry.json").exists()


# The second run of site.yml (changed=0, no mutating request) is tested after a blue/green release,
# the harder case: test_containers_and_releases.py.


# The slow resources, each started by the first half of its role, and the first wait of the run that
# cannot be deferred: amazon.aws.ec2_vpc_vgw waits for the VPN gateway's attachment.
SLOW_STARTS = [
    "CreateNatGateway",
    "CreateLoadBalancer",
    "CreateDBCluster",
    "CreateDBInstance",
    "CreateReplicationInstance",
]


@SHARED
def test_site_starts_every_slow_resource_before_the_vpn_waits(site):
    answered = [entry["operation"] for entry in site.journal if entry["status"] < 400]
    first_vpn_wait = answered.index("CreateVpnGateway")
    assert [start for start in SLOW_STARTS if answered.index(start) > first_vpn_wait] == []


@SHARED
def test_check_mode_on_the_converged_account_sends_nothing_and_diff_shows_only_the_changed_input(
    site, emulator_process
):
    # A converged account with one input changed: --check reports that change alone (and the
    # outputs file that records it), --diff shows it, and not one request changes anything.
    cluster_task = "Start the Aurora PostgreSQL cluster (password managed by RDS in Secrets Manager)"
    extra = {"env_suffix": SUFFIX, "aurora_dms_max_acu": 8}
    result = run_playbook(emulator_process, "site.yml", extra_vars=extra, check=True, diff=True)
    assert result.rc == 0, result.failed_message
    assert result.mutating_requests == []
    assert [name.split(" : ")[-1] for name in result.changed_tasks] == [
        cluster_task,
        "Write the outputs file outputs/<env_suffix>.json",
    ]
    (cluster,) = result.task_results(cluster_task)
    scaling = {side: cluster["diff"][side]["serverless_v2_scaling"] for side in ("before", "after")}
    assert scaling["before"]["max_capacity"] == 4 and scaling["after"]["max_capacity"] == 8


@SHARED
def test_a_second_environment_and_its_teardown_leave_the_first_whole_and_a_second_teardown_finds_nothing(
    site, emulator_process
):
    before = resources_of(emulator_process, SUFFIX)
    assert {"vpc", "nat_gateway", "s3_bucket", "dynamodb_table"} <= set(before)
    # Another CIDR, and no on-premises VPN peer.
    extra = {"env_suffix": "other", "vpc_cidr": "172.20.0.0/16", "onprem_vpn_ip": ""}
    other = run_playbook(emulator_process, "site.yml", extra_vars=extra)
    assert other.rc == 0, other.failed_message
    (vpc,) = emulator_process.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["vpc-other"]}])[
        "Vpcs"
    ]
    assert vpc["CidrBlock"] == "172.20.0.0/16"
    # Without an on-premises peer the VPN gateway stands ready, with no customer gateway or connection.
    others = resources_of(emulator_process, "other")
    assert "vpn_gateway" in others
    assert "customer_gateway" not in others and "vpn_connection" not in others
    (ready,) = other.task_results("Say that the VPN gateway waits for its on-premises peer")
    assert "onprem_vpn_ip is not set" in ready["msg"]
    assert resources_of(emulator_process, SUFFIX) == before
    outputs_file = emulator_process.outputs_dir / "other.json"
    assert outputs_file.exists()

    for attempt in ("first", "second"):
        removed = run_playbook(emulator_process, "teardown.yml", extra_vars={"env_suffix": "other"})
        assert removed.rc == 0, removed.failed_message
        assert resources_of(emulator_process, "other") == {}
        assert not outputs_file.exists()
        assert resources_of(emulator_process, SUFFIX) == before
        if attempt == "second":  # finds nothing left to do
            assert removed.changed == 0, removed.changed_tasks
            # amazon.aws.rds_subnet_group (10.1.2) deletes without looking first and takes the 404 as
            # "already gone": a request that changes nothing. No other mutating request is sent.
            sent = [(e["operation"], e["status"]) for e in removed.mutating_requests]
            assert sent in ([], [("DeleteDBSubnetGroup", 404)]), sent
    # The first environment's DMS still needs the account-wide service roles (the last DMS of an
    # account takes them along: test_faults.py).
    assert dms_service_roles(emulator_process) == ["dms-cloudwatch-logs-role", "dms-vpc-role"]


# Deploys killed between roles and inside slow waits, and the teardowns after them: test_faults.py.


@SHARED
@pytest.mark.parametrize(
    ("cidr", "message"),
    [
        ("not-a-cidr", "not an IPv4 network in CIDR notation"),
        ("10.0.0.0/24", "smaller than /20"),
        ("192.0.0.0/20", "overlaps the on-premises network 192.0.2.0/24"),
    ],
)
def test_bad_vpc_cidr_is_refused_before_any_request(emulator_process, cidr, message):
    result = run_playbook(emulator_process, "site.yml", extra_vars={"env_suffix": "bad", "vpc_cidr": cidr})
    assert result.rc != 0
    assert result.failed_task.endswith("Check vpc_cidr")
    assert message in result.failed_message
    assert result.journal == []
