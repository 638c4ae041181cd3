"""Role route53_weights: the zone and the two weighted records that move users to AWS, read back from Route 53.

The role is not in site.yml yet, so these tests build what it needs (a VPC with two subnets and the
load balancer alb-<suffix>) with boto3 on an emulator of their own, and run the role through
tests/integration/playbooks/route53_weights.yml.
"""

from __future__ import annotations

import pytest

from tests.harness.playbook import run_playbook

SUFFIX = "rt"
PLAYBOOK = "tests/integration/playbooks/route53_weights.yml"
ZONE = f"{SUFFIX}.envmigrate.example."
RECORD = f"app.{ZONE}"
TAGS = {"Environment": SUFFIX, "Project": "envmigrate", "ManagedBy": "ansible"}


def _run(emulator, check=False, **extra):
    return run_playbook(emulator, PLAYBOOK, extra_vars={"env_suffix": SUFFIX, **extra}, check=check)


def _ok(result):
    assert result.rc == 0, f"{result.failed_task}: {result.failed_message or result.stderr}"
    return result


def _alb(emulator) -> dict:
    ec2, elbv2 = emulator.client("ec2"), emulator.client("elbv2")
    vpc_id = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(
        Resources=[vpc_id], Tags=[{"Key": "Name", "Value": f"vpc-{SUFFIX}"}, {"Key": "Environment", "Value": SUFFIX}]
    )
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.70.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in ((1, "a"), (2, "b"))
    ]
    (alb,) = elbv2.create_load_balancer(Name=f"alb-{SUFFIX}", Subnets=subnets)["LoadBalancers"]
    return alb


@pytest.fixture
def with_alb(fresh_emulator):
    """An emulator of this test's own holding the load balancer alb-<suffix>; the ALB as described."""
    return fresh_emulator, _alb(fresh_emulator)


def _zones(emulator) -> list[dict]:
    return [z for z in emulator.client("route53").list_hosted_zones()["HostedZones"] if z["Name"] == ZONE]


def _records(emulator) -> dict:
    """The application's weighted records by set identifier."""
    route53 = emulator.client("route53")
    (zone,) = _zones(emulator)
    answer = route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
    named = [r for r in answer if r["Name"] == RECORD]
    assert all("SetIdentifier" in r for r in named), named
    return {r["SetIdentifier"]: r for r in named}


def _weights(emulator) -> dict:
    return {identifier: record["Weight"] for identifier, record in _records(emulator).items()}


def _set_weights(emulator, aws: int, onprem: int) -> None:
    """What an operator (or traffic_shift.yml) does between two site.yml runs: one change batch."""
    route53 = emulator.client("route53")
    (zone,) = _zones(emulator)
    changes = []
    for identifier, weight in ((f"aws-{SUFFIX}", aws), (f"onprem-{SUFFIX}", onprem)):
        record = {key: value for key, value in _records(emulator)[identifier].items()}
        changes.append({"Action": "UPSERT", "ResourceRecordSet": {**record, "Weight": weight}})
    route53.change_resource_record_sets(HostedZoneId=zone["Id"], ChangeBatch={"Changes": changes})


def _health_checks(emulator) -> list[dict]:
    route53 = emulator.client("route53")
    found = []
    for check in route53.list_health_checks()["HealthChecks"]:
        (tag_set,) = route53.list_tags_for_resources(ResourceType="healthcheck", ResourceIds=[check["Id"]])[
            "ResourceTagSets"
        ]
        found.append({**check, "Tags": {t["Key"]: t["Value"] for t in tag_set["Tags"]}})
    return found


# -- converge --------------------------------------------------------------------------------------


