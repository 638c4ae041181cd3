"""envmigrate.aws.ecr_repository against the emulator: repositories read back from ECR."""

from __future__ import annotations

import json

import pytest

from ansible_collections.envmigrate.aws.plugins.modules import ecr_repository
from tests.harness.module import run_module

MODULE = "ecr_repository"
NAME = "ecr-dev"
ARN = "arn:aws:ecr:us-east-1:123456789012:repository/ecr-dev"
URI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-dev"
TAGS = {"Environment": "dev", "Project": "envmigrate", "ManagedBy": "ansible"}
WANTED = {"name": NAME, "expire_untagged_days": 7, "keep_last_images": 30, "tags": TAGS}
ABSENT = {"name": NAME, "state": "absent"}
UNTAGGED_RULE = {
    "rulePriority": 1,
    "description": "Expire untagged images 7 days after push",
    "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7},
    "action": {"type": "expire"},
}
KEEP_LAST_RULE = {
    "rulePriority": 2,
    "description": "Keep the last 30 images",
    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30},
    "action": {"type": "expire"},
}
STANDARD_POLICY = {"rules": [UNTAGGED_RULE, KEEP_LAST_RULE]}
RELEASE_POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Keep the last 10 release images",
            "selection": {
                "tagStatus": "tagged",
                "tagPrefixList": ["release-"],
                "countType": "imageCountMoreThan",
                "countNumber": 10,
            },
            "action": {"type": "expire"},
        }
    ]
}


@pytest.fixture
def ecr(emulator):
    return emulator.client("ecr")


@pytest.fixture
def created(emulator):
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is True, result
    emulator.mark()
    return result


def described(ecr, name: str = NAME) -> dict | None:
    try:
        return ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    except ecr.exceptions.RepositoryNotFoundException:
        return None


def lifecycle_policy(ecr, name: str = NAME) -> dict | None:
    try:
        return json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"])
    except ecr.exceptions.LifecyclePolicyNotFoundException:
        return None


def tags(ecr, arn: str = ARN) -> dict:
    return {tag["Key"]: tag["Value"] for tag in ecr.list_tags_for_resource(resourceArn=arn)["tags"]}


def operations(emulator) -> list[str]:
    return [entry["operation"] for entry in emulator.mutating_requests()]


def push_image(ecr, tag: str, name: str = NAME) -> None:
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7, "digest": "sha256:" + tag},
        "layers": [],
    }
    ecr.put_image(repositoryName=name, imageManifest=json.dumps(manifest), imageTag=tag)


def kms_key(emulator, alias: str = "alias/ecr-dev") -> str:
    kms = emulator.client("kms")
    arn = kms.create_key(Description="ECR images of dev")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName=alias, TargetKeyId=arn)
    return arn


# -- create --------------------------------------------------------------------------------------


def test_creates_a_repository_and_reads_back_every_field(emulator, ecr):
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is True
    assert operations(emulator) == ["CreateRepository", "PutLifecyclePolicy"]  # the tags go with the create
    repository = described(ecr)
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repository["encryptionConfiguration"] == {"encryptionType": "AES256"}
    assert lifecycle_policy(ecr) == STANDARD_POLICY
    assert tags(ecr) == TAGS
    assert result["repository"] == {
        "repository_name": NAME,
        "repository_arn": ARN,
        "repository_uri": URI,
        "registry_id": "123456789012",
        "created_at": repository["createdAt"].isoformat(),
        "image_tag_mutability": "IMMUTABLE",
        "image_scanning_configuration": {"scan_on_push": True},
        "encryption_configuration": {"encryption_type": "AES256"},
        "lifecycle_policy": STANDARD_POLICY,
        "tags": TAGS,
    }


