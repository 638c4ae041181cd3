"""Roles lambdas and monitoring: the functions, their schedule, logs, alarms and dashboard, read back."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import SUFFIX, group_id, subnet_ids

# Runs on one worker with the other tests of the shared deployment's group (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("deployment-b")

ACCOUNT = "123456789012"
VALIDATOR = f"lambda-validator-{SUFFIX}"
HEALTH = f"lambda-health-{SUFFIX}"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:sns-alarms-{SUFFIX}"
ALARMS = {
    "alb-5xx",
    "target-5xx",
    "unhealthy-blue",
    "unhealthy-green",
    "ecs-cpu",
    "ecs-memory",
    "aurora-cpu",
    "aurora-acu",
    "aurora-connections",
    "dms-cdc-latency",
    "dms-task-failed",
    "validator-errors",
    "validator-throttles",
    "health-errors",
    "health-throttles",
    "health-check-failed",
}


@pytest.fixture
def lambda_client(emulator_process):
    return emulator_process.client("lambda")


def _policy(emulator, role: str) -> list[dict]:
    iam = emulator.client("iam")
    (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
    return iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]["Statement"]


def test_functions_run_python312_with_their_timeout_memory_and_own_role(site, lambda_client):
    expected = {VALIDATOR: (900, 512), HEALTH: (60, 256)}
    for name, (timeout, memory) in expected.items():
        config = lambda_client.get_function_configuration(FunctionName=name)
        assert config["Runtime"] == "python3.12"
        assert config["Handler"] == "handler.handler"
        assert (config["Timeout"], config["MemorySize"]) == (timeout, memory)
        assert config["Role"] == f"arn:aws:iam::{ACCOUNT}:role/{name}"
        tags = lambda_client.list_tags(Resource=config["FunctionArn"])["Tags"]
        assert tags["Environment"] == SUFFIX and tags["Project"] == "envmigrate"


def test_functions_are_in_the_private_subnets_with_the_lambda_group(site, emulator_process, lambda_client):
    for name in (VALIDATOR, HEALTH):
        vpc = lambda_client.get_function_configuration(FunctionName=name)["VpcConfig"]
        assert sorted(vpc["SubnetIds"]) == subnet_ids(emulator_process, "private")
        assert vpc["SecurityGroupIds"] == [group_id(emulator_process, "lambda")]


def test_validator_reads_its_secrets_from_secrets_manager_by_name_and_knows_the_dms_task(
    site, emulator_process, lambda_client
):
    variables = lambda_client.get_function_configuration(FunctionName=VALIDATOR)["Environment"]["Variables"]
    (task,) = emulator_process.client("dms").describe_replication_tasks()["ReplicationTasks"]
    assert variables["SOURCE_SECRET_ID"] == f"secret-dms-source-{SUFFIX}"
    assert variables["TARGET_SECRET_ID"] == f"secret-dms-target-{SUFFIX}"
    assert variables["STATE_TABLE"] == f"dynamodb-state-{SUFFIX}"
    assert variables["DMS_TASK_ARN"] == task["ReplicationTaskArn"]
    assert variables["SCHEMAS"] == "public"
    assert not any("password" in key.lower() for key in variables)


def test_health_checker_probes_the_alb_with_the_app_host_and_watches_both_target_groups(
    site, emulator_process, lambda_client
):
    variables = lambda_client.get_function_configuration(FunctionName=HEALTH)["Environment"]["Variables"]
    (alb,) = emulator_process.client("elbv2").describe_load_balancers(Names=[f"alb-{SUFFIX}"])["LoadBalancers"]
    endpoints = {e["name"]: e for e in json.loads(variables["ENDPOINTS"])}
    assert endpoints["alb"] == {
        "name": "alb",
        "host": f"app.{SUFFIX}.envmigrate.example",
        "url": f"http://{alb['DNSName']}/",
    }
    assert endpoints["onprem"]["url"] == "http://app.onprem.example/"
    test_endpoint = json.loads(variables["TEST_ENDPOINT"])
    assert test_endpoint["url"] == f"http://{alb['DNSName']}:8080/"
    assert set(json.loads(variables["TARGET_GROUP_ARNS"])) == {"blue", "green"}


def test_each_function_may_do_only_what_its_code_does(site, emulator_process):
    validator = {s["Sid"]: s for s in _policy(emulator_process, VALIDATOR)}
    assert validator["ReadTheTwoDatabaseSecrets"]["Resource"] == [
        f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:secret-dms-source-{SUFFIX}-??????",
        f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:secret-dms-target-{SUFFIX}-??????",
    ]
    health = {s["Sid"]: s for s in _policy(emulator_process, HEALTH)}
    assert health["AnswerThisEnvironmentsDeploymentHooks"]["Resource"] == (
        f"arn:aws:codedeploy:us-east-1:{ACCOUNT}:deploymentgroup:codedeploy-app-{SUFFIX}/codedeploy-dg-{SUFFIX}"
    )
    for statements, name in ((validator, VALIDATOR), (health, HEALTH)):
        assert statements["WriteItsOwnLogs"]["Resource"] == (
            f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/{name}:*"
        )
        metrics = statements["PublishMetricsOfThisProjectOnly"]
        assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "envmigrate"}}
        for statement in statements.values():
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all(action != "*" and not action.endswith(":*") for action in actions), statement


def test_every_log_group_of_the_stack_keeps_30_days(site, emulator_process):
    groups = {g["logGroupName"]: g for g in emulator_process.client("logs").describe_log_groups()["logGroups"]}
    for name in (
        f"/aws/lambda/{VALIDATOR}",
        f"/aws/lambda/{HEALTH}",
        f"/ecs/app-{SUFFIX}",
        f"dms-tasks-dms-{SUFFIX}",
        f"/aws/rds/cluster/aurora-{SUFFIX}/postgresql",
    ):
        assert groups[name].get("retentionInDays") == 30, name


def test_health_checker_runs_every_minute_on_its_unqualified_arn(site, emulator_process, lambda_client):
    events = emulator_process.client("events")
    rule = events.describe_rule(Name=f"schedule-health-{SUFFIX}")
    assert rule["ScheduleExpression"] == "rate(1 minute)" and rule["State"] == "ENABLED"
    (target,) = events.list_targets_by_rule(Rule=f"schedule-health-{SUFFIX}")["Targets"]
    assert target["Arn"] == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{HEALTH}"
    (statement,) = json.loads(lambda_client.get_policy(FunctionName=HEALTH)["Policy"])["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == rule["Arn"]


def test_alarms_watch_every_part_and_notify_the_topic(site, emulator_process):
    alarms = {
        a["AlarmName"]: a
        for a in emulator_process.client("cloudwatch").describe_alarms(AlarmNamePrefix="alarm-")["MetricAlarms"]
        if a["AlarmName"].endswith(f"-{SUFFIX}")
    }
    assert set(alarms) == {f"alarm-{what}-{SUFFIX}" for what in ALARMS}
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [TOPIC_ARN] and alarm["OKActions"] == [TOPIC_ARN]
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["Period"] == 60
    (alb,) = emulator_process.client("elbv2").describe_load_balancers(Names=[f"alb-{SUFFIX}"])["LoadBalancers"]

    def dimensions(what):
        return {d["Name"]: d["Value"] for d in alarms[f"alarm-{what}-{SUFFIX}"]["Dimensions"]}

    assert dimensions("alb-5xx") == {"LoadBalancer": alb["LoadBalancerArn"].split(":loadbalancer/")[1]}
    assert dimensions("unhealthy-green")["TargetGroup"].startswith(f"targetgroup/tg-green-{SUFFIX}/")
    assert dimensions("aurora-acu") == {"DBClusterIdentifier": f"aurora-{SUFFIX}"}
    assert dimensions("ecs-memory") == {"ClusterName": f"ecs-cluster-{SUFFIX}", "ServiceName": f"svc-app-{SUFFIX}"}
    assert dimensions("health-errors") == {"FunctionName": HEALTH}
    assert dimensions("dms-cdc-latency")["ReplicationInstanceIdentifier"] == f"dms-{SUFFIX}"
    topics = [t["TopicArn"] for t in emulator_process.client("sns").list_topics()["Topics"]]
    assert TOPIC_ARN in topics


def test_dashboard_has_a_row_per_concern_over_the_real_dimensions(site, emulator_process):
    cloudwatch = emulator_process.client("cloudwatch")
    body = json.loads(cloudwatch.get_dashboard(DashboardName=f"dashboard-{SUFFIX}")["DashboardBody"])
    headers = [w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text"]
    assert [h.split(" - ")[0] for h in headers] == [
        "## Traffic",
        "## Application",
        "## Database",
        "## Migration",
        "## Functions",
    ]
    metrics = [m for w in body["widgets"] if w["type"] == "metric" for m in w["properties"]["metrics"]]
    names = {(m[0], m[1]) for m in metrics}
    for wanted in [
        ("envmigrate", "TrafficWeightAws"),
        ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
        ("AWS/ECS", "MemoryUtilization"),
        ("AWS/RDS", "ServerlessDatabaseCapacity"),
        ("AWS/DMS", "CDCLatencyTarget"),
        ("envmigrate", "ValidationPassed"),
        ("AWS/Lambda", "Errors"),
    ]:
        assert wanted in names, wanted
    healthy = [m for m in metrics if m[1] == "HealthyHostCount"]
    assert sorted(m[3].split("/")[1] for m in healthy) == [f"tg-blue-{SUFFIX}", f"tg-green-{SUFFIX}"]
    assert all(w["properties"]["region"] == "us-east-1" for w in body["widgets"] if w["type"] == "metric")


def test_the_deployed_health_checker_runs_and_records_what_it_saw(site, emulator_process, lambda_client):
    # The emulator runs the function's zip as Lambda would. Its load balancer has a DNS name that
    # resolves nowhere and the on-premises name is an example, so both probes fail: a result, not an error.
    answer = lambda_client.invoke(FunctionName=HEALTH, Payload=b"{}")
    assert "FunctionError" not in answer, answer["Payload"].read()
    result = json.loads(answer["Payload"].read())
    assert result["mode"] == "scheduled" and result["healthy"] is False
    assert {e["name"]: e["ok"] for e in result["endpoints"]} == {"alb": False, "onprem": False}
    assert set(result["targets"]) == {"blue", "green"}
    assert result["dms_task"]["status"]
    item = emulator_process.client("dynamodb").get_item(
        TableName=f"dynamodb-state-{SUFFIX}", Key={"pk": {"S": "health-check"}, "sk": {"S": "latest"}}
    )["Item"]
    assert item["healthy"] == {"BOOL": False} and item["at"]["S"] == result["at"]