def test_first_deploy_keeps_everyone_on_premises_and_a_rerun_changes_nothing(with_alb):
    emulator, alb = with_alb
    first = _ok(_run(emulator))

    (zone,) = _zones(emulator)
    assert zone["Config"]["PrivateZone"] is False
    route53 = emulator.client("route53")
    zone_id = zone["Id"].split("/")[-1]
    (tags,) = route53.list_tags_for_resources(ResourceType="hostedzone", ResourceIds=[zone_id])["ResourceTagSets"]
    assert {t["Key"]: t["Value"] for t in tags["Tags"]} == {**TAGS, "Name": f"zone-{SUFFIX}"}

    # onprem_endpoint of the local inventory is a host name: a weighted group has one type and a
    # CNAME shares its name with nothing else, so both records are CNAMEs.
    records = _records(emulator)
    assert set(records) == {f"aws-{SUFFIX}", f"onprem-{SUFFIX}"}
    aws, onprem = records[f"aws-{SUFFIX}"], records[f"onprem-{SUFFIX}"]
    assert (aws["Type"], aws["Weight"], aws["TTL"]) == ("CNAME", 0, 60)
    assert aws["ResourceRecords"] == [{"Value": alb["DNSName"].lower()}]
    assert (onprem["Type"], onprem["Weight"], onprem["TTL"]) == ("CNAME", 100, 60)
    assert onprem["ResourceRecords"] == [{"Value": "app.onprem.example"}]
    assert "HealthCheckId" not in onprem and _health_checks(emulator) == []

    (outputs,) = [r["route53_weights_outputs"] for r in first.task_results("Show the outputs")]
    assert outputs["zone_id"] == zone_id and outputs["zone_name"] == ZONE and outputs["record_name"] == RECORD
    assert outputs["weights"] == {"aws": 0, "onprem": 100}
    assert outputs["alias_target"]["dns_name"] == alb["DNSName"]
    assert outputs["alias_target"]["hosted_zone_id"] == alb["CanonicalHostedZoneId"]
    assert "0% of users to alb-rt" in outputs["summary"]

    again = _ok(_run(emulator))
    assert again.changed == 0, again.changed_tasks
    assert again.mutating_requests == []


def test_an_ipv4_endpoint_gets_an_alias_to_the_alb_and_a_health_check(with_alb):
    emulator, alb = with_alb
    _ok(_run(emulator, onprem_endpoint="192.0.2.10", onprem_health_check=True, onprem_health_check_path="/health"))

    (check,) = _health_checks(emulator)
    assert check["Tags"] == {**TAGS, "Name": f"hc-onprem-{SUFFIX}"}
    config = check["HealthCheckConfig"]
    assert (config["Type"], config["IPAddress"], config["Port"], config["ResourcePath"]) == (
        "HTTPS",
        "192.0.2.10",
        443,
        "/health",
    )

    records = _records(emulator)
    aws, onprem = records[f"aws-{SUFFIX}"], records[f"onprem-{SUFFIX}"]
    assert (aws["Type"], aws["Weight"]) == ("A", 0) and "TTL" not in aws
    assert aws["AliasTarget"]["DNSName"].rstrip(".") == alb["DNSName"].lower()
    assert aws["AliasTarget"]["HostedZoneId"] == alb["CanonicalHostedZoneId"]
    assert aws["AliasTarget"]["EvaluateTargetHealth"] is True
    assert (onprem["Type"], onprem["Weight"], onprem["TTL"]) == ("A", 100, 60)
    assert onprem["ResourceRecords"] == [{"Value": "192.0.2.10"}]
    assert onprem["HealthCheckId"] == check["Id"]

    again = _ok(
        _run(emulator, onprem_endpoint="192.0.2.10", onprem_health_check=True, onprem_health_check_path="/health")
    )
    assert again.changed == 0, again.changed_tasks
    assert again.mutating_requests == []

    # Back to a host name: the A pair makes way for a CNAME pair, the weights stay, and the
    # health check that is no longer wanted goes once no record names it.
    _set_weights(emulator, 75, 25)
    _ok(_run(emulator))
    records = _records(emulator)
    assert {identifier: (r["Type"], r["Weight"]) for identifier, r in records.items()} == {
        f"aws-{SUFFIX}": ("CNAME", 75),
        f"onprem-{SUFFIX}": ("CNAME", 25),
    }
    assert _health_checks(emulator) == []


# -- weights ---------------------------------------------------------------------------------------


def test_a_rerun_without_traffic_weight_keeps_the_weights_and_an_explicit_one_applies(with_alb):
    emulator, _ = with_alb
    _ok(_run(emulator))
    _set_weights(emulator, 50, 50)

    kept = _ok(_run(emulator))
    assert _weights(emulator) == {f"aws-{SUFFIX}": 50, f"onprem-{SUFFIX}": 50}
    assert kept.mutating_requests == [], kept.changed_tasks

    moved = _ok(_run(emulator, traffic_weight=25))
    assert _weights(emulator) == {f"aws-{SUFFIX}": 25, f"onprem-{SUFFIX}": 75}
    # amazon.aws.route53 sends one record per request.
    assert [e["operation"] for e in moved.mutating_requests] == ["ChangeResourceRecordSets"] * 2


@pytest.mark.parametrize("weight", [30, -25, 125, "abc"])
def test_a_bad_traffic_weight_is_refused_before_any_request(fresh_emulator, weight):
    result = _run(fresh_emulator, traffic_weight=weight)
    assert result.rc != 0
    assert result.failed_task.endswith("Check route53_weights_traffic_weight")
    assert str(weight) in result.failed_message and "one of 0, 25, 50, 75, 100" in result.failed_message
    assert result.journal == []


# -- check mode ------------------------------------------------------------------------------------