def test_creates_a_plain_repository_with_the_other_settings(emulator, ecr):
    args = {"name": "envmigrate/worker-dev", "scan_on_push": False, "image_tag_mutability": "MUTABLE"}
    result = run_module(emulator, MODULE, dict(args, lifecycle_policy=json.dumps(RELEASE_POLICY)))
    assert result["changed"] is True
    repository = described(ecr, "envmigrate/worker-dev")
    assert (repository["imageTagMutability"], repository["imageScanningConfiguration"]) == (
        "MUTABLE",
        {"scanOnPush": False},
    )
    assert lifecycle_policy(ecr, "envmigrate/worker-dev") == RELEASE_POLICY
    assert tags(ecr, repository["repositoryArn"]) == {}
    assert result["repository"]["lifecycle_policy"] == RELEASE_POLICY
    emulator.mark()
    assert run_module(emulator, MODULE, dict(args, lifecycle_policy=RELEASE_POLICY))["changed"] is False
    assert emulator.mutating_requests() == []


def test_creates_a_kms_encrypted_repository(emulator, ecr):
    key_arn = kms_key(emulator)
    args = {"name": NAME, "encryption_type": "KMS", "kms_key": "alias/ecr-dev"}
    result = run_module(emulator, MODULE, args)
    assert result["changed"] is True
    assert described(ecr)["encryptionConfiguration"]["encryptionType"] == "KMS"
    assert result["repository"]["encryption_configuration"]["encryption_type"] == "KMS"

    # The same key, written as its ARN or left out, is no change (both are resolved through KMS when they differ).
    emulator.mark()
    assert run_module(emulator, MODULE, dict(args, kms_key=key_arn))["changed"] is False
    assert [entry["operation"] for entry in emulator.journal()].count("DescribeKey") == 2
    assert run_module(emulator, MODULE, dict(args, kms_key=None))["changed"] is False
    assert run_module(emulator, MODULE, args)["changed"] is False
    assert emulator.mutating_requests() == []

    # Another key is refused before any change.
    kms_key(emulator, "alias/other")
    emulator.mark()
    refused = run_module(emulator, MODULE, dict(args, kms_key="alias/other", scan_on_push=False))
    assert refused["failed"] is True
    assert "is encrypted with KMS key alias/ecr-dev, not alias/other; AWS cannot change" in refused["msg"]
    assert emulator.mutating_requests() == []
    assert described(ecr)["imageScanningConfiguration"] == {"scanOnPush": True}


def test_kms_encrypted_with_the_aws_managed_key(emulator, ecr):
    result = run_module(emulator, MODULE, {"name": NAME, "encryption_type": "KMS"})
    assert result["changed"] is True
    assert described(ecr)["encryptionConfiguration"]["encryptionType"] == "KMS"
    emulator.mark()
    assert run_module(emulator, MODULE, {"name": NAME, "encryption_type": "KMS"})["changed"] is False
    assert emulator.mutating_requests() == []


def test_repository_already_existing_is_taken_over(emulator, ecr):
    emulator.inject_fault("ecr", "DescribeRepositories", "RepositoryNotFoundException", "The repository does not exist")
    ecr.create_repository(repositoryName=NAME, imageTagMutability="IMMUTABLE")
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is True
    assert operations(emulator) == [
        "CreateRepository",
        "PutImageScanningConfiguration",
        "PutLifecyclePolicy",
        "TagResource",
    ]
    assert described(ecr)["imageScanningConfiguration"] == {"scanOnPush": True}
    assert (lifecycle_policy(ecr), tags(ecr)) == (STANDARD_POLICY, TAGS)


# -- no-op and update ----------------------------------------------------------------------------


def test_second_run_changes_nothing(emulator, ecr, created):
    result = run_module(emulator, MODULE, WANTED, diff=True)
    assert result["changed"] is False
    assert emulator.mutating_requests() == []
    assert result["repository"] == created["repository"]
    assert result["diff"]["before"] == result["diff"]["after"]


