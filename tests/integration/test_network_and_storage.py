"""Roles vpc and storage: what site.yml built, read back from the emulator rule by rule."""

from __future__ import annotations

import ipaddress
import json

import pytest

from tests.integration.conftest import SUFFIX

# Runs on one worker with the other tests of the shared deployment's group (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("deployment-a")

ACCOUNT = "123456789012"
ONPREM_CIDRS = ["192.0.2.0/24", "198.51.100.0/24"]  # inventories/local


def _tag(resource, key):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}.get(key)


def _by_name(items):
    return {_tag(i, "Name"): i for i in items}


@pytest.fixture
def ec2(emulator_process):
    return emulator_process.client("ec2")


def _vpc(ec2):
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"vpc-{SUFFIX}"]}])["Vpcs"]
    return vpc


def _in_vpc(ec2, call, key, vpc_id, **extra):
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, *extra.pop("filters", [])]
    return getattr(ec2, call)(Filters=filters, **extra)[key]


# -- the network -------------------------------------------------------------------------------


def test_vpc_with_dns_and_tags(site, ec2):
    vpc = _vpc(ec2)
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert {_tag(vpc, k) for k in ("Environment", "Project", "ManagedBy")} == {SUFFIX, "envmigrate", "ansible"}
    for attribute in ("enableDnsSupport", "enableDnsHostnames"):
        answer = ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute=attribute)
        assert answer[attribute[0].upper() + attribute[1:]]["Value"] is True


def test_three_zones_with_a_public_and_a_private_subnet_each(site, ec2):
    vpc = _vpc(ec2)
    subnets = _by_name(_in_vpc(ec2, "describe_subnets", "Subnets", vpc["VpcId"]))
    public = [subnets[f"subnet-public-{i}-{SUFFIX}"] for i in (1, 2, 3)]
    private = [subnets[f"subnet-private-{i}-{SUFFIX}"] for i in (1, 2, 3)]
    assert len(subnets) == 6
    assert len({s["AvailabilityZone"] for s in public}) == 3
    assert [s["AvailabilityZone"] for s in public] == [s["AvailabilityZone"] for s in private]
    assert all(not s["MapPublicIpOnLaunch"] for s in public + private)
    blocks = [ipaddress.ip_network(s["CidrBlock"]) for s in public + private]
    assert all(b.subnet_of(ipaddress.ip_network("10.0.0.0/16")) for b in blocks)
    assert len(set(blocks)) == 6


def test_one_internet_gateway_and_exactly_one_nat_in_a_public_subnet(site, ec2):
    vpc = _vpc(ec2)
    igws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc["VpcId"]]}])
    assert len(igws["InternetGateways"]) == 1
    nats = [n for n in _in_vpc(ec2, "describe_nat_gateways", "NatGateways", vpc["VpcId"]) if n["State"] != "deleted"]
    assert len(nats) == 1
    (nat,) = nats
    assert nat["State"] == "available"
    public_subnet = _by_name(_in_vpc(ec2, "describe_subnets", "Subnets", vpc["VpcId"]))[f"subnet-public-1-{SUFFIX}"]
    assert nat["SubnetId"] == public_subnet["SubnetId"]
    assert _tag(nat, "Name") == f"nat-{SUFFIX}"
    (address,) = ec2.describe_addresses(Filters=[{"Name": "tag:Name", "Values": [f"eip-nat-{SUFFIX}"]}])["Addresses"]
    assert address["AllocationId"] == nat["NatGatewayAddresses"][0]["AllocationId"]


def test_routes_public_to_igw_private_to_nat_with_vgw_propagation(site, ec2):
    vpc = _vpc(ec2)
    tables = _by_name(_in_vpc(ec2, "describe_route_tables", "RouteTables", vpc["VpcId"]))
    subnets = _by_name(_in_vpc(ec2, "describe_subnets", "Subnets", vpc["VpcId"]))
    public, private = tables[f"rtb-public-{SUFFIX}"], tables[f"rtb-private-{SUFFIX}"]

    def default_route(table):
        (route,) = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        return route

    assert default_route(public)["GatewayId"].startswith("igw-")
    assert default_route(private)["NatGatewayId"].startswith("nat-")
    associated = lambda table: {a["SubnetId"] for a in table["Associations"] if "SubnetId" in a}  # noqa: E731
    assert associated(public) == {subnets[f"subnet-public-{i}-{SUFFIX}"]["SubnetId"] for i in (1, 2, 3)}
    assert associated(private) == {subnets[f"subnet-private-{i}-{SUFFIX}"]["SubnetId"] for i in (1, 2, 3)}
    (vgw,) = ec2.describe_vpn_gateways(Filters=[{"Name": "tag:Name", "Values": [f"vgw-{SUFFIX}"]}])["VpnGateways"]
    assert private["PropagatingVgws"] == [{"GatewayId": vgw["VpnGatewayId"]}]
    assert public.get("PropagatingVgws", []) == []


