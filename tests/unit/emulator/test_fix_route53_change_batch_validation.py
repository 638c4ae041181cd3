"""Fix route53_change_batch_validation: ChangeResourceRecordSets refuses what AWS refuses."""

from __future__ import annotations

import botocore.exceptions
import pytest

NAME = "app.dev.envmigrate.example."


def _zone(route53) -> str:
    return route53.create_hosted_zone(Name="dev.envmigrate.example", CallerReference="zone")["HostedZone"]["Id"]


def _weighted(identifier, weight, value="app.onprem.example", type_="CNAME", **extra):
    return {
        "Name": NAME,
        "Type": type_,
        "SetIdentifier": identifier,
        "Weight": weight,
        "TTL": 60,
        "ResourceRecords": [{"Value": value}],
        **extra,
    }


def _alias(identifier="aws-dev", weight=0, evaluate=True):
    return {
        "Name": NAME,
        "Type": "A",
        "SetIdentifier": identifier,
        "Weight": weight,
        "AliasTarget": {
            "HostedZoneId": "Z35SXDOTRQ7X7K",
            "DNSName": "alb-dev-1.us-east-1.elb.amazonaws.com.",
            "EvaluateTargetHealth": evaluate,
        },
    }


def _change(route53, zone_id, *changes):
    batch = {"Changes": [{"Action": action, "ResourceRecordSet": record} for action, record in changes]}
    return route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch=batch)


def _records(route53, zone_id) -> list[tuple]:
    answer = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return sorted((r["Type"], r.get("SetIdentifier", ""), r.get("Weight")) for r in answer if r["Name"] == NAME)


def _refused(route53, zone_id, *changes) -> str:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        _change(route53, zone_id, *changes)
    assert raised.value.response["Error"]["Code"] == "InvalidChangeBatch"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return raised.value.response["Error"]["Message"]


def test_weighted_records_with_their_identity_are_created_and_listed(emulator):
    route53 = emulator.client("route53")
    zone_id = _zone(route53)
    _change(
        route53,
        zone_id,
        ("CREATE", _weighted("aws-dev", 0, "alb-dev-1.us-east-1.elb.amazonaws.com")),
        ("CREATE", _weighted("onprem-dev", 100)),
    )
    assert _records(route53, zone_id) == [("CNAME", "aws-dev", 0), ("CNAME", "onprem-dev", 100)]


def test_create_of_an_existing_record_set_is_refused(emulator):
    route53 = emulator.client("route53")
    zone_id = _zone(route53)
    _change(route53, zone_id, ("CREATE", _weighted("onprem-dev", 100)))
    message = _refused(route53, zone_id, ("CREATE", _weighted("onprem-dev", 50)))
    assert message == (
        f"Tried to create resource record set [name='{NAME}', type='CNAME', set-identifier='onprem-dev'] "
        "but it already exists"
    )
    assert _records(route53, zone_id) == [("CNAME", "onprem-dev", 100)]


@pytest.mark.parametrize("first_cname", [True, False])
def test_a_cname_cannot_share_its_name_with_another_type(emulator, first_cname):
    route53 = emulator.client("route53")
    zone_id = _zone(route53)
    cname, alias = _weighted("onprem-dev", 100), _alias()
    first, second = (cname, alias) if first_cname else (alias, cname)
    _change(route53, zone_id, ("CREATE", first))
    message = _refused(route53, zone_id, ("UPSERT", second))
    assert message == (
        f"RRSet of type {second['Type']} with DNS name {NAME} is not permitted as it conflicts with other records with "
        "the same DNS name in zone dev.envmigrate.example."
    )
    assert _records(route53, zone_id) == [(first["Type"], first["SetIdentifier"], first["Weight"])]


