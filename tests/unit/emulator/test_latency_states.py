"""Slow resources pass through the states AWS reports, per resource; ``--latency`` makes them last.

Without the option the first describe after a create (or delete) shows the
transitional state and the next one the final state, so a botocore waiter polls
twice instead of returning at once. With ``--latency realistic:SCALE`` the
transitional state lasts the resource's typical AWS time times SCALE.
"""

from __future__ import annotations

import time

import pytest

from emulator.__main__ import parse_args
from tests.harness.emulator import Emulator

FAST_WAIT = {"Delay": 1, "MaxAttempts": 30}


# -- resources: each builder creates one and returns (read its state, waiter name, waiter arguments) --


def _subnets(ec2, count: int = 1) -> list[str]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"us-east-1{'abc'[n]}")["Subnet"][
            "SubnetId"
        ]
        for n in range(count)
    ]


def nat_gateway(emulator):
    ec2 = emulator.client("ec2")
    (subnet,) = _subnets(ec2)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"]

    def state():
        return ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["State"]

    return ec2, state, "nat_gateway_available", {"NatGatewayIds": [nat_id]}


def aurora_cluster(emulator, name: str = "aurora"):
    rds = emulator.client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier=name, Engine="aurora-postgresql", MasterUsername="app", MasterUserPassword="secret-123"
    )

    def state():
        return rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]["Status"]

    return rds, state, "db_cluster_available", {"DBClusterIdentifier": name}


def aurora_serverless_instance(emulator):
    rds, *_ = aurora_cluster(emulator, "aurora-sv2")
    rds.create_db_instance(
        DBInstanceIdentifier="aurora-sv2-1",
        DBClusterIdentifier="aurora-sv2",
        Engine="aurora-postgresql",
        DBInstanceClass="db.serverless",
    )

    def state():
        return rds.describe_db_instances(DBInstanceIdentifier="aurora-sv2-1")["DBInstances"][0]["DBInstanceStatus"]

    return rds, state, "db_instance_available", {"DBInstanceIdentifier": "aurora-sv2-1"}


def dms_replication_instance(emulator):
    dms = emulator.client("dms")
    dms.create_replication_instance(ReplicationInstanceIdentifier="dms-ri", ReplicationInstanceClass="dms.t3.medium")
    filters = [{"Name": "replication-instance-id", "Values": ["dms-ri"]}]

    def state():
        return dms.describe_replication_instances(Filters=filters)["ReplicationInstances"][0][
            "ReplicationInstanceStatus"
        ]

    return dms, state, "replication_instance_available", {"Filters": filters}


def application_load_balancer(emulator):
    elbv2 = emulator.client("elbv2")
    elbv2.create_load_balancer(Name="alb", Subnets=_subnets(emulator.client("ec2"), 2))

    def state():
        return elbv2.describe_load_balancers(Names=["alb"])["LoadBalancers"][0]["State"]["Code"]

    return elbv2, state, "load_balancer_available", {"Names": ["alb"]}


def vpn_gateway(emulator):
    ec2 = emulator.client("ec2")
    vgw_id = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]

    def state():
        return ec2.describe_vpn_gateways(VpnGatewayIds=[vgw_id])["VpnGateways"][0]["State"]

    return ec2, state, None, {}


def vpn_connection(emulator):
    ec2 = emulator.client("ec2")
    vgw_id = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    cgw_id = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.7", BgpAsn=65000)["CustomerGateway"][
        "CustomerGatewayId"
    ]
    vpn_id = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw_id, VpnGatewayId=vgw_id)["VpnConnection"][
        "VpnConnectionId"
    ]

    def state():
        return ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]["State"]

    return ec2, state, "vpn_connection_available", {"VpnConnectionIds": [vpn_id]}


CREATIONS = [
    (nat_gateway, "pending", "available"),
    (aurora_cluster, "creating", "available"),
    (aurora_serverless_instance, "creating", "available"),
    (dms_replication_instance, "creating", "available"),
    (application_load_balancer, "provisioning", "active"),
    (vpn_gateway, "pending", "available"),
    (vpn_connection, "pending", "available"),
]
WAITED = [case for case in CREATIONS if case[0] is not vpn_gateway]  # botocore has no VPN gateway waiter


def _ids(cases):
    return [build.__name__ for build, *_ in cases]


# -- without --latency -----------------------------------------------------


@pytest.mark.parametrize(("build", "transitional", "final"), CREATIONS, ids=_ids(CREATIONS))
def test_first_describe_shows_the_transitional_state_the_next_the_final_one(emulator, build, transitional, final):
    _, state, *_ = build(emulator)
    assert [state(), state(), state()] == [transitional, final, final]


def test_waiters_poll_the_transitional_state_once_and_finish_fast(emulator):
    resources = [build(emulator) for build, *_ in WAITED]  # one account, so one reset for all of them
    for client, state, waiter, arguments in resources:
        emulator.mark()
        started = time.monotonic()
        client.get_waiter(waiter).wait(**arguments, WaiterConfig=FAST_WAIT)
        # One delay, where botocore's own delays are 15 to 60 seconds a poll.
        assert time.monotonic() - started < 10, waiter
        # The first poll saw the transitional state: the waiter was not skipped.
        assert len(emulator.journal()) == 2, waiter
        assert state() in ("available", "active")


