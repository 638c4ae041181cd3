"""envmigrate.aws.ecs_cluster against the emulator: clusters read back from ECS."""

from __future__ import annotations

import pytest

from ansible_collections.envmigrate.aws.plugins.modules import ecs_cluster
from tests.harness.module import run_module

MODULE = "ecs_cluster"
ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/ecs-dev"
TAGS = {"Environment": "dev", "Project": "envmigrate"}
WANTED = {"name": "ecs-dev", "tags": TAGS}
ABSENT = {"name": "ecs-dev", "state": "absent"}
# botocore retries nothing itself, so the module's AWSRetry is what retries.
NO_BOTOCORE_RETRIES = {"aws_config": {"retries": {"max_attempts": 1}}}


@pytest.fixture
def ecs(emulator):
    return emulator.client("ecs")


@pytest.fixture
def created(emulator):
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is True, result
    emulator.mark()
    return result


def described(ecs, name: str = "ecs-dev") -> dict | None:
    clusters = ecs.describe_clusters(clusters=[name], include=["SETTINGS", "TAGS"])["clusters"]
    return clusters[0] if clusters else None


def insights(ecs) -> str:
    (setting,) = [s for s in described(ecs)["settings"] if s["name"] == "containerInsights"]
    return setting["value"]


def tags(ecs, arn: str = ARN) -> dict:
    # moto leaves ``tags`` out for a cluster created without tags, where AWS answers [].
    return {tag["key"]: tag["value"] for tag in ecs.list_tags_for_resource(resourceArn=arn).get("tags", [])}


def operations(emulator) -> list[str]:
    return [entry["operation"] for entry in emulator.mutating_requests()]


def add_service(ecs, name: str = "svc-dev") -> None:
    ecs.register_task_definition(family="app-dev", containerDefinitions=[{"name": "a", "image": "app", "memory": 128}])
    ecs.create_service(cluster="ecs-dev", serviceName=name, taskDefinition="app-dev", desiredCount=0)


# -- create --------------------------------------------------------------------------------------


def test_creates_a_cluster_with_container_insights_and_tags(emulator, ecs):
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is True
    assert operations(emulator) == ["CreateCluster"]  # settings and tags go with it
    cluster = described(ecs)
    assert (cluster["clusterName"], cluster["status"]) == ("ecs-dev", "ACTIVE")
    assert insights(ecs) == "enabled"  # the default
    assert tags(ecs) == TAGS
    assert result["cluster"] == {
        "cluster_name": "ecs-dev",
        "cluster_arn": ARN,
        "status": "ACTIVE",
        "settings": {"container_insights": "enabled"},
        "tags": TAGS,
        "active_services_count": 0,
        "running_tasks_count": 0,
    }


def test_creates_with_the_alias_enhanced_insights_and_no_tags(emulator, ecs):
    result = run_module(emulator, MODULE, {"cluster_name": "ecs_batch-2", "container_insights": "enhanced"})
    assert result["changed"] is True
    assert result["cluster"]["settings"] == {"container_insights": "enhanced"}
    cluster = described(ecs, "ecs_batch-2")
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    assert result["cluster"]["tags"] == {} == tags(ecs, cluster["clusterArn"])


def test_rerun_is_a_no_op_without_mutating_requests(emulator, created):
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is False
    assert emulator.mutating_requests() == []
    assert result["cluster"] == created["cluster"]


def test_inactive_cluster_counts_as_absent_and_is_reactivated(emulator, ecs, created):
    ecs.delete_cluster(cluster="ecs-dev")
    assert described(ecs)["status"] == "INACTIVE"
    emulator.mark()
    assert run_module(emulator, MODULE, ABSENT)["changed"] is False  # already gone
    assert emulator.mutating_requests() == []

    result = run_module(emulator, MODULE, dict(WANTED, container_insights="disabled"), diff=True)
    assert (result["changed"], result["diff"]["before"]) == (True, {})
    assert operations(emulator) == ["CreateCluster"]
    assert (described(ecs)["status"], insights(ecs), tags(ecs)) == ("ACTIVE", "disabled", TAGS)
    assert result["cluster"]["cluster_arn"] == ARN


# -- update --------------------------------------------------------------------------------------


def test_container_insights_is_changed_in_place(emulator, ecs, created):
    result = run_module(emulator, MODULE, dict(WANTED, container_insights="enhanced"))
    assert (result["changed"], operations(emulator)) == (True, ["UpdateClusterSettings"])
    assert insights(ecs) == "enhanced" == result["cluster"]["settings"]["container_insights"]
    assert tags(ecs) == TAGS

    emulator.mark()
    result = run_module(emulator, MODULE, {"name": "ecs-dev", "container_insights": "disabled"})
    assert (result["changed"], operations(emulator)) == (True, ["UpdateClusterSettings"])
    assert insights(ecs) == "disabled"
    assert tags(ecs) == TAGS  # tags unset: left alone

    emulator.mark()
    assert run_module(emulator, MODULE, {"name": "ecs-dev", "container_insights": "disabled"})["changed"] is False
    assert emulator.mutating_requests() == []