def test_each_mutable_field_is_updated_in_place(emulator, ecr, created):
    arn_before = described(ecr)["repositoryArn"]

    result = run_module(emulator, MODULE, dict(WANTED, scan_on_push=False))
    assert (result["changed"], operations(emulator)) == (True, ["PutImageScanningConfiguration"])
    assert described(ecr)["imageScanningConfiguration"] == {"scanOnPush": False}
    assert result["repository"]["image_scanning_configuration"] == {"scan_on_push": False}

    emulator.mark()
    result = run_module(emulator, MODULE, dict(WANTED, scan_on_push=False, image_tag_mutability="MUTABLE"))
    assert (result["changed"], operations(emulator)) == (True, ["PutImageTagMutability"])
    assert described(ecr)["imageTagMutability"] == "MUTABLE" == result["repository"]["image_tag_mutability"]

    emulator.mark()
    result = run_module(
        emulator, MODULE, dict(WANTED, scan_on_push=False, image_tag_mutability="MUTABLE", keep_last_images=50)
    )
    assert (result["changed"], operations(emulator)) == (True, ["PutLifecyclePolicy"])
    assert lifecycle_policy(ecr)["rules"][1]["selection"]["countNumber"] == 50
    assert result["repository"]["lifecycle_policy"] == lifecycle_policy(ecr)

    emulator.mark()
    result = run_module(emulator, MODULE, WANTED)  # everything back at once
    assert result["changed"] is True
    assert sorted(operations(emulator)) == [
        "PutImageScanningConfiguration",
        "PutImageTagMutability",
        "PutLifecyclePolicy",
    ]
    repository = described(ecr)
    assert (repository["imageTagMutability"], repository["imageScanningConfiguration"]) == (
        "IMMUTABLE",
        {"scanOnPush": True},
    )
    assert lifecycle_policy(ecr) == STANDARD_POLICY
    assert repository["repositoryArn"] == arn_before and tags(ecr) == TAGS


def test_lifecycle_policy_is_compared_as_parsed_json(emulator, ecr, created):
    reordered = {"rules": [dict(reversed(list(KEEP_LAST_RULE.items()))), UNTAGGED_RULE]}  # other key and rule order
    as_text = json.dumps(reordered, indent=4)
    assert run_module(emulator, MODULE, {"name": NAME, "tags": TAGS, "lifecycle_policy": as_text})["changed"] is False
    assert run_module(emulator, MODULE, {"name": NAME, "tags": TAGS, "lifecycle_policy": reordered})["changed"] is False
    assert emulator.mutating_requests() == []

    result = run_module(emulator, MODULE, {"name": NAME, "lifecycle_policy": RELEASE_POLICY})
    assert (result["changed"], operations(emulator)) == (True, ["PutLifecyclePolicy"])
    assert lifecycle_policy(ecr) == RELEASE_POLICY


def test_keep_last_images_or_expire_untagged_days_alone(emulator, ecr):
    run_module(emulator, MODULE, {"name": NAME, "keep_last_images": 30})
    assert lifecycle_policy(ecr) == {"rules": [KEEP_LAST_RULE]}  # keeps priority 2
    run_module(emulator, MODULE, {"name": NAME, "expire_untagged_days": 7})
    assert lifecycle_policy(ecr) == {"rules": [UNTAGGED_RULE]}
    emulator.mark()
    assert run_module(emulator, MODULE, {"name": NAME, "expire_untagged_days": 7})["changed"] is False
    assert emulator.mutating_requests() == []


def test_lifecycle_policy_is_left_alone_unless_purged(emulator, ecr, created):
    assert run_module(emulator, MODULE, {"name": NAME, "tags": TAGS})["changed"] is False
    assert run_module(emulator, MODULE, dict(WANTED, purge_lifecycle_policy=True))["changed"] is False  # ignored
    assert emulator.mutating_requests() == []
    assert lifecycle_policy(ecr) == STANDARD_POLICY

    result = run_module(emulator, MODULE, {"name": NAME, "tags": TAGS, "purge_lifecycle_policy": True})
    assert (result["changed"], operations(emulator)) == (True, ["DeleteLifecyclePolicy"])
    assert lifecycle_policy(ecr) is None
    assert result["repository"]["lifecycle_policy"] is None

    emulator.mark()
    assert (
        run_module(emulator, MODULE, {"name": NAME, "tags": TAGS, "purge_lifecycle_policy": True})["changed"] is False
    )
    assert emulator.mutating_requests() == []


