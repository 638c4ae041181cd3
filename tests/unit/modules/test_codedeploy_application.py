"""envmigrate.aws.codedeploy_application against the emulator: applications read back from CodeDeploy."""

from __future__ import annotations

import pytest

from ansible_collections.envmigrate.aws.plugins.modules import codedeploy_application
from tests.harness.module import run_module

MODULE = "codedeploy_application"
ARN = "arn:aws:codedeploy:us-east-1:123456789012:application:app-dev"
WANTED = {"name": "app-dev", "tags": {"Environment": "dev", "Project": "envmigrate"}}
ABSENT = {"name": "app-dev", "state": "absent"}


@pytest.fixture
def codedeploy(emulator):
    return emulator.client("codedeploy")


@pytest.fixture
def created(emulator):
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is True, result
    emulator.mark()
    return result


def described(codedeploy, name: str = "app-dev") -> dict | None:
    try:
        return codedeploy.get_application(applicationName=name)["application"]
    except codedeploy.exceptions.ApplicationDoesNotExistException:
        return None


def tags(codedeploy, arn: str = ARN) -> dict:
    return {tag["Key"]: tag["Value"] for tag in codedeploy.list_tags_for_resource(ResourceArn=arn)["Tags"]}


def operations(emulator) -> list[str]:
    return [entry["operation"] for entry in emulator.mutating_requests()]


def add_deployment_group(codedeploy, name: str = "dg-dev") -> None:
    codedeploy.create_deployment_group(
        applicationName="app-dev",
        deploymentGroupName=name,
        serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy-dev",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        ecsServices=[{"serviceName": "svc-dev", "clusterName": "ecs-dev"}],
    )


# -- create --------------------------------------------------------------------------------------


def test_creates_an_ecs_application_with_its_tags(emulator, codedeploy):
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is True
    assert operations(emulator) == ["CreateApplication"]  # the tags go with it
    application = described(codedeploy)
    assert (application["applicationName"], application["computePlatform"]) == ("app-dev", "ECS")
    assert tags(codedeploy) == {"Environment": "dev", "Project": "envmigrate"}
    assert result["application"] == {
        "application_id": application["applicationId"],
        "application_name": "app-dev",
        "compute_platform": "ECS",
        "create_time": application["createTime"].isoformat(),
        "linked_to_git_hub": False,
        "arn": ARN,
        "tags": {"Environment": "dev", "Project": "envmigrate"},
    }


def test_creates_with_the_alias_another_platform_and_no_tags(emulator, codedeploy):
    result = run_module(emulator, MODULE, {"application_name": "fn-dev", "compute_platform": "Lambda"})
    assert (result["changed"], result["application"]["compute_platform"]) == (True, "Lambda")
    assert described(codedeploy, "fn-dev")["computePlatform"] == "Lambda"
    assert result["application"]["tags"] == {} == tags(codedeploy, ARN.replace("app-dev", "fn-dev"))


def test_rerun_is_a_no_op_without_mutating_requests(emulator, created):
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is False
    assert emulator.mutating_requests() == []
    assert result["application"] == created["application"]


def test_application_created_meanwhile_is_taken_over(emulator, codedeploy):
    """ApplicationAlreadyExistsException on create: described again, and only what differs is changed."""
    codedeploy.create_application(
        applicationName="app-dev", computePlatform="ECS", tags=[{"Key": "Environment", "Value": "dev"}]
    )
    # GetApplication answers as it would have before the other creator got there.
    message = "The application app-dev does not exist with the user or AWS account."
    emulator.inject_fault("codedeploy", "GetApplication", "ApplicationDoesNotExistException", message)
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED, diff=True)
    assert result["changed"] is True
    assert operations(emulator) == ["CreateApplication", "TagResource"]
    assert tags(codedeploy) == {"Environment": "dev", "Project": "envmigrate"}
    assert result["diff"]["before"]["tags"] == {"Environment": "dev"}
    assert result["application"]["application_id"] == described(codedeploy)["applicationId"]


