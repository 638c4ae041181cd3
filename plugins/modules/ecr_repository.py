#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ecr_repository
version_added: 0.2.0
short_description: An ECR repository with its scanning, tag mutability, encryption, lifecycle policy and tags
description:
  - Creates, updates and deletes an Amazon ECR private repository in the caller's registry.
  - Compares the scan-on-push setting, the tag mutability, the encryption, the lifecycle policy (as parsed JSON) and
    the tags with the repository and changes only what differs, with C(PutImageScanningConfiguration),
    C(PutImageTagMutability), C(PutLifecyclePolicy) or C(DeleteLifecyclePolicy), C(TagResource) and
    C(UntagResource). A second run reports C(changed=false) and sends no request that changes anything.
  - The encryption (O(encryption_type), O(kms_key)) can only be set when the repository is created; a difference on
    an existing repository fails with a message that names both, before any change.
  - The name is checked before any request against ECR's rule - 2 to 256 characters, lowercase letters and digits,
    separated by single C(.), C(_) or C(-), in C(/)-separated parts.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  name:
    description:
      - Name of the repository in the registry of the caller's account, for example C(app-dev) or C(envmigrate/app-dev).
      - "Must match ECR's rule C((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*), 2 to 256 characters."
    type: str
    required: true
    aliases: [repository_name]
  state:
    description: Whether the repository exists.
    type: str
    choices: [present, absent]
    default: present
  scan_on_push:
    description: Whether ECR scans each image for known vulnerabilities when it is pushed (basic scanning).
    type: bool
    default: true
  image_tag_mutability:
    description:
      - V(IMMUTABLE) refuses to push an image with a tag that another image of the repository already has; V(MUTABLE)
        moves the tag.
    type: str
    choices: [IMMUTABLE, MUTABLE]
    default: IMMUTABLE
  encryption_type:
    description:
      - How ECR encrypts the images at rest - V(AES256) (Amazon S3 managed keys) or V(KMS) (an AWS KMS key).
      - Can only be set at creation. An existing repository encrypted otherwise is refused; remove it first
        (O(state=absent)).
    type: str
    choices: [AES256, KMS]
    default: AES256
  kms_key:
    description:
      - The KMS key that encrypts the images, as key ID, key ARN, alias name (C(alias/...)) or alias ARN. Only with
        O(encryption_type=KMS).
      - Without it, ECR uses the AWS managed key C(alias/aws/ecr) at creation, and the key of an existing
        repository is not compared.
      - Can only be set at creation. When the key of an existing repository is written differently (an alias where
        ECR reports an ARN, for example), both are resolved with C(kms:DescribeKey) before they are compared.
    type: str
  lifecycle_policy:
    description:
      - The lifecycle policy of the repository, as a dictionary or a JSON string. It is compared with the
        repository's as parsed JSON (rules in the order of their C(rulePriority)), so layout and key order do not
        matter.
      - Mutually exclusive with O(keep_last_images) and O(expire_untagged_days).
      - When neither it nor O(keep_last_images) or O(expire_untagged_days) is given, the repository's lifecycle
        policy is left alone, unless O(purge_lifecycle_policy=true).
    type: json
  purge_lifecycle_policy:
    description:
      - Remove the repository's lifecycle policy when no policy is given (neither O(lifecycle_policy) nor
        O(keep_last_images) or O(expire_untagged_days)). Ignored when one is.
    type: bool
    default: false
  keep_last_images:
    description:
      - Build the standard lifecycle policy with a rule of priority 2 that expires all images, tagged or not
        (C(tagStatus=any)), beyond the O(keep_last_images) most recently pushed (C(countType=imageCountMoreThan)).
      - ECR evaluates rules from the lowest C(rulePriority) up, and a C(tagStatus=any) rule must have the highest
        priority number of the policy, so it comes after the rule of O(expire_untagged_days).
      - Mutually exclusive with O(lifecycle_policy).
    type: int
  expire_untagged_days:
    description:
      - Build the standard lifecycle policy with a rule of priority 1 that expires untagged images
        (C(tagStatus=untagged)) O(expire_untagged_days) days after they were pushed (C(countType=sinceImagePushed)).
      - The rule keeps priority 1 whether or not O(keep_last_images) is given, so the rules of the policy do not
        move between runs.
      - Mutually exclusive with O(lifecycle_policy).
    type: int
  force_delete:
    description:
      - With O(state=absent), delete the repository with the images it holds.
      - With V(false), a repository that still holds images is not deleted (ECR answers
        C(RepositoryNotEmptyException)), and the module fails.
    type: bool
    default: true
