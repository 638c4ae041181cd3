"""envmigrate.aws.ecs_taskdefinition_image against the emulator: revisions read back from ECS."""

from __future__ import annotations

import pytest

from tests.harness.module import run_module

MODULE = "ecs_taskdefinition_image"
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
BASE_IMAGE = f"{ECR}/ecr-public-dev/nginx/nginx:1.27-alpine"
NEW_IMAGE = f"{ECR}/ecr-app-dev:1.4.2"


@pytest.fixture
def ecs(emulator):
    return emulator.client("ecs")


@pytest.fixture
def base(emulator, ecs):
    """Revision 1 of app-dev: the placeholder with a command, a sidecar, labels, tags."""
    ecs.register_task_definition(
        family="app-dev",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        executionRoleArn="arn:aws:iam::123456789012:role/ecs-execution-dev",
        taskRoleArn="arn:aws:iam::123456789012:role/ecs-task-dev",
        containerDefinitions=[
            {
                "name": "app",
                "image": BASE_IMAGE,
                "essential": True,
                "command": ["/bin/sh", "-c", "exec nginx"],
                "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                "dockerLabels": {"com.example.camelCase": "kept as is"},
                "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app-dev"}},
            },
            {"name": "sidecar", "image": f"{ECR}/ecr-app-dev:sidecar-1", "essential": False, "memory": 64},
        ],
        tags=[{"key": "Environment", "value": "dev"}],
    )
    emulator.mark()
    return "app-dev:1"


def revision(ecs, name: str) -> dict:
    answer = ecs.describe_task_definition(taskDefinition=name, include=["TAGS"])
    return dict(answer["taskDefinition"], tags=answer.get("tags", []))


def container(definition: dict, name: str = "app") -> dict:
    return next(c for c in definition["containerDefinitions"] if c["name"] == name)


def test_registers_a_copy_with_the_new_image(emulator, ecs, base):
    result = run_module(emulator, MODULE, {"base": base, "container_name": "app", "image": NEW_IMAGE, "command": []})
    assert result["changed"] is True
    assert result["task_definition_arn"].endswith(":task-definition/app-dev:2") and result["revision"] == 2
    new, old = revision(ecs, "app-dev:2"), revision(ecs, "app-dev:1")
    assert container(new)["image"] == NEW_IMAGE and "command" not in container(new)
    assert container(new)["dockerLabels"] == {"com.example.camelCase": "kept as is"}
    assert container(new, "sidecar") == container(old, "sidecar")
    for key in ("cpu", "memory", "networkMode", "requiresCompatibilities", "executionRoleArn", "taskRoleArn"):
        assert new[key] == old[key], key
    assert new["tags"] == [{"key": "Environment", "value": "dev"}]
    assert [e["operation"] for e in emulator.mutating_requests()] == ["RegisterTaskDefinition"]


def test_the_command_is_kept_unless_given(emulator, ecs, base):
    run_module(emulator, MODULE, {"base": base, "container_name": "app", "image": NEW_IMAGE})
    assert container(revision(ecs, "app-dev:2"))["command"] == ["/bin/sh", "-c", "exec nginx"]
    run_module(emulator, MODULE, {"base": "app-dev:2", "container_name": "app", "image": NEW_IMAGE, "command": ["x"]})
    assert container(revision(ecs, "app-dev:3"))["command"] == ["x"]


def test_rerun_is_a_no_op(emulator, ecs, base):
    args = {"base": base, "container_name": "app", "image": NEW_IMAGE, "command": []}
    first = run_module(emulator, MODULE, args)
    emulator.mark()
    again = run_module(emulator, MODULE, args)
    assert again["changed"] is False and again["task_definition_arn"] == first["task_definition_arn"]
    assert emulator.mutating_requests() == []


def test_a_family_as_base_copies_its_latest_active_revision(emulator, ecs, base):
    run_module(emulator, MODULE, {"base": base, "container_name": "app", "image": NEW_IMAGE})
    result = run_module(emulator, MODULE, {"base": "app-dev", "container_name": "app", "image": f"{ECR}/ecr-app-dev:2"})
    assert result["base_arn"].endswith("app-dev:2") and result["revision"] == 3


def test_check_mode_registers_nothing(emulator, ecs, base):
    result = run_module(emulator, MODULE, {"base": base, "container_name": "app", "image": NEW_IMAGE}, check_mode=True)
    assert result["changed"] is True and "task_definition_arn" not in result
    assert container({"containerDefinitions": result["container_definitions"]})["image"] == NEW_IMAGE
    assert emulator.mutating_requests() == []
    assert ecs.list_task_definitions(familyPrefix="app-dev")["taskDefinitionArns"][-1].endswith("app-dev:1")


def test_unknown_container_is_refused_before_any_change(emulator, base):
    result = run_module(emulator, MODULE, {"base": base, "container_name": "web", "image": NEW_IMAGE})
    assert result["failed"] is True
    assert result["msg"].endswith("has no container web (it has app, sidecar)")
    assert emulator.mutating_requests() == []


def test_unknown_base_is_refused(emulator):
    result = run_module(emulator, MODULE, {"base": "nothing-dev", "container_name": "app", "image": NEW_IMAGE})
    assert result["failed"] is True and "nothing-dev does not exist" in result["msg"]


def test_access_denied_is_reported(emulator, base):
    emulator.inject_fault("ecs", "RegisterTaskDefinition", "AccessDeniedException", "not allowed: ecs:Register")
    result = run_module(emulator, MODULE, {"base": base, "container_name": "app", "image": NEW_IMAGE})
    assert result["failed"] is True
    assert result["msg"].startswith("Could not copy task definition app-dev:1 with image")
    assert result["error"]["code"] == "AccessDeniedException"


def test_throttling_is_retried(emulator, ecs, base):
    emulator.inject_fault("ecs", "RegisterTaskDefinition", "ThrottlingException", "Rate exceeded", 400, count=2)
    result = run_module(emulator, MODULE, {"base": base, "container_name": "app", "image": NEW_IMAGE})
    assert result["changed"] is True and result["revision"] == 2
