"""emulator/fixes/cloudwatch_dashboard_tagging.py: TagResource and friends for dashboards."""

from __future__ import annotations

import json

import pytest

NAME = "dashboard-dev"
BODY = json.dumps({"widgets": []})
MISSING_ARN = "arn:aws:cloudwatch::123456789012:dashboard/dashboard-missing"


def put_dashboard(cw, name: str = NAME, **extra) -> str:
    cw.put_dashboard(DashboardName=name, DashboardBody=BODY, **extra)
    return cw.get_dashboard(DashboardName=name)["DashboardArn"]


def tags(cw, arn: str) -> dict:
    return {tag["Key"]: tag["Value"] for tag in cw.list_tags_for_resource(ResourceARN=arn)["Tags"]}


def test_dashboard_arn_has_no_region(emulator):
    assert put_dashboard(emulator.client("cloudwatch")) == f"arn:aws:cloudwatch::123456789012:dashboard/{NAME}"


def test_tag_and_untag_a_dashboard(emulator):
    cw = emulator.client("cloudwatch")
    arn = put_dashboard(cw)
    assert tags(cw, arn) == {}
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "Environment", "Value": "dev"}, {"Key": "Owner", "Value": "a"}])
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "Owner", "Value": "b"}])
    assert tags(cw, arn) == {"Environment": "dev", "Owner": "b"}
    cw.untag_resource(ResourceARN=arn, TagKeys=["Owner", "Absent"])
    assert tags(cw, arn) == {"Environment": "dev"}


def test_untag_a_dashboard_never_tagged(emulator):
    cw = emulator.client("cloudwatch")
    arn = put_dashboard(cw)
    cw.untag_resource(ResourceARN=arn, TagKeys=["Environment"])
    assert tags(cw, arn) == {}


def test_put_dashboard_tags_only_a_new_dashboard(emulator):
    cw = emulator.client("cloudwatch")
    arn = put_dashboard(cw, Tags=[{"Key": "Environment", "Value": "dev"}])
    assert tags(cw, arn) == {"Environment": "dev"}
    put_dashboard(cw, Tags=[{"Key": "Environment", "Value": "prod"}])
    assert tags(cw, arn) == {"Environment": "dev"}


def test_delete_dashboards_drops_the_tags(emulator):
    cw = emulator.client("cloudwatch")
    arn = put_dashboard(cw, Tags=[{"Key": "Environment", "Value": "dev"}])
    cw.delete_dashboards(DashboardNames=[NAME])
    with pytest.raises(cw.exceptions.ResourceNotFoundException):
        cw.list_tags_for_resource(ResourceARN=arn)
    assert tags(cw, put_dashboard(cw)) == {}


def test_missing_dashboard_is_not_found(emulator):
    cw = emulator.client("cloudwatch")
    with pytest.raises(cw.exceptions.ResourceNotFoundException):
        cw.tag_resource(ResourceARN=MISSING_ARN, Tags=[{"Key": "Environment", "Value": "dev"}])
    with pytest.raises(cw.exceptions.ResourceNotFoundException):
        cw.untag_resource(ResourceARN=MISSING_ARN, TagKeys=["Environment"])
    with pytest.raises(cw.exceptions.ResourceNotFoundException):
        cw.list_tags_for_resource(ResourceARN=MISSING_ARN)


def test_alarm_tagging_is_moto_s(emulator):
    cw = emulator.client("cloudwatch")
    cw.put_metric_alarm(
        AlarmName="alarm-dev",
        Namespace="envmigrate",
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
        Tags=[{"Key": "Environment", "Value": "dev"}],
    )
    arn = cw.describe_alarms(AlarmNames=["alarm-dev"])["MetricAlarms"][0]["AlarmArn"]
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "Owner", "Value": "a"}])
    cw.untag_resource(ResourceARN=arn, TagKeys=["Environment"])
    assert tags(cw, arn) == {"Owner": "a"}


def test_plain_moto_cannot_tag_a_dashboard(plain_moto):
    cw = plain_moto.client("cloudwatch")
    arn = put_dashboard(cw, Tags=[{"Key": "Environment", "Value": "dev"}])
    assert tags(cw, arn) == {}
    with pytest.raises(cw.exceptions.ResourceNotFoundException):
        cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "Environment", "Value": "dev"}])