notes:
  - "Why not M(community.aws.ecs_ecr) (community.aws 10.0.0) - it has no C(tags) option at all, so it cannot tag a
    repository with the tags every resource of this collection carries; and with
    C(encryption_configuration={encryption_type: AES256}) it sends C(encryptionConfiguration.kmsKey=None), which
    botocore refuses before any request (C(Invalid type for parameter encryptionConfiguration.kmsKey, value:
    None)), while on an existing repository the same C(None) makes it fail with C(Cannot modify repository
    encryption type). It also defaults to mutable tags and no scanning."
  - Renaming is not supported; another O(name) means another repository. The repository policy (who may pull) and
    replication are not managed by this module.
  - In check mode a repository that would be created has no RV(repository.repository_arn),
    RV(repository.repository_uri) or RV(repository.registry_id) yet.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The application's repository of environment dev, with the standard lifecycle policy
  envmigrate.aws.ecr_repository:
    name: ecr-dev
    expire_untagged_days: 7
    keep_last_images: 30
    tags:
      Environment: dev
      Project: envmigrate
      ManagedBy: ansible
  register: ecr

- name: A repository encrypted with a customer managed KMS key and a lifecycle policy of its own
  envmigrate.aws.ecr_repository:
    name: envmigrate/worker-dev
    encryption_type: KMS
    kms_key: alias/ecr-dev
    image_tag_mutability: MUTABLE
    lifecycle_policy:
      rules:
        - rulePriority: 1
          description: Keep the last 10 release images
          selection:
            tagStatus: tagged
            tagPrefixList: [release-]
            countType: imageCountMoreThan
            countNumber: 10
          action:
            type: expire

- name: Remove the lifecycle policy and keep the rest
  envmigrate.aws.ecr_repository:
    name: ecr-dev
    purge_lifecycle_policy: true

- name: Remove the repository with its images
  envmigrate.aws.ecr_repository:
    name: ecr-dev
    state: absent
"""

RETURN = r"""
repository:
  description:
    - The repository as DescribeRepositories shows it, with snake_case keys, its lifecycle policy (parsed) and its
      tags.
    - Empty after a delete. In check mode, as it would be.
  returned: always
  type: dict
  contains:
    repository_name:
      description: Name of the repository.
      type: str
      sample: ecr-dev
    repository_arn:
      description: ARN of the repository.
      type: str
      sample: arn:aws:ecr:us-east-1:123456789012:repository/ecr-dev
    repository_uri:
      description: URI to push to and pull from, without tag.
      type: str
      sample: 123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-dev
    registry_id:
      description: ID of the registry (the account) that holds the repository.
      type: str
      sample: "123456789012"
    created_at:
      description: When the repository was created, in ISO 8601.
      type: str
      sample: "2024-05-02T09:41:07+00:00"
    image_tag_mutability:
      description: V(IMMUTABLE) or V(MUTABLE).
      type: str
      sample: IMMUTABLE
    image_scanning_configuration:
      description: The repository's scanning setting.
      type: dict
      contains:
        scan_on_push:
          description: Whether images are scanned when pushed.
          type: bool
          sample: true
    encryption_configuration:
      description: How the images are encrypted at rest.
      type: dict
      contains:
        encryption_type:
          description: V(AES256) or V(KMS).
          type: str
          sample: AES256
        kms_key:
          description: The KMS key, with V(KMS).
          type: str
          returned: with encryption_type KMS
          sample: arn:aws:kms:us-east-1:123456789012:key/0e9a3f4c-3b8e-4a5e-9a3f-4c3b8e4a5e9a
    lifecycle_policy:
      description: The lifecycle policy, parsed, with AWS's camelCase keys; null when there is none.
      type: dict
      sample:
        rules:
          - rulePriority: 1
            description: Expire untagged images 7 days after push
            selection: {tagStatus: untagged, countType: sinceImagePushed, countUnit: days, countNumber: 7}
            action: {type: expire}
          - rulePriority: 2
            description: Keep the last 30 images
            selection: {tagStatus: any, countType: imageCountMoreThan, countNumber: 30}
            action: {type: expire}
    tags:
      description: Tags of the repository.
      type: dict
      sample: {"Environment": "dev", "Project": "envmigrate", "ManagedBy": "ansible"}
