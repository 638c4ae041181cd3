"""envmigrate.aws.ecr_pull_through_cache_rule against the emulator: rules read back from ECR."""

from __future__ import annotations

import json

import pytest

from ansible_collections.envmigrate.aws.plugins.modules import ecr_pull_through_cache_rule
from tests.harness.module import run_module

MODULE = "ecr_pull_through_cache_rule"
ACCOUNT = "123456789012"
WANTED = {"ecr_repository_prefix": "ecr-public", "upstream_registry_url": "public.ecr.aws"}
ABSENT = {"ecr_repository_prefix": "ecr-public", "state": "absent"}
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"})


@pytest.fixture
def ecr(emulator):
    return emulator.client("ecr")


@pytest.fixture
def created(emulator):
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is True, result
    emulator.mark()
    return result


def rules(ecr) -> dict[str, dict]:
    return {
        rule["ecrRepositoryPrefix"]: rule for rule in ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    }


def repositories(ecr) -> list[str]:
    return sorted(r["repositoryName"] for r in ecr.describe_repositories()["repositories"])


def operations(emulator) -> list[str]:
    return [entry["operation"] for entry in emulator.mutating_requests()]


def secret(emulator, name: str) -> str:
    return emulator.client("secretsmanager").create_secret(Name=name, SecretString="{}")["ARN"]


# -- create --------------------------------------------------------------------------------------


def test_creates_an_ecr_public_rule(emulator, ecr):
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED, diff=True)
    assert result["changed"] is True
    assert operations(emulator) == ["CreatePullThroughCacheRule"]
    rule = rules(ecr)["ecr-public"]
    assert (rule["upstreamRegistryUrl"], rule["upstreamRegistry"], rule["registryId"]) == (
        "public.ecr.aws",
        "ecr-public",
        ACCOUNT,
    )
    assert result["rule"] == {
        "ecr_repository_prefix": "ecr-public",
        "upstream_registry_url": "public.ecr.aws",
        "upstream_registry": "ecr-public",
        "registry_id": ACCOUNT,
        "created_at": rule["createdAt"].isoformat(),
        "updated_at": rule["updatedAt"].isoformat(),
    }
    assert result["diff"] == {
        "before": {},
        "after": {
            "ecr_repository_prefix": "ecr-public",
            "upstream_registry_url": "public.ecr.aws",
            "upstream_registry": "ecr-public",
        },
    }


def test_creates_with_the_alias_the_registry_name_and_a_credential(emulator, ecr):
    arn = secret(emulator, "ecr-pullthroughcache/docker-hub")
    args = {
        "prefix": "docker-hub",
        "upstream_registry_url": "registry-1.docker.io",
        "upstream_registry": "docker-hub",
        "credential_arn": arn,
    }
    result = run_module(emulator, MODULE, args)
    assert (result["changed"], result["rule"]["credential_arn"]) == (True, arn)
    assert rules(ecr)["docker-hub"]["credentialArn"] == arn


def test_rerun_is_a_no_op_without_mutating_requests(emulator, created):
    result = run_module(emulator, MODULE, WANTED, diff=True)
    assert result["changed"] is False
    assert emulator.mutating_requests() == []
    assert result["rule"] == created["rule"]
    assert result["diff"]["before"] == result["diff"]["after"]
    # A trailing slash names the same rule.
    assert run_module(emulator, MODULE, dict(WANTED, ecr_repository_prefix="ecr-public/"))["changed"] is False
    assert emulator.mutating_requests() == []


def test_rule_created_meanwhile_is_taken_over(emulator, ecr):
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", upstreamRegistryUrl="public.ecr.aws")
    message = f"The pull through cache rule with prefix 'ecr-public' does not exist in the registry with id '{ACCOUNT}'"
    emulator.inject_fault("ecr", "DescribePullThroughCacheRules", "PullThroughCacheRuleNotFoundException", message)
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is False
    assert operations(emulator) == ["CreatePullThroughCacheRule"]  # refused: it exists
    assert result["rule"]["ecr_repository_prefix"] == "ecr-public"


# -- update --------------------------------------------------------------------------------------