def test_check_mode_on_a_new_environment_says_what_it_would_create(fresh_emulator):
    result = _ok(_run(fresh_emulator, check=True))
    (said,) = result.task_results("Say that everything of this role would be created, after the load balancer")
    assert "alb-rt" in said["msg"] and RECORD in said["msg"]
    assert result.mutating_requests == []


def test_check_mode_with_the_load_balancer_makes_no_change(with_alb):
    emulator, _ = with_alb
    result = _ok(_run(emulator, check=True))
    assert result.changed > 0
    assert result.mutating_requests == []
    assert _zones(emulator) == []


# -- absent ----------------------------------------------------------------------------------------


def test_absent_removes_records_health_check_and_zone_and_a_second_run_is_a_no_op(with_alb):
    emulator, _ = with_alb
    _ok(_run(emulator, onprem_endpoint="192.0.2.10", onprem_health_check=True))
    (zone,) = _zones(emulator)
    # Someone added a record by hand: AWS refuses to delete a zone that still has it.
    emulator.client("route53").change_resource_record_sets(
        HostedZoneId=zone["Id"],
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": f"www.{ZONE}",
                        "Type": "TXT",
                        "TTL": 300,
                        "ResourceRecords": [{"Value": '"hello"'}],
                    },
                }
            ]
        },
    )

    removed = _ok(_run(emulator, route53_weights_state="absent"))
    assert _zones(emulator) == []
    assert _health_checks(emulator) == []
    operations = [e["operation"] for e in removed.mutating_requests]
    assert operations.index("DeleteHealthCheck") > max(
        i for i, op in enumerate(operations) if op == "ChangeResourceRecordSets"
    )

    again = _ok(_run(emulator, route53_weights_state="absent"))
    assert again.changed == 0, again.changed_tasks
    assert again.mutating_requests == []


def test_absent_after_a_partial_deploy_and_on_an_empty_account(fresh_emulator):
    # Only the zone and a health check exist (a deploy that stopped early).
    route53 = fresh_emulator.client("route53")
    zone = route53.create_hosted_zone(Name=ZONE, CallerReference="partial")["HostedZone"]
    route53.change_tags_for_resource(
        ResourceType="hostedzone",
        ResourceId=zone["Id"].split("/")[-1],
        AddTags=[{"Key": k, "Value": v} for k, v in TAGS.items()],
    )
    check = route53.create_health_check(
        CallerReference="partial", HealthCheckConfig={"Type": "HTTPS", "FullyQualifiedDomainName": "app.onprem.example"}
    )["HealthCheck"]
    route53.change_tags_for_resource(
        ResourceType="healthcheck", ResourceId=check["Id"], AddTags=[{"Key": "Name", "Value": f"hc-onprem-{SUFFIX}"}]
    )
    _ok(_run(fresh_emulator, route53_weights_state="absent"))
    assert _zones(fresh_emulator) == [] and _health_checks(fresh_emulator) == []
    again = _ok(_run(fresh_emulator, route53_weights_state="absent"))
    assert again.mutating_requests == []


def test_a_private_zone_answers_in_the_environments_vpc(with_alb):
    emulator, _ = with_alb
    _ok(_run(emulator, hosted_zone_private=True))
    (zone,) = _zones(emulator)
    assert zone["Config"]["PrivateZone"] is True
    (vpc,) = emulator.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"vpc-{SUFFIX}"]}])["Vpcs"]
    details = emulator.client("route53").get_hosted_zone(Id=zone["Id"])
    assert details["VPCs"] == [{"VPCRegion": "us-east-1", "VPCId": vpc["VpcId"]}]
    assert set(_records(emulator)) == {f"aws-{SUFFIX}", f"onprem-{SUFFIX}"}

    _ok(_run(emulator, route53_weights_state="absent"))
    assert _zones(emulator) == []


def test_a_zone_of_that_name_this_environment_did_not_create_is_kept(with_alb):
    emulator, _ = with_alb
    route53 = emulator.client("route53")
    route53.create_hosted_zone(Name=ZONE, CallerReference="someone-else")
    _ok(_run(emulator))
    (zone,) = _zones(emulator)
    zone_id = zone["Id"].split("/")[-1]
    (tags,) = route53.list_tags_for_resources(ResourceType="hostedzone", ResourceIds=[zone_id])["ResourceTagSets"]
    assert tags["Tags"] == []
    assert set(_records(emulator)) == {f"aws-{SUFFIX}", f"onprem-{SUFFIX}"}

    _ok(_run(emulator, route53_weights_state="absent"))
    (kept,) = _zones(emulator)
    assert kept["Id"] == zone["Id"] and _records(emulator) == {}