"""

import json
import re

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.envmigrate.aws.plugins.module_utils.retries import retry_decorator
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


# botocore's model of ECR (shape RepositoryName): 2 to 256 characters matching this pattern.
NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 256
NAME_PATTERN = r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"

UNTAGGED_RULE_PRIORITY = 1
KEEP_LAST_RULE_PRIORITY = 2


def name_problem(name):
    """Why ECR would refuse the repository name, or None."""
    if not NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH:
        return "name must be %d to %d characters long (got %d)" % (NAME_MIN_LENGTH, NAME_MAX_LENGTH, len(name))
    if not re.fullmatch(NAME_PATTERN, name):
        return (
            "name %r is not a valid ECR repository name: it must match %s (lowercase letters and digits, separated "
            "by single '.', '_' or '-', in '/'-separated parts)" % (name, NAME_PATTERN)
        )
    return None


def standard_lifecycle_policy(expire_untagged_days, keep_last_images):
    """The policy keep_last_images and expire_untagged_days stand for; None when neither is given."""
    rules = []
    if expire_untagged_days is not None:
        rules.append(
            {
                "rulePriority": UNTAGGED_RULE_PRIORITY,
                "description": "Expire untagged images %d days after push" % expire_untagged_days,
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": expire_untagged_days,
                },
                "action": {"type": "expire"},
            }
        )
    if keep_last_images is not None:
        rules.append(
            {
                "rulePriority": KEEP_LAST_RULE_PRIORITY,
                "description": "Keep the last %d images" % keep_last_images,
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep_last_images},
                "action": {"type": "expire"},
            }
        )
    return {"rules": rules} if rules else None


def normalized_policy(policy):
    """A lifecycle policy in a form to compare: parsed, rules in the order of their priority."""
    if policy is None:
        return None
    rules = policy.get("rules")
    if isinstance(rules, list) and all(
        isinstance(rule, dict) and isinstance(rule.get("rulePriority"), int) for rule in rules
    ):
        policy = dict(policy, rules=sorted(rules, key=lambda rule: rule["rulePriority"]))
    return policy


def wanted_lifecycle_policy(module):
    """(policy wanted, or None, and whether the module manages it at all)."""
    params = module.params
    built = standard_lifecycle_policy(params["expire_untagged_days"], params["keep_last_images"])
    if built is not None:
        return built, True
    text = params["lifecycle_policy"]
    if text is None:
        return None, params["purge_lifecycle_policy"]
    try:
        policy = json.loads(text)
    except ValueError as e:
        module.fail_json(msg="lifecycle_policy is not valid JSON: %s" % e)
    if not isinstance(policy, dict) or not isinstance(policy.get("rules"), list):
        module.fail_json(msg="lifecycle_policy must be a JSON object with a list of rules, got %s" % text)
    return policy, True


class Repository(object):
    """Reads and changes one ECR repository in the caller's registry."""

    def __init__(self, module):
        self.module = module
        self.name = module.params["name"]
        self.client = module.client("ecr", retry_decorator=retry_decorator())
        self._kms = None

    def describe(self):
        """DescribeRepositories' answer with the lifecycle policy (parsed) and tags, or None when it does not exist."""
        try:
            found = self.client.describe_repositories(aws_retry=True, repositoryNames=[self.name])["repositories"]
        except is_boto3_error_code("RepositoryNotFoundException"):
            return None
        if not found:
            return None
        repository = found[0]
        return dict(repository, lifecyclePolicy=self.lifecycle_policy(), tags=self.tags(repository["repositoryArn"]))

    def lifecycle_policy(self):
        try:
            text = self.client.get_lifecycle_policy(aws_retry=True, repositoryName=self.name)["lifecyclePolicyText"]
        except is_boto3_error_code("LifecyclePolicyNotFoundException"):
            return None
        return json.loads(text)

    def tags(self, arn):
        tags = self.client.list_tags_for_resource(aws_retry=True, resourceArn=arn).get("tags") or []
        return boto3_tag_list_to_ansible_dict(tags)

    def create(self, wanted, tags, lifecycle_policy):
        """Create the repository; (True, it), or (False, the one that appeared since it was described)."""
        parameters = {
            "repositoryName": self.name,
            "imageTagMutability": wanted["image_tag_mutability"],
            "imageScanningConfiguration": {"scanOnPush": wanted["scan_on_push"]},
            "encryptionConfiguration": {"encryptionType": wanted["encryption_type"]},
        }
        if wanted["kms_key"]:
            parameters["encryptionConfiguration"]["kmsKey"] = wanted["kms_key"]
        if tags:
            parameters["tags"] = ansible_dict_to_boto3_tag_list(tags)
        try:
            self.client.create_repository(aws_retry=True, **parameters)
        except is_boto3_error_code("RepositoryAlreadyExistsException"):
            existing = self.describe()  # created by someone else since: carry on with it
            if existing is None:
                raise
            return False, existing
        if lifecycle_policy is not None:
            self.put_lifecycle_policy(lifecycle_policy)
        return True, self.describe()

    def put_scan_on_push(self, scan_on_push):
        self.client.put_image_scanning_configuration(
            aws_retry=True, repositoryName=self.name, imageScanningConfiguration={"scanOnPush": scan_on_push}
        )

    def put_image_tag_mutability(self, mutability):
        self.client.put_image_tag_mutability(aws_retry=True, repositoryName=self.name, imageTagMutability=mutability)

    def put_lifecycle_policy(self, policy):
        self.client.put_lifecycle_policy(
            aws_retry=True, repositoryName=self.name, lifecyclePolicyText=json.dumps(policy, sort_keys=True)
        )

    def delete_lifecycle_policy(self):
        try:
            self.client.delete_lifecycle_policy(aws_retry=True, repositoryName=self.name)
        except is_boto3_error_code("LifecyclePolicyNotFoundException"):
            pass  # removed since it was described

    def update_tags(self, arn, to_set, to_remove):
        if to_remove:
            self.client.untag_resource(aws_retry=True, resourceArn=arn, tagKeys=to_remove)
        if to_set:
            self.client.tag_resource(aws_retry=True, resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(to_set))

    def has_images(self):
        return bool(self.client.list_images(aws_retry=True, repositoryName=self.name, maxResults=1).get("imageIds"))

    def delete(self, force):
        try:
            self.client.delete_repository(aws_retry=True, repositoryName=self.name, force=force)
        except is_boto3_error_code("RepositoryNotFoundException"):
            pass  # deleted since it was described

    def key_arn(self, key):
        """The ARN of a KMS key given as ID, ARN, alias or alias ARN; None when KMS does not know it."""
        if self._kms is None:
            self._kms = self.module.client("kms", retry_decorator=retry_decorator())
        try:
            return self._kms.describe_key(aws_retry=True, KeyId=key)["KeyMetadata"]["Arn"]
        except is_boto3_error_code("NotFoundException"):
            return None