def test_credential_is_updated_in_place(emulator, ecr):
    first = secret(emulator, "ecr-pullthroughcache/ghcr-one")
    second = secret(emulator, "ecr-pullthroughcache/ghcr-two")
    args = {"ecr_repository_prefix": "ghcr", "upstream_registry_url": "ghcr.io", "credential_arn": first}
    assert run_module(emulator, MODULE, args)["changed"] is True
    created_at = rules(ecr)["ghcr"]["createdAt"]

    emulator.mark()
    result = run_module(emulator, MODULE, dict(args, credential_arn=second), diff=True)
    assert result["changed"] is True
    assert operations(emulator) == ["UpdatePullThroughCacheRule"]
    rule = rules(ecr)["ghcr"]
    assert (rule["credentialArn"], rule["createdAt"]) == (second, created_at)
    assert result["rule"]["credential_arn"] == second
    assert (result["diff"]["before"]["credential_arn"], result["diff"]["after"]["credential_arn"]) == (first, second)

    emulator.mark()
    unset = {k: v for k, v in args.items() if k != "credential_arn"}
    assert run_module(emulator, MODULE, unset)["changed"] is False  # left as it is
    assert emulator.mutating_requests() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"upstream_registry_url": "quay.io"}, "exists with upstream_registry_url public.ecr.aws, not quay.io"),
        ({"upstream_registry": "k8s"}, "exists with upstream_registry ecr-public, not k8s"),
    ],
)
def test_another_upstream_is_refused_before_any_change(emulator, ecr, created, change, message):
    result = run_module(emulator, MODULE, dict(WANTED, **change))
    assert result["failed"] is True
    assert message in result["msg"]
    assert "AWS cannot change it. Remove the rule first (state=absent)" in result["msg"]
    assert emulator.mutating_requests() == []
    assert rules(ecr)["ecr-public"]["upstreamRegistryUrl"] == "public.ecr.aws"


# -- delete --------------------------------------------------------------------------------------


def test_delete_and_delete_again(emulator, ecr, created):
    result = run_module(emulator, MODULE, ABSENT, diff=True)
    assert (result["changed"], result["rule"], result["deleted_repositories"]) == (True, {}, [])
    assert operations(emulator) == ["DeletePullThroughCacheRule"]
    assert rules(ecr) == {}
    assert result["diff"] == {
        "before": {
            "ecr_repository_prefix": "ecr-public",
            "upstream_registry_url": "public.ecr.aws",
            "upstream_registry": "ecr-public",
        },
        "after": {},
    }
    emulator.mark()
    again = run_module(emulator, MODULE, ABSENT)
    assert again == {
        "failed": False,
        "changed": False,
        "rule": {},
        "deleted_repositories": [],
        "diff": {"before": {}, "after": {}},
    }
    assert emulator.mutating_requests() == []


def cache(ecr, name: str) -> None:
    ecr.create_repository(repositoryName=name)
    ecr.put_image(repositoryName=name, imageManifest=MANIFEST, imageTag="1")


def test_delete_with_cached_repositories_leaves_nothing(emulator, ecr, created):
    for name in ("ecr-public/nginx/nginx", "ecr-public/docker/library/httpd", "ecr-publicity/web", "app/web"):
        cache(ecr, name)
    emulator.mark()
    kept = run_module(emulator, MODULE, dict(ABSENT), check_mode=True)
    assert kept["changed"] is True and emulator.mutating_requests() == []

    result = run_module(emulator, MODULE, dict(ABSENT, delete_cached_repositories=True))
    assert result["changed"] is True
    assert result["deleted_repositories"] == ["ecr-public/docker/library/httpd", "ecr-public/nginx/nginx"]
    assert sorted(operations(emulator)) == ["DeletePullThroughCacheRule", "DeleteRepository", "DeleteRepository"]
    assert rules(ecr) == {}
    assert repositories(ecr) == ["app/web", "ecr-publicity/web"]

    # The rule gone, repositories a later pull made are still found and deleted; then nothing is left to do.
    cache(ecr, "ecr-public/nginx/nginx")
    again = run_module(emulator, MODULE, dict(ABSENT, delete_cached_repositories=True))
    assert (again["changed"], again["deleted_repositories"]) == (True, ["ecr-public/nginx/nginx"])
    emulator.mark()
    assert run_module(emulator, MODULE, dict(ABSENT, delete_cached_repositories=True))["changed"] is False
    assert emulator.mutating_requests() == []


def test_delete_of_repositories_an_ecs_task_pulled(emulator, ecr, created):
    """The whole path: a task pulls through the rule (the emulator caches the repository), teardown removes both."""
    ecs = emulator.client("ecs")
    ecs.create_cluster(clusterName="ecs-dev")
    image = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/ecr-public/nginx/nginx:stable"
    ecs.register_task_definition(family="app-dev", containerDefinitions=[{"name": "app", "image": image, "memory": 64}])
    ecs.create_service(cluster="ecs-dev", serviceName="svc-dev", taskDefinition="app-dev", desiredCount=1)
    assert repositories(ecr) == ["ecr-public/nginx/nginx"]
    result = run_module(emulator, MODULE, dict(ABSENT, delete_cached_repositories=True))
    assert result["deleted_repositories"] == ["ecr-public/nginx/nginx"]
    assert repositories(ecr) == [] and rules(ecr) == {}


def test_root_prefix_with_cached_repositories_is_refused(emulator):
    emulator.mark()
    result = run_module(emulator, MODULE, {"prefix": "ROOT", "state": "absent", "delete_cached_repositories": True})
    assert result["failed"] is True and "refused for the prefix ROOT" in result["msg"]
    assert emulator.journal() == []


