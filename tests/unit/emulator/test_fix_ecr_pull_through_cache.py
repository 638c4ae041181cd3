"""emulator/fixes/ecr_pull_through_cache_rules.py: pull through cache rules, and the repository of the first pull."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
REGISTRY = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
SECRET_NAME = "ecr-pullthroughcache/docker-hub-dev"


def error(excinfo) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def secret_arn(session, name: str = SECRET_NAME) -> str:
    return session.client("secretsmanager").create_secret(Name=name, SecretString='{"username":"u","accessToken":"t"}')[
        "ARN"
    ]


# -- plain moto --------------------------------------------------------------


def test_plain_moto_lacks_the_operations(plain_moto):
    ecr = plain_moto.client("ecr")
    with pytest.raises(ClientError):
        ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", upstreamRegistryUrl="public.ecr.aws")
    with pytest.raises(ClientError):
        ecr.describe_pull_through_cache_rules()


# -- create, describe, update, delete -----------------------------------------


def test_create_and_describe_an_ecr_public_rule(emulator):
    ecr = emulator.client("ecr")
    created = ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", upstreamRegistryUrl="public.ecr.aws")
    assert (created["ecrRepositoryPrefix"], created["upstreamRegistryUrl"]) == ("ecr-public", "public.ecr.aws")
    assert (created["registryId"], created["upstreamRegistry"]) == (ACCOUNT, "ecr-public")
    assert "credentialArn" not in created
    (rule,) = ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    assert rule["createdAt"] == created["createdAt"] == rule["updatedAt"]
    assert {k: v for k, v in rule.items() if k not in ("createdAt", "updatedAt")} == {
        "ecrRepositoryPrefix": "ecr-public",
        "upstreamRegistryUrl": "public.ecr.aws",
        "registryId": ACCOUNT,
        "upstreamRegistry": "ecr-public",
    }
    (again,) = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["ecr-public"], registryId=ACCOUNT)[
        "pullThroughCacheRules"
    ]
    assert again == rule
    assert ecr.describe_pull_through_cache_rules(registryId="210987654321")["pullThroughCacheRules"] == []


def test_describe_filters_and_pages(emulator):
    ecr = emulator.client("ecr")
    prefixes = ["ecr-public", "k8s", "quay", "team-a/public", "mirror"]
    for prefix in prefixes:
        url = {"k8s": "registry.k8s.io", "quay": "quay.io"}.get(prefix, "public.ecr.aws")
        ecr.create_pull_through_cache_rule(ecrRepositoryPrefix=prefix, upstreamRegistryUrl=url)
    chosen = ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["quay", "k8s"])["pullThroughCacheRules"]
    assert [(r["ecrRepositoryPrefix"], r["upstreamRegistry"]) for r in chosen] == [("quay", "quay"), ("k8s", "k8s")]

    first = ecr.describe_pull_through_cache_rules(maxResults=2)
    assert len(first["pullThroughCacheRules"]) == 2 and first["nextToken"]
    pages = ecr.get_paginator("describe_pull_through_cache_rules").paginate(PaginationConfig={"PageSize": 2})
    seen = [rule["ecrRepositoryPrefix"] for page in pages for rule in page["pullThroughCacheRules"]]
    assert seen == prefixes
    last = ecr.describe_pull_through_cache_rules(maxResults=5)
    assert "nextToken" not in last and len(last["pullThroughCacheRules"]) == 5

    with pytest.raises(ClientError) as excinfo:
        ecr.describe_pull_through_cache_rules(ecrRepositoryPrefixes=["k8s", "nope"])
    assert error(excinfo) == (
        "PullThroughCacheRuleNotFoundException",
        f"The pull through cache rule with prefix 'nope' does not exist in the registry with id '{ACCOUNT}'",
    )
    with pytest.raises(ClientError) as excinfo:
        ecr.describe_pull_through_cache_rules(maxResults=1001)
    assert error(excinfo)[0] == "ValidationException"


def test_a_taken_prefix_is_refused_with_or_without_its_slash(emulator):
    ecr = emulator.client("ecr")
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", upstreamRegistryUrl="public.ecr.aws")
    for prefix in ("ecr-public", "ecr-public/"):
        with pytest.raises(ClientError) as excinfo:
            ecr.create_pull_through_cache_rule(ecrRepositoryPrefix=prefix, upstreamRegistryUrl="quay.io")
        assert error(excinfo) == (
            "PullThroughCacheRuleAlreadyExistsException",
            f"A pull through cache rule with prefix '{prefix}' already exists in the registry with id '{ACCOUNT}'",
        )


def test_credential_rules_update_and_delete(emulator):
    ecr = emulator.client("ecr")
    arn = secret_arn(emulator)
    with pytest.raises(ClientError) as excinfo:
        ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="docker-hub", upstreamRegistryUrl="registry-1.docker.io")
    assert error(excinfo)[0] == "InvalidParameterException"
    assert "requires authentication" in error(excinfo)[1]

    created = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="docker-hub",
        upstreamRegistryUrl="registry-1.docker.io",
        upstreamRegistry="docker-hub",
        credentialArn=arn,
    )
    assert (created["credentialArn"], created["upstreamRegistry"]) == (arn, "docker-hub")

    other = secret_arn(emulator, "ecr-pullthroughcache/docker-hub-other")
    updated = ecr.update_pull_through_cache_rule(ecrRepositoryPrefix="docker-hub", credentialArn=other)
    assert (updated["ecrRepositoryPrefix"], updated["credentialArn"], updated["registryId"]) == (
        "docker-hub",
        other,
        ACCOUNT,
    )
    (rule,) = ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"]
    assert rule["credentialArn"] == other and rule["updatedAt"] >= rule["createdAt"]

    deleted = ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="docker-hub")
    assert (deleted["ecrRepositoryPrefix"], deleted["credentialArn"]) == ("docker-hub", other)
    assert ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"] == []
    for call in (
        lambda: ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="docker-hub"),
        lambda: ecr.update_pull_through_cache_rule(ecrRepositoryPrefix="docker-hub", credentialArn=other),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error(excinfo)[0] == "PullThroughCacheRuleNotFoundException"


def test_credential_problems(emulator):
    ecr = emulator.client("ecr")
    missing = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:ecr-pullthroughcache/nothing-here-AbCdEf"
    with pytest.raises(ClientError) as excinfo:
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix="ghcr", upstreamRegistryUrl="ghcr.io", credentialArn=missing
        )
    assert error(excinfo)[0] == "SecretNotFoundException"

    badly_named = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:dockerhub-credentials-for-the-cache"
    with pytest.raises(ClientError) as excinfo:
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix="ghcr", upstreamRegistryUrl="ghcr.io", credentialArn=badly_named
        )
    code, message = error(excinfo)
    assert code == "ValidationException"
    assert message.startswith(f"1 validation error detected: Value '{badly_named}' at 'credentialArn'")

    arn = secret_arn(emulator)
    with pytest.raises(ClientError) as excinfo:
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix="ecr-public", upstreamRegistryUrl="public.ecr.aws", credentialArn=arn
        )
    assert error(excinfo)[0] == "InvalidParameterException" and "does not use a credential" in error(excinfo)[1]
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", upstreamRegistryUrl="public.ecr.aws")
    with pytest.raises(ClientError) as excinfo:
        ecr.update_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", credentialArn=arn)
    assert error(excinfo)[0] == "InvalidParameterException"


@pytest.mark.parametrize(
    ("prefix", "rule"),
    [
        ("a" * 31, "have length less than or equal to 30"),
        ("Ecr-Public", "satisfy regular expression pattern"),
        ("ecr-public-", "satisfy regular expression pattern"),
        ("team//public", "satisfy regular expression pattern"),
        ("ecr:public", "satisfy regular expression pattern"),
    ],
)
def test_bad_prefixes_are_validation_errors(emulator, prefix, rule):
    ecr = emulator.client("ecr")
    with pytest.raises(ClientError) as excinfo:
        ecr.create_pull_through_cache_rule(ecrRepositoryPrefix=prefix, upstreamRegistryUrl="public.ecr.aws")
    code, message = error(excinfo)
    assert code == "ValidationException"
    assert message.startswith(f"1 validation error detected: Value '{prefix}' at 'ecrRepositoryPrefix'")
    assert rule in message


@pytest.mark.parametrize("prefix", ["ab", "a" * 30, "team-a/ecr-public", "my_cache.v2", "x__y", "a--b", "ecr-public/"])
def test_prefixes_aws_accepts(emulator, prefix):
    created = emulator.client("ecr").create_pull_through_cache_rule(
        ecrRepositoryPrefix=prefix, upstreamRegistryUrl="public.ecr.aws"
    )
    assert created["ecrRepositoryPrefix"] == prefix


def test_upstream_registries(emulator):
    ecr = emulator.client("ecr")
    with pytest.raises(ClientError) as excinfo:
        ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="hub", upstreamRegistryUrl="docker.io")
    assert error(excinfo) == (
        "UnsupportedUpstreamRegistryException",
        "The specified upstream registry docker.io isn't supported.",
    )
    with pytest.raises(ClientError) as excinfo:
        ecr.create_pull_through_cache_rule(
            ecrRepositoryPrefix="k8s", upstreamRegistryUrl="registry.k8s.io", upstreamRegistry="quay"
        )
    assert error(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ROOT", upstreamRegistryUrl="public.ecr.aws")
    assert error(excinfo)[0] == "InvalidParameterException"

    upstream_ecr = "210987654321.dkr.ecr.eu-west-1.amazonaws.com"
    created = ecr.create_pull_through_cache_rule(
        ecrRepositoryPrefix="ROOT",
        upstreamRegistryUrl=upstream_ecr,
        customRoleArn=f"arn:aws:iam::{ACCOUNT}:role/ecr-ptc",
    )
    assert (created["upstreamRegistry"], created["upstreamRepositoryPrefix"]) == ("ecr", "ROOT")


# -- the first pull ------------------------------------------------------------------------------


def test_pull_through_prefix_for_in_process():
    """The function other fixes import, against moto's models in this process."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ecr.models import ecr_backends

    from emulator.fixes import ecr_pull_through_cache_rules as fix

    backend = ecr_backends[DEFAULT_ACCOUNT_ID]["eu-central-1"]
    backend.reset()
    try:
        fix._rules(backend)["cache"] = {"ecrRepositoryPrefix": "cache", "upstreamRegistryUrl": "public.ecr.aws"}
        fix._rules(backend)["cache/k8s"] = {
            "ecrRepositoryPrefix": "cache/k8s/",
            "upstreamRegistryUrl": "registry.k8s.io",
        }
        rule = fix.pull_through_prefix_for(DEFAULT_ACCOUNT_ID, "eu-central-1", "cache/k8s/pause")
        assert rule["ecrRepositoryPrefix"] == "cache/k8s/"
        assert (
            fix.pull_through_prefix_for(DEFAULT_ACCOUNT_ID, "eu-central-1", "cache/nginx")["ecrRepositoryPrefix"]
            == "cache"
        )
        assert fix.pull_through_prefix_for(DEFAULT_ACCOUNT_ID, "eu-central-1", "cache") is None
        assert fix.pull_through_prefix_for(DEFAULT_ACCOUNT_ID, "eu-central-1", "cachex/nginx") is None
        assert fix.pull_through_prefix_for(DEFAULT_ACCOUNT_ID, "us-west-2", "cache/nginx") is None
        image = f"{DEFAULT_ACCOUNT_ID}.dkr.ecr.eu-central-1.amazonaws.com/cache/nginx/nginx:1.27"
        assert fix.pull_through_image(image, DEFAULT_ACCOUNT_ID)["ecrRepositoryPrefix"] == "cache"
        assert [i.image_tags for i in backend.repositories["cache/nginx/nginx"].images] == [["1.27"]]
        assert fix.pull_through_image(image, "210987654321") is None
        assert fix.pull_through_image("public.ecr.aws/nginx/nginx:1.27") is None
        assert fix.upstream_registry_of("myregistry.azurecr.io") == "azure-container-registry"
        assert fix.upstream_registry_of("example.com") is None
    finally:
        backend.reset()