def settings(repository):
    """The repository in the terms of this module's options, for the diff."""
    if not repository:
        return {}
    encryption = repository.get("encryptionConfiguration") or {}
    return {
        "repository_name": repository["repositoryName"],
        "image_tag_mutability": repository.get("imageTagMutability"),
        "scan_on_push": (repository.get("imageScanningConfiguration") or {}).get("scanOnPush", False),
        "encryption_type": encryption.get("encryptionType"),
        "kms_key": encryption.get("kmsKey"),
        "lifecycle_policy": repository.get("lifecyclePolicy"),
        "tags": repository["tags"],
    }


def repository_result(repository):
    if not repository:
        return {}
    result = camel_dict_to_snake_dict(repository, ignore_list=["tags", "lifecyclePolicy"])
    result.pop("lifecycle_policy", None)
    result["lifecycle_policy"] = repository.get("lifecyclePolicy")
    if hasattr(result.get("created_at"), "isoformat"):
        result["created_at"] = result["created_at"].isoformat()
    return result


def wanted_settings(module):
    params = module.params
    return {
        "image_tag_mutability": params["image_tag_mutability"],
        "scan_on_push": params["scan_on_push"],
        "encryption_type": params["encryption_type"],
        "kms_key": params["kms_key"],
    }


def check_encryption(module, repository, current, wanted):
    """Fail, before any change, when the repository is encrypted otherwise than wanted."""
    encryption = current.get("encryptionConfiguration") or {}
    current_type, current_key = encryption.get("encryptionType", "AES256"), encryption.get("kmsKey")
    wanted_type, wanted_key = wanted["encryption_type"], wanted["kms_key"]
    if current_type != wanted_type:
        module.fail_json(
            msg="ECR repository %s exists with encryption_type %s, not %s; AWS cannot change the encryption of a "
            "repository. Remove it first (state=absent) or set encryption_type=%s"
            % (repository.name, current_type, wanted_type, current_type)
        )
    if wanted_key and wanted_key != current_key:
        wanted_arn = repository.key_arn(wanted_key)
        current_arn = repository.key_arn(current_key) if current_key else None
        if wanted_arn is None or wanted_arn != current_arn:
            module.fail_json(
                msg="ECR repository %s is encrypted with KMS key %s, not %s; AWS cannot change the encryption of a "
                "repository. Remove it first (state=absent) or set kms_key=%s"
                % (repository.name, current_key, wanted_key, current_key)
            )


