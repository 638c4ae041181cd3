"""emulator/fixes/ecs_cluster_delete_in_use.py: no DeleteCluster while services or tasks are active."""

from __future__ import annotations


def cluster_with_service(session, desired_count: int = 0):
    ecs = session.client("ecs")
    ecs.create_cluster(clusterName="ecs-dev")
    ecs.register_task_definition(family="app-dev", containerDefinitions=[{"name": "a", "image": "app", "memory": 128}])
    ecs.create_service(cluster="ecs-dev", serviceName="svc-dev", taskDefinition="app-dev", desiredCount=desired_count)
    return ecs


def described(ecs) -> dict:
    return ecs.describe_clusters(clusters=["ecs-dev"])["clusters"][0]


def test_active_services_are_counted(emulator):
    ecs = cluster_with_service(emulator)
    ecs.create_service(cluster="ecs-dev", serviceName="svc-2", taskDefinition="app-dev", desiredCount=0)
    assert described(ecs)["activeServicesCount"] == 2
    ecs.delete_service(cluster="ecs-dev", service="svc-2")
    assert described(ecs)["activeServicesCount"] == 1


def test_cluster_with_an_active_service_is_not_deleted(emulator):
    ecs = cluster_with_service(emulator)
    try:
        ecs.delete_cluster(cluster="ecs-dev")
    except ecs.exceptions.ClusterContainsServicesException as error:
        assert error.response["Error"]["Message"] == "The Cluster cannot be deleted while Services are active."
    else:
        raise AssertionError("DeleteCluster succeeded with an active service")
    assert described(ecs)["status"] == "ACTIVE"
    ecs.delete_service(cluster="ecs-dev", service="svc-dev")
    assert ecs.delete_cluster(cluster="ecs-dev")["cluster"]["status"] == "INACTIVE"


def test_cluster_with_a_task_is_not_deleted_until_it_is_stopped(emulator):
    ecs = emulator.client("ecs")
    ec2 = emulator.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.60.1.0/24")["Subnet"]["SubnetId"]
    ecs.create_cluster(clusterName="ecs-dev")
    ecs.register_task_definition(
        family="job-dev",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "job", "image": "job:v1", "essential": True, "memory": 256}],
    )
    network = {"awsvpcConfiguration": {"subnets": [subnet_id], "securityGroups": []}}
    task = ecs.run_task(cluster="ecs-dev", taskDefinition="job-dev", launchType="FARGATE", networkConfiguration=network)
    task_arn = task["tasks"][0]["taskArn"]
    try:
        ecs.delete_cluster(cluster="ecs-dev")
    except ecs.exceptions.ClusterContainsTasksException as error:
        assert error.response["Error"]["Message"] == "The Cluster cannot be deleted while Tasks are active."
    else:
        raise AssertionError("DeleteCluster succeeded with a running task")
    ecs.stop_task(cluster="ecs-dev", task=task_arn)
    assert ecs.delete_cluster(cluster="ecs-dev")["cluster"]["status"] == "INACTIVE"


def test_empty_cluster_is_deleted_and_unknown_is_not_found(emulator):
    ecs = emulator.client("ecs")
    ecs.create_cluster(clusterName="ecs-dev")
    assert ecs.delete_cluster(cluster="ecs-dev")["cluster"]["status"] == "INACTIVE"
    try:
        ecs.delete_cluster(cluster="missing")
    except ecs.exceptions.ClusterNotFoundException:
        pass
    else:
        raise AssertionError("DeleteCluster of an unknown cluster succeeded")


def test_plain_moto_deletes_a_cluster_with_a_service_and_counts_none(plain_moto):
    ecs = cluster_with_service(plain_moto)
    assert described(ecs)["activeServicesCount"] == 0
    assert ecs.delete_cluster(cluster="ecs-dev")["cluster"]["status"] == "INACTIVE"