def test_vpn_gateway_attached_and_vpn_connection_with_static_routes(site, ec2):
    vpc = _vpc(ec2)
    (vgw,) = ec2.describe_vpn_gateways(Filters=[{"Name": "tag:Name", "Values": [f"vgw-{SUFFIX}"]}])["VpnGateways"]
    assert vgw["State"] == "available"
    assert [(a["VpcId"], a["State"]) for a in vgw["VpcAttachments"]] == [(vpc["VpcId"], "attached")]
    (cgw,) = ec2.describe_customer_gateways(Filters=[{"Name": "tag:Name", "Values": [f"cgw-{SUFFIX}"]}])[
        "CustomerGateways"
    ]
    assert cgw["IpAddress"] == "203.0.113.10"
    assert _tag(cgw, "Environment") == SUFFIX
    (vpn,) = ec2.describe_vpn_connections(Filters=[{"Name": "tag:Name", "Values": [f"vpn-{SUFFIX}"]}])["VpnConnections"]
    assert (vpn["CustomerGatewayId"], vpn["VpnGatewayId"]) == (cgw["CustomerGatewayId"], vgw["VpnGatewayId"])
    assert vpn["Options"]["StaticRoutesOnly"] is True
    assert sorted(r["DestinationCidrBlock"] for r in vpn["Routes"]) == ONPREM_CIDRS


def test_gateway_endpoints_for_s3_and_dynamodb_on_the_private_route_table(site, ec2):
    vpc = _vpc(ec2)
    endpoints = _in_vpc(ec2, "describe_vpc_endpoints", "VpcEndpoints", vpc["VpcId"])
    private = _by_name(_in_vpc(ec2, "describe_route_tables", "RouteTables", vpc["VpcId"]))[f"rtb-private-{SUFFIX}"]
    assert sorted(e["ServiceName"] for e in endpoints) == [
        "com.amazonaws.us-east-1.dynamodb",
        "com.amazonaws.us-east-1.s3",
    ]
    assert all(e["VpcEndpointType"] == "Gateway" for e in endpoints)
    assert all(e["RouteTableIds"] == [private["RouteTableId"]] for e in endpoints)


# -- security groups, rule by rule --------------------------------------------------------------


def _rules(group, direction):
    """A set of (protocol, from, to, source) for every permission of a group."""
    rules = set()
    for permission in group[direction]:
        ports = (permission["IpProtocol"], permission.get("FromPort"), permission.get("ToPort"))
        for source in permission.get("IpRanges", []):
            rules.add((*ports, source["CidrIp"]))
        for source in permission.get("UserIdGroupPairs", []):
            rules.add((*ports, source["GroupId"]))
    return rules


@pytest.fixture
def groups(site, ec2):
    vpc = _vpc(ec2)
    found = _in_vpc(ec2, "describe_security_groups", "SecurityGroups", vpc["VpcId"])
    by_tier = {_tag(g, "Tier"): g for g in found if _tag(g, "Tier")}
    assert set(by_tier) == {"alb", "app", "db", "dms", "lambda"}
    tier_of = {g["GroupId"]: "sg-" + tier for tier, g in by_tier.items()}

    def rules(tier, direction):
        return {(p, f, t, tier_of.get(s, s)) for p, f, t, s in _rules(by_tier[tier], direction)}

    return by_tier, rules


def test_security_group_names_and_tags(groups):
    by_tier, _ = groups
    for tier, group in by_tier.items():
        assert group["GroupName"] == f"secgroup-{tier}-{SUFFIX}"
        assert _tag(group, "Name") == f"sg-{tier}-{SUFFIX}"
        assert _tag(group, "Environment") == SUFFIX