def update(module, repository, current, policy, manage_policy):
    params = module.params
    wanted = wanted_settings(module)
    check_encryption(module, repository, current, wanted)
    before = settings(current)
    after = dict(before)
    calls = []

    if before["scan_on_push"] != wanted["scan_on_push"]:
        after["scan_on_push"] = wanted["scan_on_push"]
        calls.append(lambda: repository.put_scan_on_push(wanted["scan_on_push"]))
    if before["image_tag_mutability"] != wanted["image_tag_mutability"]:
        after["image_tag_mutability"] = wanted["image_tag_mutability"]
        calls.append(lambda: repository.put_image_tag_mutability(wanted["image_tag_mutability"]))
    if manage_policy and normalized_policy(before["lifecycle_policy"]) != normalized_policy(policy):
        after["lifecycle_policy"] = policy
        if policy is None:
            calls.append(repository.delete_lifecycle_policy)
        else:
            calls.append(lambda: repository.put_lifecycle_policy(policy))
    to_set, to_remove = {}, []
    if params["tags"] is not None:
        to_set, to_remove = compare_aws_tags(before["tags"], params["tags"], params["purge_tags"])
    if to_set or to_remove:
        after["tags"] = dict(((k, v) for k, v in before["tags"].items() if k not in to_remove), **to_set)
        calls.append(lambda: repository.update_tags(current["repositoryArn"], to_set, to_remove))

    changed = bool(calls)
    if changed and not module.check_mode:
        for call in calls:
            call()
        current = repository.describe() or current
    else:
        current = predicted(current, after)
    return changed, repository_result(current), before, settings(current)


