"""The EXAMPLES of every module of ours, run as one play against the emulator.

ansible-doc shows each module's EXAMPLES to users, so they must work as written. For every module in
plugins/modules/ (found in the folder: a new module is covered without touching this file) the test builds in a
fresh account what the examples take for granted (``SETUPS``: a network, a cluster, a secret, ...), runs the examples
as the tasks of one play via ansible-playbook, and checks that every example task ran without failing. Where the
examples leave something behind worth reading back, ``CHECKS`` reads it from the emulator.

Examples that use variables a user's playbook defines (a security group ID, a secret's ARN) get them from the
setup as play variables. The one change made to the examples is a short ``wait_timeout`` (see ``examples``).
Modules without an entry in ``SETUPS`` run in an empty account; without one in ``CHECKS``, only the play is checked.
Each module gets an empty account: this file's own emulator process (not the session's, which holds the shared
deployment ``it`` of the other integration tests), reset before each module; ~3-10 s per module.
"""

from __future__ import annotations

import datetime
import importlib
import json
import zipfile
from pathlib import Path

import pytest
import yaml
from botocore.exceptions import ClientError

from tests.harness.emulator import ROOT, Emulator
from tests.harness.playbook import run_playbook
from tests.unit.emulator.test_fix_lambda_invoke_local import create_function
from tests.unit.modules.dms_fixtures import TABLE_MAPPINGS, create_endpoint, subnet_ids

# One worker runs the whole file: its emulator is module-scoped (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("module-examples")

MODULES_DIR = ROOT / "plugins" / "modules"
MODULES = sorted(path.stem for path in MODULES_DIR.glob("*.py") if not path.name.startswith("_"))
ACCOUNT = "123456789012"
EXAMPLE_NAMES: dict[str, list[str]] = {}  # module -> the names of its example tasks, in order
WAITER = {"Delay": 0.1, "MaxAttempts": 20}
SHORT_WAIT = 8


def examples(module: str) -> list[dict]:
    """The module's EXAMPLES, parsed (a list of tasks), with short waits for the module's own tasks.

    The emulator moves a resource one state per read, but our modules poll as they would on AWS, every 15 to 30 s
    (less when ``wait_timeout`` is short: at least four polls fit in it). An 8 s ``wait_timeout`` polls every 2 s,
    which keeps this file within minutes; it replaces the example's own value (an hour for a deployment) too.
    """
    loaded = importlib.import_module(f"ansible_collections.envmigrate.aws.plugins.modules.{module}")
    tasks = yaml.safe_load(loaded.EXAMPLES)
    assert isinstance(tasks, list) and tasks, f"{module}: EXAMPLES is not a list of tasks"
    if "wait_timeout" in yaml.safe_load(loaded.DOCUMENTATION)["options"]:
        for task in tasks:
            if isinstance(task.get(f"envmigrate.aws.{module}"), dict):
                task[f"envmigrate.aws.{module}"]["wait_timeout"] = SHORT_WAIT
    return tasks


def write_play(workdir: Path, tasks: list[dict], play_vars: dict, endpoint: str) -> Path:
    """The examples as the tasks of one play, in ``workdir``/playbooks/ as a user's playbook would be."""
    play = {
        "name": "Module examples",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {
            "group/envmigrate.aws.aws": {
                "endpoint_url": endpoint,
                "access_key": "testing",
                "secret_key": "testing",
                "region": "us-east-1",
            }
        },
        "vars": play_vars,
        "tasks": tasks,
    }
    path = workdir / "playbooks" / "examples.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    return path


# -- what the examples take for granted ---------------------------------------------------------------------------


def network(emulator, cidr: str = "10.50") -> tuple[str, list[str], str]:
    """A VPC, two subnets in two zones and a security group: (vpc_id, subnet_ids, group_id)."""
    ec2 = emulator.client("ec2")
    vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for n, zone in ((1, "a"), (2, "b"))
    ]
    group = ec2.create_security_group(GroupName="secgroup-dev", Description="examples", VpcId=vpc)["GroupId"]
    return vpc, subnets, group