# -- check mode ----------------------------------------------------------------------------------


def test_check_mode_create_sends_nothing(emulator, ecr):
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED, check_mode=True, diff=True)
    assert result["changed"] is True
    assert emulator.mutating_requests() == []
    assert rules(ecr) == {}
    assert result["rule"] == {"ecr_repository_prefix": "ecr-public", "upstream_registry_url": "public.ecr.aws"}
    assert result["diff"]["after"] == result["rule"]


def test_check_mode_update_and_delete_send_nothing(emulator, ecr):
    first = secret(emulator, "ecr-pullthroughcache/ghcr-one")
    second = secret(emulator, "ecr-pullthroughcache/ghcr-two")
    args = {"ecr_repository_prefix": "ghcr", "upstream_registry_url": "ghcr.io", "credential_arn": first}
    run_module(emulator, MODULE, args)
    cache(ecr, "ghcr/org/tool")
    emulator.mark()
    updated = run_module(emulator, MODULE, dict(args, credential_arn=second), check_mode=True)
    assert (updated["changed"], updated["rule"]["credential_arn"]) == (True, second)
    deleted = run_module(
        emulator, MODULE, {"prefix": "ghcr", "state": "absent", "delete_cached_repositories": True}, check_mode=True
    )
    assert (deleted["changed"], deleted["deleted_repositories"]) == (True, ["ghcr/org/tool"])
    assert emulator.mutating_requests() == []
    assert rules(ecr)["ghcr"]["credentialArn"] == first
    assert repositories(ecr) == ["ghcr/org/tool"]


# -- refusals and AWS errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("e", "must be 2 to 30 characters long (got 1: 'e')"),
        ("a" * 31, "must be 2 to 30 characters long (got 31"),
        ("Ecr-Public", "is not a prefix ECR accepts"),
        ("ecr-public-", "is not a prefix ECR accepts"),
        ("team//cache", "is not a prefix ECR accepts"),
        ("ecr public", "is not a prefix ECR accepts"),
    ],
)
def test_bad_prefix_is_refused_before_any_request(emulator, prefix, message):
    emulator.mark()
    result = run_module(emulator, MODULE, dict(WANTED, ecr_repository_prefix=prefix))
    assert result["failed"] is True
    assert message in result["msg"]
    assert emulator.journal() == []


@pytest.mark.parametrize("prefix", ["ab", "a" * 30, "team-a/ecr-public", "my_cache.v2", "x__y", "a--b", "ecr/", "ROOT"])
def test_prefixes_ecr_accepts(prefix):
    assert ecr_pull_through_cache_rule.prefix_problem(prefix) is None


def test_bad_credential_arn_is_refused_before_any_request(emulator):
    emulator.mark()
    arn = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:docker-hub-credentials-AbCdEf"
    result = run_module(emulator, MODULE, dict(WANTED, credential_arn=arn))
    assert result["failed"] is True and "whose name starts with ecr-pullthroughcache/" in result["msg"]
    assert emulator.journal() == []


def test_present_needs_the_upstream_registry_url(emulator):
    emulator.mark()
    result = run_module(emulator, MODULE, {"prefix": "ecr-public"})
    assert result["failed"] is True and "upstream_registry_url" in result["msg"]
    assert emulator.journal() == []


def test_access_denied_is_reported(emulator):
    emulator.mark()
    message = "User is not authorized to perform: ecr:DescribePullThroughCacheRules"
    emulator.inject_fault("ecr", "DescribePullThroughCacheRules", "AccessDeniedException", message, 400)
    result = run_module(emulator, MODULE, WANTED)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to manage ECR pull through cache rule ecr-public")
    assert result["error"]["code"] == "AccessDeniedException"
    assert emulator.mutating_requests() == []


def test_aws_refusal_of_the_upstream_is_reported(emulator, ecr):
    result = run_module(emulator, MODULE, dict(WANTED, upstream_registry_url="docker.io"))
    assert result["failed"] is True
    assert result["error"]["code"] == "UnsupportedUpstreamRegistryException"
    assert rules(ecr) == {}
    missing = run_module(emulator, MODULE, {"prefix": "hub", "upstream_registry_url": "registry-1.docker.io"})
    assert (missing["failed"], missing["error"]["code"]) == (True, "InvalidParameterException")


def test_throttling_is_retried(emulator, ecr):
    emulator.inject_fault("ecr", "CreatePullThroughCacheRule", "ThrottlingException", "Rate exceeded", 400, count=1)
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is True, result
    assert operations(emulator) == ["CreatePullThroughCacheRule", "CreatePullThroughCacheRule"]
    assert set(rules(ecr)) == {"ecr-public"}