def predicted(current, after):
    """The repository as it would be with the settings ``after``."""
    encryption = {"encryptionType": after["encryption_type"]}
    if after["kms_key"]:
        encryption["kmsKey"] = after["kms_key"]
    return dict(
        current,
        repositoryName=after["repository_name"],
        imageTagMutability=after["image_tag_mutability"],
        imageScanningConfiguration={"scanOnPush": after["scan_on_push"]},
        encryptionConfiguration=encryption,
        lifecyclePolicy=after["lifecycle_policy"],
        tags=after["tags"],
    )


def ensure_present(module, repository, current, policy, manage_policy):
    params = module.params
    if current is not None:
        return update(module, repository, current, policy, manage_policy)
    wanted = wanted_settings(module)
    if module.check_mode:
        after = dict(wanted, repository_name=repository.name, lifecycle_policy=policy, tags=params["tags"] or {})
        would_be = predicted({}, after)
        return True, repository_result(would_be), {}, settings(would_be)
    created, current = repository.create(wanted, params["tags"], policy)
    if not created:
        return update(module, repository, current, policy, manage_policy)
    return True, repository_result(current), {}, settings(current)


def ensure_absent(module, repository, current):
    if current is None:
        return False, {}, {}, {}
    force = module.params["force_delete"]
    if not force and module.check_mode and repository.has_images():
        module.fail_json(
            msg="ECR repository %s still holds images and force_delete=false; it would not be deleted "
            "(RepositoryNotEmptyException)" % repository.name
        )
    if not module.check_mode:
        try:
            repository.delete(force)
        except is_boto3_error_code("RepositoryNotEmptyException") as e:
            module.fail_json_aws(
                e,
                msg="ECR repository %s still holds images; delete them first or set force_delete=true"
                % repository.name,
            )
    return True, {}, settings(current), {}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["repository_name"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        scan_on_push=dict(type="bool", default=True),
        image_tag_mutability=dict(type="str", choices=["IMMUTABLE", "MUTABLE"], default="IMMUTABLE"),
        encryption_type=dict(type="str", choices=["AES256", "KMS"], default="AES256"),
        kms_key=dict(type="str", no_log=False),
        lifecycle_policy=dict(type="json"),
        purge_lifecycle_policy=dict(type="bool", default=False),
        keep_last_images=dict(type="int"),
        expire_untagged_days=dict(type="int"),
        force_delete=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[["lifecycle_policy", "keep_last_images"], ["lifecycle_policy", "expire_untagged_days"]],
    )
    params = module.params
    problem = name_problem(params["name"])
    if problem:
        module.fail_json(msg=problem)
    if params["kms_key"] and params["encryption_type"] != "KMS":
        module.fail_json(msg="kms_key can only be given with encryption_type=KMS")
    for option in ("keep_last_images", "expire_untagged_days"):
        if params[option] is not None and params[option] < 1:
            module.fail_json(msg="%s must be 1 or more, got %d" % (option, params[option]))

    policy, manage_policy = wanted_lifecycle_policy(module)

    repository = Repository(module)
    try:
        current = repository.describe()
        if params["state"] == "present":
            changed, result, before, after = ensure_present(module, repository, current, policy, manage_policy)
        else:
            changed, result, before, after = ensure_absent(module, repository, current)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to manage ECR repository %s" % repository.name)

    module.exit_json(changed=changed, repository=result, diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