def role_arn(emulator, name: str, service: str) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    return emulator.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def secret_arn(emulator, name: str) -> str:
    credentials = {"username": "dms", "password": "example-password"}
    return emulator.client("secretsmanager").create_secret(Name=name, SecretString=json.dumps(credentials))["ARN"]


def kms_alias(emulator, alias: str) -> None:
    kms = emulator.client("kms")
    kms.create_alias(AliasName=alias, TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])


def aurora_cluster_with_writer(emulator) -> str:
    """Cluster aurora-dev with the Data API and its writer (aurora_db_user runs SQL through it); its ARN."""
    rds = emulator.client("rds")
    arn = rds.create_db_cluster(
        DBClusterIdentifier="aurora-dev",
        Engine="aurora-postgresql",
        EngineVersion="16.4",
        DatabaseName="appdb",
        MasterUsername="app_admin",
        ManageMasterUserPassword=True,
        EnableHttpEndpoint=True,
        ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 4},
    )["DBCluster"]["DBClusterArn"]
    rds.create_db_instance(
        DBInstanceIdentifier="aurora-dev-1",
        DBClusterIdentifier="aurora-dev",
        Engine="aurora-postgresql",
        DBInstanceClass="db.serverless",
    )
    return arn


def dms_instance(emulator) -> str:
    """Replication instance dms-dev, available; its ARN."""
    dms = emulator.client("dms")
    arn = dms.create_replication_instance(
        ReplicationInstanceIdentifier="dms-dev", ReplicationInstanceClass="dms.t3.medium", PubliclyAccessible=False
    )["ReplicationInstance"]["ReplicationInstanceArn"]
    dms.get_waiter("replication_instance_available").wait(
        Filters=[{"Name": "replication-instance-arn", "Values": [arn]}], WaiterConfig=WAITER
    )
    return arn


def dms_endpoints(emulator) -> tuple[str, str]:
    dms = emulator.client("dms")
    return create_endpoint(dms, "dms-source-dev", "source"), create_endpoint(dms, "dms-target-dev", "target")


def load_balancer(emulator) -> dict:
    """ALB alb-dev with target groups tg-blue-dev / tg-green-dev behind listeners on 80 (prod) and 8080 (test)."""
    ec2_vpc, subnets, group = network(emulator, "10.60")
    elb = emulator.client("elbv2")
    alb = elb.create_load_balancer(Name="alb-dev", Subnets=subnets, SecurityGroups=[group], Type="application")
    blue, green = (
        elb.create_target_group(Name=name, Protocol="HTTP", Port=8080, VpcId=ec2_vpc, TargetType="ip")["TargetGroups"][
            0
        ]["TargetGroupArn"]
        for name in ("tg-blue-dev", "tg-green-dev")
    )
    prod, test = (
        elb.create_listener(
            LoadBalancerArn=alb["LoadBalancers"][0]["LoadBalancerArn"],
            Protocol="HTTP",
            Port=port,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group}],
        )["Listeners"][0]["ListenerArn"]
        for port, target_group in ((80, blue), (8080, green))
    )
    return {"subnets": subnets, "group": group, "blue": blue, "prod": prod, "test": test}