def test_tags_are_added_and_purged(emulator, ecr, created):
    result = run_module(emulator, MODULE, dict(WANTED, tags=dict(TAGS, Environment="prod")))
    assert (result["changed"], operations(emulator)) == (True, ["TagResource"])
    assert tags(ecr) == dict(TAGS, Environment="prod") == result["repository"]["tags"]

    emulator.mark()
    kept = run_module(emulator, MODULE, dict(WANTED, tags={"Owner": "platform"}, purge_tags=False))
    assert (kept["changed"], operations(emulator)) == (True, ["TagResource"])
    assert tags(ecr) == dict(TAGS, Environment="prod", Owner="platform")

    emulator.mark()
    purged = run_module(emulator, MODULE, dict(WANTED, tags={"Owner": "platform"}))
    assert (purged["changed"], operations(emulator)) == (True, ["UntagResource"])
    assert tags(ecr) == {"Owner": "platform"} == purged["repository"]["tags"]

    emulator.mark()
    assert (
        run_module(emulator, MODULE, {"name": NAME, "keep_last_images": 30, "expire_untagged_days": 7})["changed"]
        is False
    )
    assert run_module(emulator, MODULE, dict(WANTED, tags={}))["changed"] is True
    assert operations(emulator) == ["UntagResource"]
    assert tags(ecr) == {}


# -- encryption and other refusals ---------------------------------------------------------------


def test_changed_encryption_is_refused_before_any_change(emulator, ecr, created):
    result = run_module(emulator, MODULE, dict(WANTED, encryption_type="KMS", scan_on_push=False, tags={}))
    assert result["failed"] is True
    assert "exists with encryption_type AES256, not KMS; AWS cannot change the encryption" in result["msg"]
    assert emulator.mutating_requests() == []
    repository = described(ecr)
    assert repository["encryptionConfiguration"] == {"encryptionType": "AES256"}
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    assert tags(ecr) == TAGS

    checked = run_module(emulator, MODULE, dict(WANTED, encryption_type="KMS"), check_mode=True)
    assert checked["failed"] is True  # check mode refuses it too


def test_kms_key_without_kms_is_refused_before_any_request(emulator):
    emulator.mark()
    result = run_module(emulator, MODULE, {"name": NAME, "kms_key": "alias/ecr-dev"})
    assert result["failed"] is True
    assert result["msg"] == "kms_key can only be given with encryption_type=KMS"
    assert emulator.journal() == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("a", "name must be 2 to 256 characters long (got 1)"),
        ("a" * 257, "name must be 2 to 256 characters long (got 257)"),
        ("App-dev", "'App-dev' is not a valid ECR repository name"),
        ("app--dev", "is not a valid ECR repository name"),
        ("app_dev/", "is not a valid ECR repository name"),
        ("/app", "is not a valid ECR repository name"),
        ("app dev", "is not a valid ECR repository name"),
        ("-app", "is not a valid ECR repository name"),
    ],
)
def test_bad_name_is_refused_before_any_request(emulator, name, message):
    emulator.mark()
    result = run_module(emulator, MODULE, {"name": name})
    assert result["failed"] is True
    assert message in result["msg"]
    assert emulator.journal() == []