def test_application_already_existing_but_not_found_is_reported(emulator, codedeploy):
    message = "The application app-dev already exists with the user or AWS account."
    emulator.inject_fault("codedeploy", "CreateApplication", "ApplicationAlreadyExistsException", message)
    result = run_module(emulator, MODULE, WANTED)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to manage CodeDeploy application app-dev")
    assert result["error"]["code"] == "ApplicationAlreadyExistsException"


# -- update --------------------------------------------------------------------------------------


def test_tags_are_updated_and_purged(emulator, codedeploy, created):
    result = run_module(emulator, MODULE, dict(WANTED, tags={"Environment": "prod", "Project": "envmigrate"}))
    assert (result["changed"], operations(emulator)) == (True, ["TagResource"])
    assert result["application"]["tags"] == {"Environment": "prod", "Project": "envmigrate"} == tags(codedeploy)

    emulator.mark()
    kept = run_module(emulator, MODULE, dict(WANTED, tags={"Owner": "platform"}, purge_tags=False))
    assert kept["changed"] is True
    assert tags(codedeploy) == {"Environment": "prod", "Project": "envmigrate", "Owner": "platform"}

    emulator.mark()
    purged = run_module(emulator, MODULE, dict(WANTED, tags={"Owner": "platform"}))
    assert (purged["changed"], operations(emulator)) == (True, ["UntagResource"])
    assert tags(codedeploy) == {"Owner": "platform"} == purged["application"]["tags"]

    emulator.mark()
    assert run_module(emulator, MODULE, {"name": "app-dev"})["changed"] is False  # tags unset: left alone
    assert run_module(emulator, MODULE, dict(WANTED, tags={}))["changed"] is True
    assert operations(emulator) == ["UntagResource"]
    assert tags(codedeploy) == {}


def test_another_compute_platform_is_refused_before_any_change(emulator, codedeploy):
    codedeploy.create_application(applicationName="app-dev", computePlatform="Server")
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED)  # compute_platform defaults to ECS
    assert result["failed"] is True
    assert "exists with compute platform Server, not ECS; AWS cannot change it" in result["msg"]
    assert emulator.mutating_requests() == []
    assert described(codedeploy)["computePlatform"] == "Server"
    assert tags(codedeploy) == {}
    assert run_module(emulator, MODULE, dict(WANTED, compute_platform="Server"))["changed"] is True


# -- delete --------------------------------------------------------------------------------------


def test_delete_and_delete_again(emulator, codedeploy, created):
    result = run_module(emulator, MODULE, ABSENT, diff=True)
    assert (result["changed"], result["application"]) == (True, {})
    assert operations(emulator) == ["DeleteApplication"]
    assert described(codedeploy) is None
    assert result["diff"] == {
        "before": {"application_name": "app-dev", "compute_platform": "ECS", "tags": WANTED["tags"]},
        "after": {},
    }
    emulator.mark()
    again = run_module(emulator, MODULE, ABSENT)
    assert again == {"failed": False, "changed": False, "application": {}, "diff": {"before": {}, "after": {}}}
    assert emulator.mutating_requests() == []


def test_delete_removes_the_deployment_groups(emulator, codedeploy, created):
    add_deployment_group(codedeploy)
    add_deployment_group(codedeploy, "dg-canary")
    assert run_module(emulator, MODULE, ABSENT)["changed"] is True
    assert codedeploy.list_applications()["applications"] == []
    with pytest.raises(codedeploy.exceptions.ApplicationDoesNotExistException):
        codedeploy.get_deployment_group(applicationName="app-dev", deploymentGroupName="dg-dev")
    # A new application of the same name starts without groups or the old tags.
    assert run_module(emulator, MODULE, {"name": "app-dev"})["changed"] is True
    assert codedeploy.list_deployment_groups(applicationName="app-dev")["deploymentGroups"] == []
    assert tags(codedeploy) == {}


# -- check mode and diff -------------------------------------------------------------------------


def test_check_mode_create_sends_nothing(emulator, codedeploy):
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED, check_mode=True)
    assert result["changed"] is True
    assert emulator.mutating_requests() == []
    assert described(codedeploy) is None
    assert result["application"] == {
        "application_name": "app-dev",
        "compute_platform": "ECS",
        "tags": WANTED["tags"],
        "arn": ARN,
    }


