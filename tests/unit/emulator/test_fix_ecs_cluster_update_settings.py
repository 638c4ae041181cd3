"""emulator/fixes/ecs_cluster_update_settings.py: UpdateClusterSettings (Container Insights)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def insights(ecs, name: str = "ecs-dev") -> list[dict]:
    return ecs.describe_clusters(clusters=[name], include=["SETTINGS"])["clusters"][0]["settings"]


@pytest.mark.parametrize("value", ["enhanced", "disabled", "enabled"])
def test_update_cluster_settings_changes_container_insights(emulator, value):
    ecs = emulator.client("ecs")
    ecs.create_cluster(clusterName="ecs-dev", settings=[{"name": "containerInsights", "value": "enabled"}])
    answer = ecs.update_cluster_settings(cluster="ecs-dev", settings=[{"name": "containerInsights", "value": value}])
    assert answer["cluster"]["clusterName"] == "ecs-dev"
    assert answer["cluster"]["settings"] == [{"name": "containerInsights", "value": value}]
    assert insights(ecs) == [{"name": "containerInsights", "value": value}]


def test_update_cluster_settings_by_arn(emulator):
    ecs = emulator.client("ecs")
    arn = ecs.create_cluster(clusterName="ecs-dev")["cluster"]["clusterArn"]
    ecs.update_cluster_settings(cluster=arn, settings=[{"name": "containerInsights", "value": "enabled"}])
    assert insights(ecs) == [{"name": "containerInsights", "value": "enabled"}]


def test_unknown_or_deleted_cluster_is_not_found(emulator):
    ecs = emulator.client("ecs")
    settings = [{"name": "containerInsights", "value": "enabled"}]
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.update_cluster_settings(cluster="missing", settings=settings)
    ecs.create_cluster(clusterName="ecs-dev")
    ecs.delete_cluster(cluster="ecs-dev")
    with pytest.raises(ecs.exceptions.ClusterNotFoundException):
        ecs.update_cluster_settings(cluster="ecs-dev", settings=settings)


def test_another_value_is_invalid(emulator):
    ecs = emulator.client("ecs")
    ecs.create_cluster(clusterName="ecs-dev")
    with pytest.raises(ecs.exceptions.InvalidParameterException):
        ecs.update_cluster_settings(cluster="ecs-dev", settings=[{"name": "containerInsights", "value": "on"}])
    assert insights(ecs) == [{"name": "containerInsights", "value": "disabled"}]


def test_plain_moto_answers_500(plain_moto):
    ecs = plain_moto.client("ecs", retries={"max_attempts": 1})
    ecs.create_cluster(clusterName="ecs-dev")
    with pytest.raises(ClientError) as error:
        ecs.update_cluster_settings(cluster="ecs-dev", settings=[{"name": "containerInsights", "value": "enabled"}])
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
