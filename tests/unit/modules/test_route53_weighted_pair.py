"""envmigrate.aws.route53_weighted_pair against the emulator: weights read back from Route53."""

from __future__ import annotations

import pytest

from tests.harness.module import run_module

MODULE = "route53_weighted_pair"
NAME = "app.dev.envmigrate.example."
ALB = {
    "HostedZoneId": "Z35SXDOTRQ7X7K",
    "DNSName": "alb-dev-1.us-east-1.elb.amazonaws.com.",
    "EvaluateTargetHealth": True,
}


@pytest.fixture
def route53(emulator):
    return emulator.client("route53")


@pytest.fixture
def zone_id(emulator, route53):
    """A zone with the pair: AWS (an A alias to the ALB) at 0, on premises (an A record, TTL 60) at 100."""
    zone = route53.create_hosted_zone(Name="dev.envmigrate.example", CallerReference="pair")["HostedZone"]["Id"]
    records = [
        {"Name": NAME, "Type": "A", "SetIdentifier": "aws-dev", "Weight": 0, "AliasTarget": ALB},
        {
            "Name": NAME,
            "Type": "A",
            "SetIdentifier": "onprem-dev",
            "Weight": 100,
            "TTL": 60,
            "ResourceRecords": [{"Value": "198.51.100.20"}],
        },
    ]
    route53.change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": r} for r in records]},
    )
    emulator.mark()
    return zone.split("/")[-1]


def args(zone_id, weight, **extra):
    return {
        "hosted_zone_id": zone_id,
        "record_name": NAME,
        "aws_identifier": "aws-dev",
        "onprem_identifier": "onprem-dev",
        "aws_weight": weight,
        **extra,
    }


def records(route53, zone_id) -> dict:
    answer = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {r["SetIdentifier"]: r for r in answer if r.get("SetIdentifier")}


@pytest.mark.parametrize("weight", [25, 50, 75, 100, 0])
def test_both_weights_change_in_one_batch(emulator, route53, zone_id, weight):
    result = run_module(emulator, MODULE, args(zone_id, weight))
    assert result["changed"] is (weight != 0)
    found = records(route53, zone_id)
    assert (found["aws-dev"]["Weight"], found["onprem-dev"]["Weight"]) == (weight, 100 - weight)
    batches = [e for e in emulator.mutating_requests() if e["operation"] == "ChangeResourceRecordSets"]
    assert len(batches) == (1 if weight else 0)
    if weight:
        assert result["before"] == {"aws": 0, "onprem": 100} and result["change_status"] == "INSYNC"


def test_the_rest_of_each_record_is_kept(emulator, route53, zone_id):
    run_module(emulator, MODULE, args(zone_id, 50))
    found = records(route53, zone_id)
    assert found["aws-dev"]["AliasTarget"]["DNSName"] == ALB["DNSName"]
    assert found["aws-dev"]["AliasTarget"]["EvaluateTargetHealth"] is True
    assert found["onprem-dev"]["ResourceRecords"] == [{"Value": "198.51.100.20"}]
    assert found["onprem-dev"]["TTL"] == 60


def test_rerun_is_a_no_op(emulator, route53, zone_id):
    run_module(emulator, MODULE, args(zone_id, 75))
    emulator.mark()
    result = run_module(emulator, MODULE, args(zone_id, 75))
    assert result["changed"] is False and result["after"] == {"aws": 75, "onprem": 25}
    assert emulator.mutating_requests() == []


def test_check_mode_changes_nothing(emulator, route53, zone_id):
    result = run_module(emulator, MODULE, args(zone_id, 25), check_mode=True)
    assert result["changed"] is True and result["after"] == {"aws": 25, "onprem": 75}
    assert emulator.mutating_requests() == []
    assert records(route53, zone_id)["aws-dev"]["Weight"] == 0


@pytest.mark.parametrize("weight", [30, -25, 125])
def test_other_weights_are_refused_before_any_request(emulator, zone_id, weight):
    result = run_module(emulator, MODULE, args(zone_id, weight))
    assert result["failed"] is True and "value of aws_weight must be one of: 0, 25, 50, 75, 100" in result["msg"]
    assert emulator.journal() == []


def test_missing_records_are_reported(emulator, zone_id):
    result = run_module(emulator, MODULE, args(zone_id, 25, aws_identifier="aws-prod"))
    assert result["failed"] is True
    assert result["msg"].startswith("Weighted record(s) aws-prod of app.dev.envmigrate.example. not found")
    assert emulator.mutating_requests() == []


def test_prior_request_not_complete_is_retried(emulator, route53, zone_id):
    emulator.inject_fault("route53", "ChangeResourceRecordSets", "PriorRequestNotComplete", "busy", 400, count=2)
    result = run_module(emulator, MODULE, args(zone_id, 25))
    assert result["changed"] is True
    assert records(route53, zone_id)["aws-dev"]["Weight"] == 25


def test_access_denied_is_reported(emulator, zone_id):
    emulator.inject_fault("route53", "ChangeResourceRecordSets", "AccessDenied", "not allowed", 403)
    result = run_module(emulator, MODULE, args(zone_id, 25))
    assert result["failed"] is True and result["msg"].startswith("Could not set the weights of")
    assert result["error"]["code"] == "AccessDenied"