def ecs_fargate(session, image: str):
    ec2, ecs = session.client("ec2"), session.client("ecs")
    vpc_id = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.60.1.0/24")["Subnet"]["SubnetId"]
    ecs.create_cluster(clusterName="ecs-dev")
    ecs.register_task_definition(
        family="app-dev",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": image, "essential": True}],
    )
    return ecs, {"awsvpcConfiguration": {"subnets": [subnet_id], "securityGroups": []}}


def images(ecr, repository: str) -> list[list[str]]:
    return [image.get("imageTags", []) for image in ecr.describe_images(repositoryName=repository)["imageDetails"]]


def test_run_task_pulls_through_the_rule(emulator):
    ecr = emulator.client("ecr")
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", upstreamRegistryUrl="public.ecr.aws")
    ecs, network = ecs_fargate(emulator, f"{REGISTRY}/ecr-public/nginx/nginx:1.27")
    assert ecr.describe_repositories()["repositories"] == []  # a rule alone creates nothing

    ecs.run_task(cluster="ecs-dev", taskDefinition="app-dev", launchType="FARGATE", networkConfiguration=network)
    (repository,) = ecr.describe_repositories()["repositories"]
    assert repository["repositoryName"] == "ecr-public/nginx/nginx"
    assert images(ecr, "ecr-public/nginx/nginx") == [["1.27"]]
    digest = ecr.describe_images(repositoryName="ecr-public/nginx/nginx")["imageDetails"][0]["imageDigest"]

    # A second pull of the same image changes nothing; a new tag is cached beside it.
    ecs.run_task(cluster="ecs-dev", taskDefinition="app-dev", launchType="FARGATE", networkConfiguration=network)
    assert images(ecr, "ecr-public/nginx/nginx") == [["1.27"]]
    assert ecr.describe_images(repositoryName="ecr-public/nginx/nginx")["imageDetails"][0]["imageDigest"] == digest