def test_check_mode_update_and_delete_send_nothing(emulator, codedeploy, created):
    result = run_module(emulator, MODULE, dict(WANTED, tags={"Owner": "platform"}), check_mode=True)
    assert (result["changed"], result["application"]["tags"]) == (True, {"Owner": "platform"})
    assert run_module(emulator, MODULE, ABSENT, check_mode=True)["changed"] is True
    assert emulator.mutating_requests() == []
    assert described(codedeploy) is not None
    assert tags(codedeploy) == WANTED["tags"]


def test_diff_shows_before_and_after(emulator):
    diff = run_module(emulator, MODULE, WANTED, diff=True)["diff"]
    assert diff == {
        "before": {},
        "after": {"application_name": "app-dev", "compute_platform": "ECS", "tags": WANTED["tags"]},
    }
    retagged = dict(WANTED, tags={"Environment": "prod"})
    diff = run_module(emulator, MODULE, retagged, check_mode=True, diff=True)["diff"]
    assert diff["before"] == dict(diff["after"], tags=WANTED["tags"])
    assert diff["after"]["tags"] == {"Environment": "prod"}
    diff = run_module(emulator, MODULE, WANTED, diff=True)["diff"]
    assert diff["before"] == diff["after"]


# -- refusals and AWS errors ---------------------------------------------------------------------


def test_access_denied_is_reported(emulator):
    emulator.mark()
    emulator.inject_fault("codedeploy", "GetApplication", "AccessDeniedException", "User is not authorized", 400)
    result = run_module(emulator, MODULE, WANTED)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to manage CodeDeploy application app-dev")
    assert result["error"]["code"] == "AccessDeniedException"
    assert emulator.mutating_requests() == []


def test_invalid_compute_platform_answer_is_reported(emulator, codedeploy):
    message = "The computePlatform is invalid. The computePlatform should be Lambda, Server, or ECS."
    emulator.inject_fault("codedeploy", "CreateApplication", "InvalidComputePlatformException", message)
    result = run_module(emulator, MODULE, WANTED)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to manage CodeDeploy application app-dev")
    assert result["error"]["code"] == "InvalidComputePlatformException"
    assert described(codedeploy) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "name must be 1 to 100 characters long (got 0)"),
        ("a" * 101, "name must be 1 to 100 characters long (got 101)"),
        ("app dev/1", "has characters CodeDeploy refuses (' ' '/')"),
        ("app:dev", "has characters CodeDeploy refuses (':')"),
    ],
)
def test_bad_name_is_refused_before_any_request(emulator, name, message):
    emulator.mark()
    result = run_module(emulator, MODULE, {"name": name})
    assert result["failed"] is True
    assert message in result["msg"]
    assert emulator.journal() == []


@pytest.mark.parametrize("name", ["a", "a" * 100, "App_1.dev-2+x=y,z@w"])
def test_names_codedeploy_accepts(name):
    assert codedeploy_application.name_problem(name) is None


def test_unknown_compute_platform_is_refused_before_any_request(emulator):
    emulator.mark()
    result = run_module(emulator, MODULE, dict(WANTED, compute_platform="Kubernetes"))
    assert result["failed"] is True and "value of compute_platform must be one of" in result["msg"]
    assert emulator.journal() == []


def test_throttling_is_retried_by_the_module(emulator, codedeploy, monkeypatch):
    """AWSRetry does not know CodeDeploy's ThrottlingException unless told; botocore gives up at once here."""
    from ansible_collections.amazon.aws.plugins.module_utils import cloud

    monkeypatch.setattr(cloud.time, "sleep", lambda seconds: None)
    emulator.inject_fault("codedeploy", "CreateApplication", "ThrottlingException", "Rate exceeded", count=2)
    emulator.mark()
    result = run_module(emulator, MODULE, dict(WANTED, aws_config={"retries": {"max_attempts": 1}}))
    assert result["changed"] is True
    assert operations(emulator) == ["CreateApplication"] * 3
    assert described(codedeploy)["computePlatform"] == "ECS"