def test_alb_group_rules(groups, site):
    _, rules = groups
    nat_ip = json.loads(site.outputs_file.read_text())["roles"]["vpc"]["nat_public_ip"]
    assert rules("alb", "IpPermissions") == {
        ("tcp", 80, 80, "0.0.0.0/0"),
        ("tcp", 443, 443, "0.0.0.0/0"),
        ("tcp", 8080, 8080, f"{nat_ip}/32"),  # the test listener, from the health checker via the NAT
    }
    assert rules("alb", "IpPermissionsEgress") == {("tcp", 8080, 8080, "sg-app")}


def test_app_group_rules(groups):
    _, rules = groups
    assert rules("app", "IpPermissions") == {("tcp", 8080, 8080, "sg-alb")}
    assert rules("app", "IpPermissionsEgress") == {("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 5432, 5432, "sg-db")}


def test_db_group_rules(groups):
    _, rules = groups
    assert rules("db", "IpPermissions") == {
        ("tcp", 5432, 5432, "sg-app"),
        ("tcp", 5432, 5432, "sg-dms"),
        ("tcp", 5432, 5432, "sg-lambda"),
    }
    assert rules("db", "IpPermissionsEgress") == set()


def test_dms_and_lambda_group_rules(groups):
    _, rules = groups
    onprem = {("tcp", 5432, 5432, cidr) for cidr in ONPREM_CIDRS}
    assert rules("dms", "IpPermissions") == set()
    to_db_and_apis = {("tcp", 5432, 5432, "sg-db"), ("tcp", 443, 443, "0.0.0.0/0")}
    assert rules("dms", "IpPermissionsEgress") == to_db_and_apis | onprem
    assert rules("lambda", "IpPermissions") == set()
    assert (
        rules("lambda", "IpPermissionsEgress")
        == {
            ("tcp", 5432, 5432, "sg-db"),
            ("tcp", 443, 443, "0.0.0.0/0"),
            ("tcp", 80, 80, "0.0.0.0/0"),
            ("tcp", 8080, 8080, "0.0.0.0/0"),
        }
        | onprem
    )


def test_no_ingress_from_anywhere_but_the_alb_listeners(groups):
    by_tier, rules = groups
    listeners = {("tcp", 80, 80, "0.0.0.0/0"), ("tcp", 443, 443, "0.0.0.0/0")}
    for tier in by_tier:
        open_rules = {r for r in rules(tier, "IpPermissions") if r[3] == "0.0.0.0/0"}
        assert open_rules <= (listeners if tier == "alb" else set())


# -- storage -----------------------------------------------------------------------------------


def test_data_bucket_settings(site, emulator_process):
    s3 = emulator_process.client("s3")
    bucket = f"s3-data-{SUFFIX}-{ACCOUNT}"
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}
    ]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    (statement,) = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert lifecycle["Status"] == "Enabled"
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
    assert tags["Environment"] == SUFFIX


def test_state_table_settings(site, emulator_process):
    dynamodb = emulator_process.client("dynamodb")
    name = f"dynamodb-state-{SUFFIX}"
    table = dynamodb.describe_table(TableName=name)["Table"]
    assert {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]} == {("pk", "HASH"), ("sk", "RANGE")}
    assert {a["AttributeType"] for a in table["AttributeDefinitions"]} == {"S"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["DeletionProtectionEnabled"] is False
    backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")


def test_outputs_file_and_summary_name_what_was_built(site):
    outputs = json.loads(site.outputs_file.read_text())
    assert (outputs["env_suffix"], outputs["account_id"], outputs["region"]) == (SUFFIX, ACCOUNT, "us-east-1")
    assert outputs["roles"]["vpc"]["vpc_id"].startswith("vpc-")
    assert len(outputs["roles"]["vpc"]["private_subnet_ids"]) == 3
    assert outputs["roles"]["storage"]["bucket_name"] == f"s3-data-{SUFFIX}-{ACCOUNT}"
    (summary,) = site.task_results("Summary")
    assert summary["msg"][0].startswith(f"Environment {SUFFIX} in account {ACCOUNT}")
    # Every request went to the emulator, signed for us-east-1.
    assert {e["region"] for e in site.journal} == {"us-east-1"}