def test_one_batch_can_replace_a_cname_pair_by_an_a_pair(emulator):
    route53 = emulator.client("route53")
    zone_id = _zone(route53)
    _change(route53, zone_id, ("CREATE", _weighted("aws-dev", 25, "alb")), ("CREATE", _weighted("onprem-dev", 75)))
    _change(
        route53,
        zone_id,
        ("DELETE", _weighted("aws-dev", 25, "alb")),
        ("DELETE", _weighted("onprem-dev", 75)),
        ("CREATE", _alias(weight=25)),
        ("CREATE", _weighted("onprem-dev", 75, "192.0.2.10", type_="A")),
    )
    assert _records(route53, zone_id) == [("A", "aws-dev", 25), ("A", "onprem-dev", 75)]


def test_a_refused_batch_changes_nothing(emulator):
    route53 = emulator.client("route53")
    zone_id = _zone(route53)
    _change(route53, zone_id, ("CREATE", _weighted("onprem-dev", 100)))
    _refused(route53, zone_id, ("UPSERT", _weighted("onprem-dev", 50)), ("CREATE", _alias()))
    assert _records(route53, zone_id) == [("CNAME", "onprem-dev", 100)]


@pytest.mark.parametrize(
    "wrong",
    [
        _weighted("onprem-dev", 50),
        _weighted("onprem-dev", 100, "other.onprem.example"),
        _weighted("onprem-dev", 100, TTL=300),
    ],
    ids=["weight", "value", "ttl"],
)
def test_delete_must_repeat_the_current_values(emulator, wrong):
    route53 = emulator.client("route53")
    zone_id = _zone(route53)
    _change(route53, zone_id, ("CREATE", _weighted("onprem-dev", 100)))
    message = _refused(route53, zone_id, ("DELETE", wrong))
    assert message == (
        f"Tried to delete resource record set [name='{NAME}', type='CNAME', set-identifier='onprem-dev'] "
        "but the values provided do not match the current values"
    )
    assert _records(route53, zone_id) == [("CNAME", "onprem-dev", 100)]


def test_delete_of_an_alias_must_repeat_evaluate_target_health(emulator):
    route53 = emulator.client("route53")
    zone_id = _zone(route53)
    _change(route53, zone_id, ("CREATE", _alias(evaluate=True)))
    _refused(route53, zone_id, ("DELETE", _alias(evaluate=False)))
    _change(route53, zone_id, ("DELETE", _alias(evaluate=True)))
    assert _records(route53, zone_id) == []


def test_delete_of_a_missing_record_set_is_refused(emulator):
    route53 = emulator.client("route53")
    zone_id = _zone(route53)
    message = _refused(route53, zone_id, ("DELETE", _weighted("onprem-dev", 100)))
    assert message.endswith("set-identifier='onprem-dev'] but it was not found")


def test_delete_removes_only_the_record_set_it_names(emulator):
    route53 = emulator.client("route53")
    zone_id = _zone(route53)
    other = {**_weighted("onprem-dev", 100), "Name": "api.dev.envmigrate.example."}
    _change(route53, zone_id, ("CREATE", _weighted("onprem-dev", 100)), ("CREATE", other))
    _change(route53, zone_id, ("DELETE", _weighted("onprem-dev", 100)))
    remaining = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    assert [(r["Name"], r.get("SetIdentifier")) for r in remaining if r["Type"] == "CNAME"] == [
        ("api.dev.envmigrate.example.", "onprem-dev")
    ]


def test_plain_moto_accepts_what_aws_refuses(plain_moto):
    route53 = plain_moto.client("route53")
    zone_id = _zone(route53)
    _change(route53, zone_id, ("CREATE", _alias()))
    _change(route53, zone_id, ("CREATE", _weighted("onprem-dev", 100)))  # a CNAME next to an A record
    _change(route53, zone_id, ("CREATE", _alias(weight=5)))  # the same record set again
    assert _records(route53, zone_id) == [("A", "aws-dev", 0), ("A", "aws-dev", 5), ("CNAME", "onprem-dev", 100)]
    # Wrong type and values: every record set with the identifier goes.
    _change(route53, zone_id, ("DELETE", _weighted("aws-dev", 99)))
    assert _records(route53, zone_id) == [("CNAME", "onprem-dev", 100)]