def test_tags_are_updated_and_purged(emulator, ecs, created):
    result = run_module(emulator, MODULE, dict(WANTED, tags={"Environment": "prod", "Project": "envmigrate"}))
    assert (result["changed"], operations(emulator)) == (True, ["TagResource"])
    assert result["cluster"]["tags"] == {"Environment": "prod", "Project": "envmigrate"} == tags(ecs)

    emulator.mark()
    kept = run_module(emulator, MODULE, dict(WANTED, tags={"Owner": "platform"}, purge_tags=False))
    assert (kept["changed"], operations(emulator)) == (True, ["TagResource"])
    assert tags(ecs) == {"Environment": "prod", "Project": "envmigrate", "Owner": "platform"}

    emulator.mark()
    purged = run_module(emulator, MODULE, dict(WANTED, tags={"Owner": "platform"}))
    assert (purged["changed"], operations(emulator)) == (True, ["UntagResource"])
    assert tags(ecs) == {"Owner": "platform"} == purged["cluster"]["tags"]

    emulator.mark()
    assert run_module(emulator, MODULE, {"name": "ecs-dev"})["changed"] is False  # tags unset: left alone
    assert run_module(emulator, MODULE, dict(WANTED, tags={}))["changed"] is True
    assert operations(emulator) == ["UntagResource"]
    assert tags(ecs) == {}


def test_a_cluster_without_the_setting_counts_as_disabled(emulator, ecs):
    ecs.create_cluster(clusterName="ecs-dev", settings=[])
    emulator.mark()
    assert run_module(emulator, MODULE, {"name": "ecs-dev", "container_insights": "disabled"})["changed"] is False
    result = run_module(emulator, MODULE, {"name": "ecs-dev"})
    assert (result["changed"], operations(emulator)) == (True, ["UpdateClusterSettings"])
    assert insights(ecs) == "enabled"


# -- delete --------------------------------------------------------------------------------------


def test_delete_and_delete_again(emulator, ecs, created):
    result = run_module(emulator, MODULE, ABSENT, diff=True)
    assert (result["changed"], result["cluster"]) == (True, {})
    assert operations(emulator) == ["DeleteCluster"]
    assert described(ecs)["status"] == "INACTIVE"
    assert result["diff"] == {
        "before": {"cluster_name": "ecs-dev", "container_insights": "enabled", "tags": TAGS},
        "after": {},
    }
    emulator.mark()
    again = run_module(emulator, MODULE, ABSENT)
    assert again == {"failed": False, "changed": False, "cluster": {}, "diff": {"before": {}, "after": {}}}
    assert emulator.mutating_requests() == []
    never = run_module(emulator, MODULE, {"name": "never-made", "state": "absent"})
    assert never["changed"] is False
    assert emulator.mutating_requests() == []


def test_delete_is_refused_while_a_service_exists(emulator, ecs, created):
    add_service(ecs)
    assert run_module(emulator, MODULE, WANTED)["cluster"]["active_services_count"] == 1
    result = run_module(emulator, MODULE, ABSENT)
    assert result["failed"] is True
    assert result["msg"].startswith("ECS cluster ecs-dev cannot be deleted: it still has ACTIVE services; ")
    assert "delete the services first" in result["msg"]
    assert result["error"]["code"] == "ClusterContainsServicesException"
    cluster = described(ecs)
    assert (cluster["status"], cluster["activeServicesCount"]) == ("ACTIVE", 1)
    assert tags(ecs) == TAGS

    ecs.delete_service(cluster="ecs-dev", service="svc-dev")
    assert run_module(emulator, MODULE, ABSENT)["changed"] is True
    assert described(ecs)["status"] == "INACTIVE"


def test_delete_refused_for_running_tasks_names_them(emulator, ecs, created):
    message = "The Cluster cannot be deleted while Tasks are active."
    emulator.inject_fault("ecs", "DeleteCluster", "ClusterContainsTasksException", message)
    result = run_module(emulator, MODULE, ABSENT)
    assert result["failed"] is True
    assert "it still has tasks that have not stopped; stop the tasks first" in result["msg"]
    assert described(ecs)["status"] == "ACTIVE"


def test_delete_waits_until_the_cluster_is_inactive(emulator, ecs, created, monkeypatch):
    monkeypatch.setattr(ecs_cluster, "WAIT_DELAY", 0)
    # DeleteCluster answers DEPROVISIONING on AWS when capacity providers are being removed.
    waits = []
    real = ecs_cluster.Cluster.delete

    def deprovisioning(self, arn):
        real(self, arn)
        waits.append(arn)
        return "DEPROVISIONING"

    monkeypatch.setattr(ecs_cluster.Cluster, "delete", deprovisioning)
    result = run_module(emulator, MODULE, ABSENT)
    assert (result["changed"], waits) == (True, [ARN])
    describes = [e["operation"] for e in emulator.journal() if e["operation"] == "DescribeClusters"]
    assert len(describes) == 2  # before the delete, then one wait that finds it INACTIVE


