"""emulator/fixes/ecs_*.py: cluster capacity providers, health check grace period, awsvpc without security groups."""

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