@pytest.mark.parametrize("name", ["ab", "a" * 256, "envmigrate/app-dev", "a.b_c-d/e1/f2", "09"])
def test_names_ecr_accepts(name):
    assert ecr_repository.name_problem(name) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"lifecycle_policy": "{rules: ["}, "lifecycle_policy is not valid JSON"),
        ({"lifecycle_policy": '{"rulez": []}'}, "lifecycle_policy must be a JSON object with a list of rules"),
        ({"lifecycle_policy": RELEASE_POLICY, "keep_last_images": 3}, "mutually exclusive"),
        ({"keep_last_images": 0}, "keep_last_images must be 1 or more, got 0"),
        ({"expire_untagged_days": -1}, "expire_untagged_days must be 1 or more, got -1"),
        ({"image_tag_mutability": "mutable"}, "value of image_tag_mutability must be one of"),
    ],
)
def test_bad_options_are_refused_before_any_request(emulator, args, message):
    emulator.mark()
    result = run_module(emulator, MODULE, dict(args, name=NAME))
    assert result["failed"] is True
    assert message in result["msg"]
    assert emulator.journal() == []


# -- delete --------------------------------------------------------------------------------------


def test_delete_with_images_and_delete_again(emulator, ecr, created):
    push_image(ecr, "v1")
    push_image(ecr, "v2")
    emulator.mark()
    result = run_module(emulator, MODULE, ABSENT, diff=True)
    assert (result["changed"], result["repository"]) == (True, {})
    assert operations(emulator) == ["DeleteRepository"]
    assert [e for e in emulator.journal() if e["operation"] == "DeleteRepository"][0]["status"] == 200
    assert described(ecr) is None
    assert result["diff"]["before"] == {
        "repository_name": NAME,
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_type": "AES256",
        "kms_key": None,
        "lifecycle_policy": STANDARD_POLICY,
        "tags": TAGS,
    }
    assert result["diff"]["after"] == {}

    emulator.mark()
    again = run_module(emulator, MODULE, ABSENT)
    assert again == {"failed": False, "changed": False, "repository": {}, "diff": {"before": {}, "after": {}}}
    assert emulator.mutating_requests() == []

    # A new repository of the same name starts empty, without the old tags or policy.
    assert run_module(emulator, MODULE, {"name": NAME})["changed"] is True
    assert ecr.list_images(repositoryName=NAME)["imageIds"] == []
    assert (tags(ecr), lifecycle_policy(ecr)) == ({}, None)


def test_delete_without_force_keeps_a_repository_with_images(emulator, ecr, created):
    push_image(ecr, "v1")
    emulator.mark()
    checked = run_module(emulator, MODULE, dict(ABSENT, force_delete=False), check_mode=True)
    assert checked["failed"] is True
    assert "still holds images and force_delete=false" in checked["msg"]
    assert emulator.mutating_requests() == []

    result = run_module(emulator, MODULE, dict(ABSENT, force_delete=False))
    assert result["failed"] is True
    assert result["msg"].startswith(
        "ECR repository ecr-dev still holds images; delete them first or set force_delete=true"
    )
    assert result["error"]["code"] == "RepositoryNotEmptyException"
    assert described(ecr) is not None
    assert len(ecr.list_images(repositoryName=NAME)["imageIds"]) == 1

    ecr.batch_delete_image(repositoryName=NAME, imageIds=[{"imageTag": "v1"}])
    assert run_module(emulator, MODULE, dict(ABSENT, force_delete=False))["changed"] is True
    assert described(ecr) is None


# -- check mode and diff -------------------------------------------------------------------------


def test_check_mode_create_sends_nothing(emulator, ecr):
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED, check_mode=True, diff=True)
    assert result["changed"] is True
    assert emulator.mutating_requests() == []
    assert described(ecr) is None
    assert result["repository"] == {
        "repository_name": NAME,
        "image_tag_mutability": "IMMUTABLE",
        "image_scanning_configuration": {"scan_on_push": True},
        "encryption_configuration": {"encryption_type": "AES256"},
        "lifecycle_policy": STANDARD_POLICY,
        "tags": TAGS,
    }
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["lifecycle_policy"] == STANDARD_POLICY