# -- check mode and diff -------------------------------------------------------------------------


def test_check_mode_create_sends_nothing(emulator, ecs):
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED, check_mode=True)
    assert result["changed"] is True
    assert emulator.mutating_requests() == []
    assert described(ecs) is None
    assert result["cluster"] == {
        "cluster_name": "ecs-dev",
        "settings": {"container_insights": "enabled"},
        "tags": TAGS,
    }


def test_check_mode_update_and_delete_send_nothing(emulator, ecs, created):
    changes = dict(WANTED, container_insights="disabled", tags={"Owner": "platform"})
    result = run_module(emulator, MODULE, changes, check_mode=True)
    assert result["changed"] is True
    assert result["cluster"]["tags"] == {"Owner": "platform"}
    assert result["cluster"]["settings"] == {"container_insights": "disabled"}
    assert run_module(emulator, MODULE, ABSENT, check_mode=True)["changed"] is True
    assert emulator.mutating_requests() == []
    assert (described(ecs)["status"], insights(ecs), tags(ecs)) == ("ACTIVE", "enabled", TAGS)


def test_diff_shows_before_and_after(emulator):
    diff = run_module(emulator, MODULE, WANTED, diff=True)["diff"]
    assert diff == {
        "before": {},
        "after": {"cluster_name": "ecs-dev", "container_insights": "enabled", "tags": TAGS},
    }
    changed = dict(WANTED, container_insights="enhanced", tags={"Environment": "prod"})
    diff = run_module(emulator, MODULE, changed, check_mode=True, diff=True)["diff"]
    assert diff["before"] == {"cluster_name": "ecs-dev", "container_insights": "enabled", "tags": TAGS}
    assert diff["after"] == {
        "cluster_name": "ecs-dev",
        "container_insights": "enhanced",
        "tags": {"Environment": "prod"},
    }
    diff = run_module(emulator, MODULE, WANTED, diff=True)["diff"]
    assert diff["before"] == diff["after"]


# -- refusals and AWS errors ---------------------------------------------------------------------


def test_access_denied_is_reported(emulator, ecs):
    emulator.mark()
    emulator.inject_fault("ecs", "DescribeClusters", "AccessDeniedException", "User is not authorized", 400)
    result = run_module(emulator, MODULE, WANTED)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to manage ECS cluster ecs-dev")
    assert result["error"]["code"] == "AccessDeniedException"
    assert emulator.mutating_requests() == []
    assert described(ecs) is None


def test_access_denied_on_update_is_reported(emulator, ecs, created):
    emulator.inject_fault("ecs", "UpdateClusterSettings", "AccessDeniedException", "User is not authorized", 400)
    result = run_module(emulator, MODULE, dict(WANTED, container_insights="disabled"))
    assert result["failed"] is True
    assert result["error"]["code"] == "AccessDeniedException"
    assert insights(ecs) == "enabled"


def test_throttling_is_retried(emulator, ecs):
    emulator.inject_fault("ecs", "DescribeClusters", "ThrottlingException", "Rate exceeded", 400, count=1)
    emulator.inject_fault("ecs", "CreateCluster", "ThrottlingException", "Rate exceeded", 400, count=1)
    result = run_module(emulator, MODULE, dict(WANTED, **NO_BOTOCORE_RETRIES))
    assert result["changed"] is True, result
    calls = [(e["operation"], e.get("error")) for e in emulator.journal()]
    assert calls[:4] == [
        ("DescribeClusters", "ThrottlingException"),
        ("DescribeClusters", None),
        ("CreateCluster", "ThrottlingException"),
        ("CreateCluster", None),
    ]
    assert (described(ecs)["status"], tags(ecs)) == ("ACTIVE", TAGS)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "name must be 1 to 255 characters long (got 0)"),
        ("a" * 256, "name must be 1 to 255 characters long (got 256)"),
        ("ecs dev/1", "has characters ECS refuses (' ' '/')"),
        ("ecs.dev:1", "has characters ECS refuses ('.' ':')"),
    ],
)
def test_bad_name_is_refused_before_any_request(emulator, name, message):
    emulator.mark()
    result = run_module(emulator, MODULE, {"name": name})
    assert result["failed"] is True
    assert message in result["msg"]
    assert emulator.journal() == []


@pytest.mark.parametrize("name", ["a", "a" * 255, "Ecs_cluster-2"])
def test_names_ecs_accepts(name):
    assert ecs_cluster.name_problem(name) is None


def test_unknown_container_insights_is_refused_before_any_request(emulator):
    emulator.mark()
    result = run_module(emulator, MODULE, dict(WANTED, container_insights="on"))
    assert result["failed"] is True and "value of container_insights must be one of" in result["msg"]
    assert emulator.journal() == []