def ecs_service(emulator, alb: dict, revisions: int) -> None:
    """Fargate service svc-dev (deployed by CodeDeploy) in cluster ecs-dev on app-dev:1; ``revisions`` registered."""
    ecs = emulator.client("ecs")
    ecs.create_cluster(clusterName="ecs-dev")
    for number in range(1, revisions + 1):
        ecs.register_task_definition(
            family="app-dev",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[
                {
                    "name": "app",
                    "image": f"public.ecr.aws/nginx/nginx:1.{20 + number}",
                    "essential": True,
                    "portMappings": [{"containerPort": 8080}],
                }
            ],
        )
    ecs.create_service(
        cluster="ecs-dev",
        serviceName="svc-dev",
        taskDefinition="app-dev:1",
        desiredCount=1,
        launchType="FARGATE",
        deploymentController={"type": "CODE_DEPLOY"},
        loadBalancers=[{"targetGroupArn": alb["blue"], "containerName": "app", "containerPort": 8080}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": alb["subnets"], "securityGroups": [alb["group"]]}},
    )


def setup_aurora_cluster(emulator, workdir) -> dict:
    _, subnets, group = network(emulator)
    emulator.client("rds").create_db_subnet_group(
        DBSubnetGroupName="db-subnets-dev", DBSubnetGroupDescription="examples", SubnetIds=subnets
    )
    return {"db_security_group_id": group}


def setup_aurora_db_user(emulator, workdir) -> dict:
    aurora_cluster_with_writer(emulator)
    return {"access_role_arn": role_arn(emulator, "dms-secrets-dev", "dms.amazonaws.com")}


def setup_cloudwatch_dashboard(emulator, workdir) -> dict:
    # lookup('file', 'dashboard-dev.json') reads the file next to the playbook, where a user keeps it.
    body = {"widgets": [{"type": "text", "x": 0, "y": 0, "width": 6, "height": 2, "properties": {"markdown": "dev"}}]}
    (workdir / "playbooks" / "dashboard-dev.json").write_text(json.dumps(body))
    return {}


def setup_codedeploy_deployment_group(emulator, workdir) -> dict:
    alb = load_balancer(emulator)
    ecs_service(emulator, alb, revisions=1)
    emulator.client("codedeploy").create_application(applicationName="app-dev", computePlatform="ECS")
    emulator.client("cloudwatch").put_metric_alarm(
        AlarmName="alb-5xx-dev",
        Namespace="AWS/ApplicationELB",
        MetricName="HTTPCode_ELB_5XX_Count",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=5,
        ComparisonOperator="GreaterThanThreshold",
    )
    role_arn(emulator, "codedeploy-dev", "codedeploy.amazonaws.com")
    return {"prod_listener_arn": alb["prod"], "test_listener_arn": alb["test"]}


# A CodeDeploy lifecycle hook that passes: it reports Succeeded for the execution it was invoked for.
PASSING_HOOK = """
import boto3

def handler(event, context):
    boto3.client("codedeploy").put_lifecycle_event_hook_execution_status(
        deploymentId=event["DeploymentId"],
        lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
        status="Succeeded",
    )
"""


def setup_codedeploy_deployment(emulator, workdir) -> dict:
    for hook in ("health-check-dev", "migration-validation-dev"):  # the hooks the examples name
        create_function(emulator, hook, PASSING_HOOK, Timeout=60)
    alb = load_balancer(emulator)
    ecs_service(emulator, alb, revisions=7)  # the examples release app-dev:7
    codedeploy = emulator.client("codedeploy")
    codedeploy.create_application(applicationName="app-dev", computePlatform="ECS")
    codedeploy.create_deployment_group(
        applicationName="app-dev",
        deploymentGroupName="dg-dev",
        serviceRoleArn=role_arn(emulator, "codedeploy-dev", "codedeploy.amazonaws.com"),
        deploymentConfigName="CodeDeployDefault.ECSAllAtOnce",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        blueGreenDeploymentConfiguration={
            "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 5},
            "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
        },
        ecsServices=[{"serviceName": "svc-dev", "clusterName": "ecs-dev"}],
        loadBalancerInfo={
            "targetGroupPairInfoList": [
                {
                    "targetGroups": [{"name": "tg-blue-dev"}, {"name": "tg-green-dev"}],
                    "prodTrafficRoute": {"listenerArns": [alb["prod"]]},
                    "testTrafficRoute": {"listenerArns": [alb["test"]]},
                }
            ]
        },
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"]},
    )
    return {}


def setup_cutover_state(emulator, workdir) -> dict:
    """The state table as roles/storage makes it, at phase 25 (the examples shift 25 % -> 50 %)."""
    dynamodb = emulator.client("dynamodb")
    dynamodb.create_table(
        TableName="dynamodb-state-dev",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in ("pk", "sk")],
        BillingMode="PAY_PER_REQUEST",
    )
    committed_at = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)).isoformat(
        timespec="microseconds"
    )
    dynamodb.put_item(
        TableName="dynamodb-state-dev",
        Item={
            "pk": {"S": "cutover"},
            "sk": {"S": "state"},
            "weight": {"N": "25"},
            "updated_at": {"S": committed_at},
            "updated_by": {"S": "alice"},
        },
    )
    return {}