def test_check_mode_update_and_delete_send_nothing(emulator, ecr, created):
    changes = dict(WANTED, scan_on_push=False, image_tag_mutability="MUTABLE", keep_last_images=5, tags={"Owner": "x"})
    result = run_module(emulator, MODULE, changes, check_mode=True)
    assert result["changed"] is True
    repository = result["repository"]
    assert repository["image_scanning_configuration"] == {"scan_on_push": False}
    assert repository["image_tag_mutability"] == "MUTABLE"
    assert repository["lifecycle_policy"]["rules"][1]["selection"]["countNumber"] == 5
    assert repository["tags"] == {"Owner": "x"}
    assert repository["repository_arn"] == ARN
    purge = {"name": NAME, "purge_lifecycle_policy": True}
    assert run_module(emulator, MODULE, purge, check_mode=True)["repository"]["lifecycle_policy"] is None
    assert run_module(emulator, MODULE, ABSENT, check_mode=True)["changed"] is True
    assert emulator.mutating_requests() == []
    unchanged = described(ecr)
    assert (unchanged["imageTagMutability"], unchanged["imageScanningConfiguration"]) == (
        "IMMUTABLE",
        {"scanOnPush": True},
    )
    assert (lifecycle_policy(ecr), tags(ecr)) == (STANDARD_POLICY, TAGS)


def test_diff_shows_before_and_after(emulator, created):
    diff = run_module(
        emulator, MODULE, dict(WANTED, scan_on_push=False, tags={"Environment": "prod"}), check_mode=True, diff=True
    )["diff"]
    assert diff["after"] == dict(diff["before"], scan_on_push=False, tags={"Environment": "prod"})
    assert diff["before"]["scan_on_push"] is True and diff["before"]["tags"] == TAGS


# -- AWS errors ----------------------------------------------------------------------------------


def test_access_denied_is_reported(emulator, ecr):
    message = "User is not authorized to perform: ecr:DescribeRepositories"
    emulator.inject_fault("ecr", "DescribeRepositories", "AccessDeniedException", message)
    result = run_module(emulator, MODULE, WANTED)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to manage ECR repository ecr-dev")
    assert result["error"]["code"] == "AccessDeniedException"
    assert emulator.mutating_requests() == []
    assert described(ecr) is None


def test_access_denied_on_tagging_is_reported(emulator, ecr, created):
    emulator.inject_fault("ecr", "TagResource", "AccessDeniedException", "not authorized to perform: ecr:TagResource")
    result = run_module(emulator, MODULE, dict(WANTED, tags={"Owner": "platform"}, purge_tags=False))
    assert result["failed"] is True
    assert result["error"]["code"] == "AccessDeniedException"
    assert tags(ecr) == TAGS


@pytest.fixture
def no_sleep(monkeypatch):
    """AWSRetry and botocore wait between attempts; the emulator needs no rest."""
    monkeypatch.setattr("time.sleep", lambda seconds: None)


def test_throttling_is_retried_by_the_module(emulator, ecr, no_sleep):
    # botocore's own retries off: the module's AWSRetry must retry ECR's ThrottlingException.
    emulator.inject_fault("ecr", "DescribeRepositories", "ThrottlingException", "Rate exceeded", count=2)
    emulator.inject_fault("ecr", "CreateRepository", "ThrottlingException", "Rate exceeded", count=1)
    args = dict(WANTED, aws_config={"retries": {"mode": "legacy", "total_max_attempts": 1}})
    result = run_module(emulator, MODULE, args)
    assert result["changed"] is True, result
    journal = [entry["operation"] for entry in emulator.journal()]
    assert journal.count("CreateRepository") == 2
    assert journal[:3] == ["DescribeRepositories"] * 3
    assert lifecycle_policy(ecr) == STANDARD_POLICY and tags(ecr) == TAGS


def test_throttling_with_default_settings(emulator, ecr, no_sleep):
    emulator.inject_fault("ecr", "PutLifecyclePolicy", "ThrottlingException", "Rate exceeded", count=3)
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is True, result
    assert [entry["operation"] for entry in emulator.journal()].count("PutLifecyclePolicy") == 4
    assert lifecycle_policy(ecr) == STANDARD_POLICY