def test_states_are_kept_per_resource(emulator):
    ec2, first, *_ = nat_gateway(emulator)
    assert first() == "pending"
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    second_id = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    states = {n["NatGatewayId"]: n["State"] for n in ec2.describe_nat_gateways()["NatGateways"]}
    assert sorted(states.values()) == ["available", "pending"]  # the older one has been seen pending already
    assert states[second_id] == "pending"


def test_create_response_shows_the_transitional_state(emulator):
    ec2 = emulator.client("ec2")
    (subnet,) = _subnets(ec2)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    assert ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["State"] == "pending"


def test_deleted_nat_gateway_and_vpn_connection_pass_through_deleting(emulator):
    ec2, nat_state, _, nat = nat_gateway(emulator)
    _, vpn_state, _, vpn = vpn_connection(emulator)
    ec2.get_waiter("nat_gateway_available").wait(**nat, WaiterConfig=FAST_WAIT)
    ec2.get_waiter("vpn_connection_available").wait(**vpn, WaiterConfig=FAST_WAIT)
    ec2.delete_nat_gateway(NatGatewayId=nat["NatGatewayIds"][0])
    ec2.delete_vpn_connection(VpnConnectionId=vpn["VpnConnectionIds"][0])
    assert [nat_state(), nat_state()] == ["deleting", "deleted"]
    assert [vpn_state(), vpn_state()] == ["deleting", "deleted"]


def test_deleted_aurora_and_dms_stay_listed_while_deleting(emulator):
    rds, instance_state, *_ = aurora_serverless_instance(emulator)
    dms, dms_state, *_ = dms_replication_instance(emulator)
    assert [instance_state(), instance_state(), dms_state(), dms_state()] == ["creating", "available"] * 2
    arn = dms.describe_replication_instances()["ReplicationInstances"][0]["ReplicationInstanceArn"]

    rds.delete_db_instance(DBInstanceIdentifier="aurora-sv2-1", SkipFinalSnapshot=True)
    # As on AWS, a cluster whose last instance is deleting can be deleted.
    rds.delete_db_cluster(DBClusterIdentifier="aurora-sv2", SkipFinalSnapshot=True)
    dms.delete_replication_instance(ReplicationInstanceArn=arn)
    emulator.mark()
    rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier="aurora-sv2-1", WaiterConfig=FAST_WAIT)
    rds.get_waiter("db_cluster_deleted").wait(DBClusterIdentifier="aurora-sv2", WaiterConfig=FAST_WAIT)
    dms.get_waiter("replication_instance_deleted").wait(
        Filters=[{"Name": "replication-instance-arn", "Values": [arn]}], WaiterConfig=FAST_WAIT
    )
    # Each waiter saw "deleting" once, then the resource was gone.
    assert [e["operation"] for e in emulator.journal()] == [
        "DescribeDBInstances",
        "DescribeDBInstances",
        "DescribeDBClusters",
        "DescribeDBClusters",
        "DescribeReplicationInstances",
        "DescribeReplicationInstances",
    ]
    with pytest.raises(rds.exceptions.DBClusterNotFoundFault):
        rds.describe_db_clusters(DBClusterIdentifier="aurora-sv2")


def test_vpn_gateway_attachment_passes_through_attaching(emulator):
    ec2 = emulator.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    vgw_id = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw_id)

    def attachment():
        return ec2.describe_vpn_gateways(VpnGatewayIds=[vgw_id])["VpnGateways"][0]["VpcAttachments"][0]["State"]

    assert [attachment(), attachment()] == ["attaching", "attached"]
    ec2.detach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw_id)
    assert [attachment(), attachment()] == ["detaching", "detached"]


def test_plain_moto_has_no_transitional_states(plain_moto):
    _, state, *_ = nat_gateway(plain_moto)
    assert state() == "available"  # the gap this fix closes


# -- with --latency realistic:0.01 -------------------------------------------


@pytest.fixture(scope="module")
def realistic():
    process = Emulator("--latency", "realistic:0.01")
    yield process
    process.cleanup()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("build", "transitional", "typical_seconds"),
    [(nat_gateway, "pending", 120), (aurora_cluster, "creating", 300), (dms_replication_instance, "creating", 720)],
    ids=_ids([(nat_gateway,), (aurora_cluster,), (dms_replication_instance,)]),
)
def test_realistic_latency_keeps_the_transitional_state_for_the_scaled_typical_time(
    realistic, build, transitional, typical_seconds
):
    realistic.reset()
    started = time.monotonic()
    client, state, waiter, arguments = build(realistic)
    assert [state(), state()] == [transitional, transitional]  # time, not the number of describes, ends it now
    client.get_waiter(waiter).wait(**arguments, WaiterConfig=FAST_WAIT)
    elapsed = time.monotonic() - started
    assert typical_seconds * 0.01 <= elapsed < typical_seconds * 0.01 + 10  # + slack for a busy machine
    assert state() == "available"


# -- command line ----------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["fast", "realistic:0", "realistic:-1", "realistic:abc", "realistic:inf", "Realistic", ""]
)
def test_bad_latency_values_are_refused(capsys, value):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--latency", value])
    assert exit_info.value.code == 2
    assert "argument --latency: expected realistic or realistic:SCALE" in capsys.readouterr().err


def test_latency_values(capsys):
    assert parse_args([]).latency is None
    assert parse_args(["--latency", "realistic"]).latency == 1.0
    assert parse_args(["--latency", "realistic:0.05"]).latency == 0.05
    with pytest.raises(SystemExit):
        parse_args(["--plain-moto", "--latency", "realistic"])
    assert "cannot be combined with --plain-moto" in capsys.readouterr().err