def setup_dms_endpoint(emulator, workdir) -> dict:
    return {
        "replication_instance_arn": dms_instance(emulator),
        "dms_secrets_role_arn": role_arn(emulator, "dms-secrets-dev", "dms.amazonaws.com"),
        "source_secret_arn": secret_arn(emulator, "secret-dms-source-dev"),
        "aurora_secret_arn": secret_arn(emulator, "secret-dms-target-dev"),
        "new_secret_arn": secret_arn(emulator, "secret-dms-source-dev-rotated"),
    }


def setup_dms_replication_instance(emulator, workdir) -> dict:
    subnets = subnet_ids(emulator)
    emulator.client("dms").create_replication_subnet_group(
        ReplicationSubnetGroupIdentifier="dms-subnets-dev",
        ReplicationSubnetGroupDescription="examples",
        SubnetIds=subnets,
    )
    ec2 = emulator.client("ec2")
    vpc = ec2.describe_subnets(SubnetIds=subnets[:1])["Subnets"][0]["VpcId"]
    group = ec2.create_security_group(GroupName="secgroup-dms-dev", Description="examples", VpcId=vpc)["GroupId"]
    return {"dms_security_group_id": group}


def setup_dms_replication_instance_info(emulator, workdir) -> dict:
    dms_instance(emulator)
    return {}


def setup_dms_replication_task(emulator, workdir) -> dict:
    dms_instance(emulator)
    dms_endpoints(emulator)
    return {}


def setup_dms_replication_task_info(emulator, workdir) -> dict:
    """Task dms-task-dev running with validation, its full load done and a CDC latency of 2 s."""
    dms = emulator.client("dms")
    instance = dms_instance(emulator)
    source, target = dms_endpoints(emulator)
    task = dms.create_replication_task(
        ReplicationTaskIdentifier="dms-task-dev",
        ReplicationInstanceArn=instance,
        SourceEndpointArn=source,
        TargetEndpointArn=target,
        MigrationType="full-load-and-cdc",
        TableMappings=json.dumps(TABLE_MAPPINGS),
        ReplicationTaskSettings=json.dumps({"ValidationSettings": {"EnableValidation": True}}),
    )["ReplicationTask"]["ReplicationTaskArn"]
    task_filter = [{"Name": "replication-task-arn", "Values": [task]}]
    dms.get_waiter("replication_task_ready").wait(Filters=task_filter, WaiterConfig=WAITER)
    dms.start_replication_task(ReplicationTaskArn=task, StartReplicationTaskType="start-replication")
    dms.get_waiter("replication_task_running").wait(Filters=task_filter, WaiterConfig=WAITER)
    # CDC latency as DMS publishes it: the task named by the resource ID at the end of its ARN.
    dimensions = [
        {"Name": "ReplicationInstanceIdentifier", "Value": "dms-dev"},
        {"Name": "ReplicationTaskIdentifier", "Value": task.rsplit(":", 1)[-1]},
    ]
    emulator.client("cloudwatch").put_metric_data(
        Namespace="AWS/DMS",
        MetricData=[
            {"MetricName": name, "Dimensions": dimensions, "Value": 2.0, "Unit": "Seconds"}
            for name in ("CDCLatencySource", "CDCLatencyTarget")
        ],
    )
    return {}


def setup_dynamodb_table_protection(emulator, workdir) -> dict:
    emulator.client("dynamodb").create_table(
        TableName="dynamodb-state-dev",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in ("pk", "sk")],
        BillingMode="PAY_PER_REQUEST",
    )
    kms_alias(emulator, "alias/envmigrate-dev")
    return {}


def setup_ecr_pull_through_cache_rule(emulator, workdir) -> dict:
    return {"docker_hub_secret_arn": secret_arn(emulator, "ecr-pullthroughcache/docker-hub")}


def setup_ecr_repository(emulator, workdir) -> dict:
    kms_alias(emulator, "alias/ecr-dev")
    return {}