def test_services_and_task_sets_pull_when_they_start_tasks(emulator):
    ecr = emulator.client("ecr")
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", upstreamRegistryUrl="public.ecr.aws")
    ecs, network = ecs_fargate(emulator, f"{REGISTRY}/ecr-public/docker/library/httpd:2.4")
    ecs.create_service(
        cluster="ecs-dev",
        serviceName="idle-dev",
        taskDefinition="app-dev",
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=network,
    )
    assert ecr.describe_repositories()["repositories"] == []  # no task started, no pull
    ecs.update_service(cluster="ecs-dev", service="idle-dev", desiredCount=1)
    assert images(ecr, "ecr-public/docker/library/httpd") == [["2.4"]]

    ecs.register_task_definition(
        family="app-dev",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": f"{REGISTRY}/ecr-public/nginx/nginx", "essential": True}],
    )
    ecs.create_service(
        cluster="ecs-dev",
        serviceName="svc-dev",
        taskDefinition="app-dev:2",
        desiredCount=1,
        launchType="FARGATE",
        deploymentController={"type": "EXTERNAL"},
        networkConfiguration=network,
    )
    assert images(ecr, "ecr-public/nginx/nginx") == [["latest"]]

    ecs.register_task_definition(
        family="app-dev",
        containerDefinitions=[{"name": "app", "image": f"{REGISTRY}/ecr-public/nginx/nginx:mainline", "memory": 64}],
    )
    ecs.create_task_set(cluster="ecs-dev", service="svc-dev", taskDefinition="app-dev:3", launchType="FARGATE")
    assert sorted(tag for tags in images(ecr, "ecr-public/nginx/nginx") for tag in tags) == ["latest", "mainline"]


def test_images_outside_a_rule_or_this_account_are_not_cached(emulator):
    ecr = emulator.client("ecr")
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", upstreamRegistryUrl="public.ecr.aws")
    for image in (
        f"{REGISTRY}/app/web:1",  # no rule covers it
        "210987654321.dkr.ecr.us-east-1.amazonaws.com/ecr-public/nginx/nginx:1",  # another account
        "public.ecr.aws/nginx/nginx:1",  # not ECR private
    ):
        ecs, network = ecs_fargate(emulator, image)
        ecs.run_task(cluster="ecs-dev", taskDefinition="app-dev", launchType="FARGATE", networkConfiguration=network)
    assert ecr.describe_repositories()["repositories"] == []


def test_deleting_the_rule_keeps_the_cached_repository(emulator):
    ecr = emulator.client("ecr")
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", upstreamRegistryUrl="public.ecr.aws")
    ecs, network = ecs_fargate(emulator, f"{REGISTRY}/ecr-public/nginx/nginx:1.27")
    ecs.run_task(cluster="ecs-dev", taskDefinition="app-dev", launchType="FARGATE", networkConfiguration=network)
    ecr.delete_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public")
    assert [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]] == ["ecr-public/nginx/nginx"]
