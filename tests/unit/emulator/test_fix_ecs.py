"""emulator/fixes/ecs_*.py: capacity providers, grace period, awsvpc without security groups, CODE_DEPLOY updates."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-blue-dev/0123456789abcdef"


def fargate(session) -> tuple:
    """ECS client, a cluster, an awsvpc task definition and a subnet (with its VPC)."""
    ec2, ecs = session.client("ec2"), session.client("ecs")
    vpc_id = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.50.1.0/24")["Subnet"]["SubnetId"]
    ecs.create_cluster(clusterName="ecs-dev")
    ecs.register_task_definition(
        family="app-dev",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "app:v1", "essential": True}],
    )
    return ecs, ec2, vpc_id, subnet_id


# -- ecs_cluster_capacity_providers ------------------------------------------


def test_cluster_without_capacity_providers_describes_empty_lists(emulator):
    ecs = emulator.client("ecs")
    created = ecs.create_cluster(clusterName="ecs-dev")["cluster"]
    (described,) = ecs.describe_clusters(clusters=["ecs-dev"])["clusters"]
    for cluster in (created, described):
        assert cluster["capacityProviders"] == []
        assert cluster["defaultCapacityProviderStrategy"] == []


def test_cluster_with_capacity_providers_keeps_them(emulator):
    ecs = emulator.client("ecs")
    strategy = [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]
    ecs.create_cluster(clusterName="ecs-dev", capacityProviders=["FARGATE"], defaultCapacityProviderStrategy=strategy)
    (cluster,) = ecs.describe_clusters(clusters=["ecs-dev"])["clusters"]
    assert (cluster["capacityProviders"], cluster["defaultCapacityProviderStrategy"]) == (["FARGATE"], strategy)


def test_plain_moto_leaves_capacity_providers_out(plain_moto):
    ecs = plain_moto.client("ecs")
    ecs.create_cluster(clusterName="ecs-dev")
    (cluster,) = ecs.describe_clusters(clusters=["ecs-dev"])["clusters"]
    assert "capacityProviders" not in cluster and "defaultCapacityProviderStrategy" not in cluster


# -- ecs_service_health_check_grace_period -----------------------------------


def create_service_with_grace_period(session, grace_period: int = 60) -> dict:
    ecs, _, _, subnet_id = fargate(session)
    return ecs.create_service(
        cluster="ecs-dev",
        serviceName="svc-dev",
        taskDefinition="app-dev",
        desiredCount=1,
        launchType="FARGATE",
        loadBalancers=[{"targetGroupArn": TARGET_GROUP, "containerName": "app", "containerPort": 8080}],
        healthCheckGracePeriodSeconds=grace_period,
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet_id], "securityGroups": []}},
    )["service"]


def test_create_service_keeps_the_grace_period(emulator):
    assert create_service_with_grace_period(emulator)["healthCheckGracePeriodSeconds"] == 60
    ecs = emulator.client("ecs")
    (service,) = ecs.describe_services(cluster="ecs-dev", services=["svc-dev"])["services"]
    assert service["healthCheckGracePeriodSeconds"] == 60
    ecs.update_service(cluster="ecs-dev", service="svc-dev", healthCheckGracePeriodSeconds=90)
    (service,) = ecs.describe_services(cluster="ecs-dev", services=["svc-dev"])["services"]
    assert service["healthCheckGracePeriodSeconds"] == 90


def test_plain_moto_drops_the_grace_period(plain_moto):
    assert "healthCheckGracePeriodSeconds" not in create_service_with_grace_period(plain_moto)


# -- ecs_awsvpc_default_security_group ---------------------------------------


def test_service_and_task_without_security_groups_use_the_vpc_default(emulator):
    ecs, ec2, vpc_id, subnet_id = fargate(emulator)
    network = {"awsvpcConfiguration": {"subnets": [subnet_id], "assignPublicIp": "DISABLED"}}
    service = ecs.create_service(
        cluster="ecs-dev",
        serviceName="svc-dev",
        taskDefinition="app-dev",
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=network,
    )["service"]
    assert service["networkConfiguration"] == network  # returned as given
    (task,) = ecs.run_task(
        cluster="ecs-dev", taskDefinition="app-dev", launchType="FARGATE", networkConfiguration=network
    )["tasks"]
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    (interface,) = ec2.describe_network_interfaces(NetworkInterfaceIds=[details["networkInterfaceId"]])[
        "NetworkInterfaces"
    ]
    default_group = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    assert [group["GroupId"] for group in interface["Groups"]] == [default_group]


def test_unknown_subnet_is_still_refused(emulator):
    ecs, *_ = fargate(emulator)
    with pytest.raises(ecs.exceptions.InvalidParameterException):
        ecs.create_service(
            cluster="ecs-dev",
            serviceName="svc-dev",
            taskDefinition="app-dev",
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-00000000000000000"]}},
        )


def test_plain_moto_answers_500_without_security_groups(plain_moto):
    _, _, _, subnet_id = fargate(plain_moto)
    ecs = plain_moto.client("ecs", retries={"max_attempts": 1})
    with pytest.raises(ClientError) as error:
        ecs.create_service(
            cluster="ecs-dev",
            serviceName="svc-dev",
            taskDefinition="app-dev",
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet_id]}},
        )
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


# -- ecs_fargate_container_memory and ecs_task_private_dns_name ---------------


def run_task(session, container_memory: int | None, dns_hostnames: bool):
    ecs, ec2, vpc_id, subnet_id = fargate(session)
    if dns_hostnames:
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    container = {"name": "app", "image": "app:v2", "essential": True}
    if container_memory:
        container["memory"] = container_memory
    ecs.register_task_definition(
        family="app-dev",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[container],
    )
    network = {"awsvpcConfiguration": {"subnets": [subnet_id], "securityGroups": []}}
    client = session.client("ecs", retries={"max_attempts": 1})
    return client.run_task(
        cluster="ecs-dev", taskDefinition="app-dev", launchType="FARGATE", networkConfiguration=network
    )


def test_fargate_task_without_container_memory_runs(emulator):
    (task,) = run_task(emulator, container_memory=None, dns_hostnames=True)["tasks"]
    assert task["taskDefinitionArn"].endswith("app-dev:2")
    assert (
        emulator.client("ecs")
        .describe_task_definition(taskDefinition="app-dev")["taskDefinition"]["containerDefinitions"][0]
        .get("memory")
        is None
    )  # the registered definition is unchanged


def test_task_in_vpc_without_dns_hostnames_gets_a_private_dns_name(emulator):
    (task,) = run_task(emulator, container_memory=256, dns_hostnames=False)["tasks"]
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    assert details["privateDnsName"] == "ip-" + details["privateIPv4Address"].replace(".", "-") + ".ec2.internal"


@pytest.mark.parametrize(("memory", "dns_hostnames"), [(None, True), (256, False)], ids=["no-memory", "no-dns"])
def test_plain_moto_cannot_run_the_task(plain_moto, memory, dns_hostnames):
    with pytest.raises(ClientError) as error:
        run_task(plain_moto, container_memory=memory, dns_hostnames=dns_hostnames)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


# -- ecs_code_deploy_controller ----------------------------------------------


def service_with_controller(session, controller: str = "CODE_DEPLOY") -> tuple:
    """ECS client and service svc-dev (revision 1 of app-dev, revision 2 registered too) with this controller."""
    ecs = session.client("ecs", retries={"max_attempts": 1})
    ecs.create_cluster(clusterName="ecs-dev")
    for tag in ("v1", "v2"):
        ecs.register_task_definition(
            family="app-dev", containerDefinitions=[{"name": "app", "image": f"app:{tag}", "memory": 512}]
        )
    ecs.create_service(
        cluster="ecs-dev",
        serviceName="svc-dev",
        taskDefinition="app-dev:1",
        desiredCount=1,
        deploymentController={"type": controller},
    )
    return ecs


def described(ecs) -> dict:
    return ecs.describe_services(cluster="ecs-dev", services=["svc-dev"])["services"][0]


@pytest.mark.parametrize(
    ("parameter", "value", "named"),
    [
        ("taskDefinition", "app-dev:2", "task definition"),
        ("taskDefinition", "", "task definition"),  # what community.aws.ecs_service sends
        (
            "loadBalancers",
            [{"targetGroupArn": TARGET_GROUP, "containerName": "app", "containerPort": 8080}],
            "load balancers",
        ),
        ("networkConfiguration", {"awsvpcConfiguration": {"subnets": ["subnet-12345678"]}}, "network parameters"),
        ("platformVersion", "1.4.0", "platform version"),
        (
            "serviceRegistries",
            [{"registryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1"}],
            "service registries",
        ),
    ],
    ids=["task-definition", "empty-task-definition", "load-balancers", "network", "platform", "registries"],
)
def test_code_deploy_service_refuses_what_codedeploy_deploys(emulator, parameter, value, named):
    ecs = service_with_controller(emulator)
    with pytest.raises(ecs.exceptions.InvalidParameterException) as error:
        ecs.update_service(cluster="ecs-dev", service="svc-dev", desiredCount=2, **{parameter: value})
    message = error.value.response["Error"]["Message"]
    assert message.endswith(
        " on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment."
    )
    assert message.startswith(f"Unable to update {named}")
    service = described(ecs)
    assert (service["taskDefinition"].rsplit("/", 1)[1], service["desiredCount"]) == ("app-dev:1", 1)


def test_code_deploy_service_takes_what_update_service_may_change(emulator):
    ecs = service_with_controller(emulator)
    ecs.update_service(
        cluster="ecs-dev",
        service="svc-dev",
        desiredCount=3,
        deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 50},
        healthCheckGracePeriodSeconds=30,
        placementStrategy=[{"type": "spread", "field": "attribute:ecs.availability-zone"}],
        placementConstraints=[],
        enableECSManagedTags=True,
        propagateTags="SERVICE",
    )
    service = described(ecs)
    assert (service["desiredCount"], service["healthCheckGracePeriodSeconds"]) == (3, 30)
    assert service["deploymentConfiguration"]["minimumHealthyPercent"] == 50
    assert service["taskDefinition"].endswith("app-dev:1")


def test_rolling_service_still_takes_a_new_task_definition(emulator):
    ecs = service_with_controller(emulator, controller="ECS")
    ecs.update_service(cluster="ecs-dev", service="svc-dev", taskDefinition="app-dev:2")
    assert described(ecs)["taskDefinition"].endswith("app-dev:2")


def test_plain_moto_updates_a_code_deploy_service_task_definition(plain_moto):
    ecs = service_with_controller(plain_moto)
    ecs.update_service(cluster="ecs-dev", service="svc-dev", taskDefinition="app-dev:2")  # AWS refuses
    assert described(ecs)["taskDefinition"].endswith("app-dev:2")