def setup_ecs_taskdefinition_image(emulator, workdir) -> dict:
    """Family app-dev at revision 1: a placeholder image that sleeps, as the first deployment leaves it."""
    emulator.client("ecs").register_task_definition(
        family="app-dev",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": "app", "image": "public.ecr.aws/docker/library/busybox:stable", "command": ["sleep", "infinity"]}
        ],
    )
    return {}


def setup_lambda_package(emulator, workdir) -> dict:
    # The examples package "{{ playbook_dir }}/../lambdas/...": the checkout's layout, playbooks/ next to lambdas/.
    (workdir / "lambdas").symlink_to(ROOT / "lambdas")
    # The examples write to /tmp/envmigrate-lambdas/; zips of an earlier run must not pass for this run's.
    for function in ("migration_validator", "health_check"):
        Path(f"/tmp/envmigrate-lambdas/{function}.zip").unlink(missing_ok=True)
    return {}


def setup_route53_weighted_pair(emulator, workdir) -> dict:
    """Zone dev.envmigrate.example with the pair: AWS (an alias to the ALB) at 0, on premises at 100."""
    route53 = emulator.client("route53")
    zone = route53.create_hosted_zone(Name="dev.envmigrate.example", CallerReference="examples")["HostedZone"]["Id"]
    name = "app.dev.envmigrate.example."
    alias = {
        "HostedZoneId": "Z35SXDOTRQ7X7K",
        "DNSName": "alb-dev-1.us-east-1.elb.amazonaws.com.",
        "EvaluateTargetHealth": True,
    }
    records = [
        {"Name": name, "Type": "A", "SetIdentifier": "aws-dev", "Weight": 0, "AliasTarget": alias},
        {
            "Name": name,
            "Type": "A",
            "SetIdentifier": "onprem-dev",
            "Weight": 100,
            "TTL": 60,
            "ResourceRecords": [{"Value": "198.51.100.20"}],
        },
    ]
    route53.change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": r} for r in records]}
    )
    return {}


def no_setup(emulator, workdir) -> dict:
    """For a module whose examples need nothing that is not in an empty account."""
    return {}


SETUPS = {
    "aurora_cluster": setup_aurora_cluster,
    "aurora_db_user": setup_aurora_db_user,
    "cloudwatch_dashboard": setup_cloudwatch_dashboard,
    "codedeploy_deployment": setup_codedeploy_deployment,
    "codedeploy_deployment_group": setup_codedeploy_deployment_group,
    "cutover_state": setup_cutover_state,
    "dms_endpoint": setup_dms_endpoint,
    "dms_replication_instance": setup_dms_replication_instance,
    "dms_replication_instance_info": setup_dms_replication_instance_info,
    "dms_replication_task": setup_dms_replication_task,
    "dms_replication_task_info": setup_dms_replication_task_info,
    "dynamodb_table_protection": setup_dynamodb_table_protection,
    "ecr_pull_through_cache_rule": setup_ecr_pull_through_cache_rule,
    "ecr_repository": setup_ecr_repository,
    "ecs_taskdefinition_image": setup_ecs_taskdefinition_image,
    "lambda_package": setup_lambda_package,
    "route53_weighted_pair": setup_route53_weighted_pair,
}


# -- what the examples leave behind -------------------------------------------------------------------------------


def registered(result, task_name: str) -> dict:
    """What one example task returned (its single host result)."""
    (host,) = result.task_results(task_name)
    return host


def gone(call, *missing_codes: str) -> bool:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"] in missing_codes
    return False


def check_aurora_cluster(emulator, result):
    rds = emulator.client("rds")
    (cluster,) = rds.describe_db_clusters(DBClusterIdentifier="aurora-dev")["DBClusters"]
    assert cluster["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 4.0}
    assert [m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"]] == ["aurora-dev-1"]
    assert registered(result, EXAMPLE_NAMES["aurora_cluster"][2])["msg"] == cluster["MasterUserSecret"]["SecretArn"]
    assert gone(lambda: rds.describe_db_clusters(DBClusterIdentifier="aurora-test"), "DBClusterNotFoundFault")
    snapshots = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="aurora-test-final")
    assert len(snapshots["DBClusterSnapshots"]) == 1


def check_aurora_db_user(emulator, result):
    secrets = emulator.client("secretsmanager")
    assert gone(lambda: secrets.describe_secret(SecretId="secret-dms-target-dev"), "ResourceNotFoundException")
    (endpoint,) = emulator.client("dms").describe_endpoints()["Endpoints"]
    secret_arn = registered(result, EXAMPLE_NAMES["aurora_db_user"][0])["user"]["secret_arn"]
    assert endpoint["PostgreSQLSettings"]["SecretsManagerSecretId"] == secret_arn


def check_cloudwatch_dashboard(emulator, result):
    assert emulator.client("cloudwatch").list_dashboards()["DashboardEntries"] == []


def check_codedeploy_application(emulator, result):
    assert emulator.client("codedeploy").list_applications()["applications"] == []


def check_codedeploy_deployment(emulator, result):
    (service,) = emulator.client("ecs").describe_services(cluster="ecs-dev", services=["svc-dev"])["services"]
    assert service["taskDefinition"].endswith(":task-definition/app-dev:7")
    deployment_id = registered(result, EXAMPLE_NAMES["codedeploy_deployment"][0])["deployment"]["deployment_id"]
    info = emulator.client("codedeploy").get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "Succeeded"


def check_codedeploy_deployment_group(emulator, result):
    codedeploy = emulator.client("codedeploy")
    assert codedeploy.list_deployment_groups(applicationName="app-dev")["deploymentGroups"] == []
    assert registered(result, EXAMPLE_NAMES["codedeploy_deployment_group"][1])["changed"] is True


def check_customer_gateway(emulator, result):
    gateways = emulator.client("ec2").describe_customer_gateways(
        Filters=[{"Name": "tag:Name", "Values": ["cgw-dev"]}, {"Name": "state", "Values": ["available", "pending"]}]
    )["CustomerGateways"]
    assert gateways == []


def check_cutover_state(emulator, result):
    state = emulator.client("dynamodb").get_item(
        TableName="dynamodb-state-dev", Key={"pk": {"S": "cutover"}, "sk": {"S": "state"}}, ConsistentRead=True
    )["Item"]
    assert state["weight"] == {"N": "50"} and "lock" not in state  # committed 25 -> 50, 50 -> 75 aborted
    history = registered(result, EXAMPLE_NAMES["cutover_state"][-1])["history"]
    assert [event["kind"] for event in history] == ["aborted", "begun", "committed", "begun"]


def check_dms_endpoint(emulator, result):
    endpoints = emulator.client("dms").describe_endpoints()["Endpoints"]
    assert [endpoint["EndpointIdentifier"] for endpoint in endpoints] == ["dms-target-dev"]


def check_dms_replication_instance(emulator, result):
    instances = emulator.client("dms").describe_replication_instances()["ReplicationInstances"]
    assert all(instance["ReplicationInstanceStatus"] == "deleting" for instance in instances), instances
    resized = registered(result, EXAMPLE_NAMES["dms_replication_instance"][2])
    assert resized["changed"] is True


def check_dms_replication_instance_info(emulator, result):
    listed = registered(result, EXAMPLE_NAMES["dms_replication_instance_info"][0])
    assert [instance["replication_instance_identifier"] for instance in listed["replication_instances"]] == ["dms-dev"]


def check_dms_replication_task(emulator, result):
    tasks = emulator.client("dms").describe_replication_tasks()["ReplicationTasks"]
    assert all(task["Status"] == "deleting" for task in tasks), tasks


def check_dms_replication_task_info(emulator, result):
    (task,) = registered(result, EXAMPLE_NAMES["dms_replication_task_info"][0])["replication_tasks"]
    assert task["status"] == "running" and task["cdc_latency_target"] == 2.0


def check_dynamodb_table_protection(emulator, result):
    dynamodb = emulator.client("dynamodb")
    backups = dynamodb.describe_continuous_backups(TableName="dynamodb-state-dev")["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    key_arn = emulator.client("kms").describe_key(KeyId="alias/envmigrate-dev")["KeyMetadata"]["Arn"]
    assert (
        dynamodb.describe_table(TableName="dynamodb-state-dev")["Table"]["SSEDescription"]["KMSMasterKeyArn"] == key_arn
    )


def check_ecr_pull_through_cache_rule(emulator, result):
    rules = emulator.client("ecr").describe_pull_through_cache_rules()["pullThroughCacheRules"]
    assert [(rule["ecrRepositoryPrefix"], rule["upstreamRegistryUrl"]) for rule in rules] == [
        ("docker-hub", "registry-1.docker.io")
    ]
    image = registered(result, EXAMPLE_NAMES["ecr_pull_through_cache_rule"][1])["ansible_facts"]["app_image"]
    assert image.startswith(f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/ecr-public/")


def check_ecr_repository(emulator, result):
    ecr = emulator.client("ecr")
    (worker,) = ecr.describe_repositories()["repositories"]  # ecr-dev is removed
    assert worker["repositoryName"] == "envmigrate/worker-dev"
    assert worker["encryptionConfiguration"]["encryptionType"] == "KMS"
    policy = json.loads(ecr.get_lifecycle_policy(repositoryName="envmigrate/worker-dev")["lifecyclePolicyText"])
    assert [rule["selection"]["countNumber"] for rule in policy["rules"]] == [10]


def check_ecs_cluster(emulator, result):
    clusters = emulator.client("ecs").describe_clusters(clusters=["ecs-dev"])["clusters"]
    assert [cluster["status"] for cluster in clusters] in ([], ["INACTIVE"])


def check_ecs_taskdefinition_image(emulator, result):
    ecs = emulator.client("ecs")
    image = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/ecr-app-dev:1.4.2"
    (copied,) = ecs.describe_task_definition(taskDefinition="app-dev:2")["taskDefinition"]["containerDefinitions"]
    assert copied["image"] == image and copied["command"] == ["sleep", "infinity"]
    (clean,) = ecs.describe_task_definition(taskDefinition="app-dev:3")["taskDefinition"]["containerDefinitions"]
    assert clean["image"] == image and not clean.get("command")


def check_lambda_package(emulator, result):
    for function in ("migration_validator", "health_check"):
        with zipfile.ZipFile(f"/tmp/envmigrate-lambdas/{function}.zip") as archive:
            names = archive.namelist()
        assert "handler.py" in names
        assert any(name.startswith("pg8000/") for name in names) is (function == "migration_validator")


def check_route53_weighted_pair(emulator, result):
    route53 = emulator.client("route53")
    zone_id = registered(result, EXAMPLE_NAMES["route53_weighted_pair"][0])["zone_id"]
    records = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    weights = {record["SetIdentifier"]: record["Weight"] for record in records if "SetIdentifier" in record}
    assert weights == {"aws-dev": 25, "onprem-dev": 75}


CHECKS = {name.removeprefix("check_"): check for name, check in globals().items() if name.startswith("check_")}


# -- the test -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def examples_emulator():
    """An emulator process of this file's own: resetting the session's would remove the shared deployment."""
    process = Emulator()
    yield process
    process.cleanup()


@pytest.fixture
def emulator(examples_emulator):
    """An empty account for one module's examples."""
    examples_emulator.reset()
    return examples_emulator


@pytest.mark.parametrize("module", MODULES)
def test_examples_run_against_the_emulator(emulator, tmp_path, module):
    tasks = examples(module)
    EXAMPLE_NAMES[module] = [task["name"] for task in tasks]
    (tmp_path / "playbooks").mkdir()
    play_vars = SETUPS.get(module, no_setup)(emulator, tmp_path)
    playbook = write_play(tmp_path, tasks, play_vars, emulator.endpoint)

    result = run_playbook(emulator, str(playbook), timeout=120)

    assert result.rc == 0, f"{result.failed_task}: {result.failed_message}\n{result.stderr[-3000:]}"
    ran = [task["task"]["name"] for play in result.output["plays"] for task in play["tasks"]]
    assert ran == EXAMPLE_NAMES[module], "every example task runs, each under its own name"
    for name in ran:
        host = registered(result, name)
        assert not host.get("failed") and not host.get("skipped"), (name, host)
    if module in CHECKS:
        CHECKS[module](emulator, result)
