#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ecr_pull_through_cache_rule
version_added: 0.2.0
short_description: An ECR pull through cache rule
description:
  - Creates, updates and deletes an Amazon ECR pull through cache rule, which serves images of an upstream registry
    (for example Amazon ECR Public, C(public.ecr.aws)) from the private registry of the account under a repository
    prefix - C(<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<upstream path>:<tag>). ECR creates the repository
    C(<prefix>/<upstream path>) and caches the image on its first pull.
  - Compares the rule with the options, so a second run reports C(changed=false) and sends no request that changes
    anything.
  - The upstream registry of an existing rule cannot be changed (AWS has no such update); a different
    O(upstream_registry_url) or O(upstream_registry) fails with a message that names both, before any change.
    Remove the rule first (O(state=absent)). Only the credential is updated in place.
  - The prefix is checked before any request against ECR's rule - 2 to 30 characters, lowercase letters and digits
    in components separated by C(/), each component joined inside by C(.), C(_), C(__) or hyphens, an optional
    trailing C(/); or V(ROOT) (for an Amazon ECR upstream only).
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  ecr_repository_prefix:
    description:
      - The repository name prefix of the cached images, for example C(ecr-public). ECR always assumes a trailing
        C(/), so C(ecr-public) covers C(ecr-public/nginx/nginx).
      - The prefix names the rule; another prefix means another rule.
    type: str
    required: true
    aliases: [prefix]
  upstream_registry_url:
    description:
      - The upstream registry - V(public.ecr.aws) (Amazon ECR Public), V(registry.k8s.io), V(quay.io) (no
        credential); V(registry-1.docker.io), V(ghcr.io), V(registry.gitlab.com), C(<name>.azurecr.io), V(cgr.dev)
        (they need O(credential_arn)); or another ECR registry C(<account>.dkr.ecr.<region>.amazonaws.com).
      - Required with O(state=present). Can only be set when the rule is created.
    type: str
  upstream_registry:
    description:
      - The name of the upstream registry, which must fit O(upstream_registry_url). ECR derives it from the URL
        when it is not given.
      - Can only be set when the rule is created.
    type: str
    choices:
      - ecr
      - ecr-public
      - quay
      - k8s
      - docker-hub
      - github-container-registry
      - azure-container-registry
      - gitlab-container-registry
      - chainguard
  credential_arn:
    description:
      - ARN of the Secrets Manager secret with the credentials for an upstream registry that needs them. Its name
        must start with C(ecr-pullthroughcache/), and it must be in the rule's account and region.
      - Updated in place (C(UpdatePullThroughCacheRule)) when it differs. Unset, the rule's credential is left as it
        is.
    type: str
  delete_cached_repositories:
    description:
      - With O(state=absent), also delete (with their images) the repositories whose names start with
        C(<ecr_repository_prefix>/) - the ones ECR created on pulls through the rule - so that a teardown leaves
        nothing behind. They are deleted even when the rule is already gone.
      - ECR itself keeps them when a rule is deleted, which is what V(false) does.
      - Refused for the prefix V(ROOT), which covers every repository of the registry.
    type: bool
    default: false
  state:
    description: Whether the rule exists.
    type: str
    choices: [present, absent]
    default: present
notes:
  - A rule alone creates no repository; the first pull of an image under the prefix does.
  - Rules of the default registry of the account only (no C(registryId) parameter).
  - Uses C(ecr:DescribePullThroughCacheRules), C(ecr:CreatePullThroughCacheRule), C(ecr:UpdatePullThroughCacheRule),
    C(ecr:DeletePullThroughCacheRule), and with O(delete_cached_repositories) C(ecr:DescribeRepositories) and
    C(ecr:DeleteRepository).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Serve ECR Public images from the private registry under ecr-public/
  envmigrate.aws.ecr_pull_through_cache_rule:
    ecr_repository_prefix: ecr-public
    upstream_registry_url: public.ecr.aws
  register: ptc

- name: The image a task definition then names (pulled through on the first task start)
  ansible.builtin.set_fact:
    app_image: "{{ ptc.rule.registry_id }}.dkr.ecr.us-east-1.amazonaws.com/ecr-public/nginx/nginx:stable"

- name: Docker Hub, with its credentials in Secrets Manager
  envmigrate.aws.ecr_pull_through_cache_rule:
    prefix: docker-hub
    upstream_registry_url: registry-1.docker.io
    upstream_registry: docker-hub
    credential_arn: "{{ docker_hub_secret_arn }}"

- name: Remove the rule and the repositories it cached
  envmigrate.aws.ecr_pull_through_cache_rule:
    ecr_repository_prefix: ecr-public
    state: absent
    delete_cached_repositories: true
"""

RETURN = r"""
rule:
  description:
    - The rule as DescribePullThroughCacheRules shows it, with snake_case keys.
    - Empty after a delete. In check mode, as it would be; a rule that would be created has only
      RV(rule.ecr_repository_prefix), RV(rule.upstream_registry_url) and, when given, RV(rule.upstream_registry)
      and RV(rule.credential_arn).
  returned: always
  type: dict
  contains:
    ecr_repository_prefix:
      description: The repository prefix of the rule.
      type: str
      sample: ecr-public
    upstream_registry_url:
      description: The upstream registry.
      type: str
      sample: public.ecr.aws
    upstream_registry:
      description: The name of the upstream registry.
      type: str
      sample: ecr-public
    registry_id:
      description: The account of the private registry.
      type: str
      sample: "123456789012"
    credential_arn:
      description: The Secrets Manager secret of the upstream credentials.
      type: str
      returned: when the rule has one
      sample: arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf
    custom_role_arn:
      description: The IAM role ECR assumes for an ECR upstream registry.
      type: str
      returned: when the rule has one
    upstream_repository_prefix:
      description: The upstream repository prefix of an ECR-to-ECR rule.
      type: str
      returned: for an ECR upstream registry
      sample: ROOT
    created_at:
      description: When the rule was created, in ISO 8601.
      type: str
      sample: "2024-05-02T09:41:07+00:00"
    updated_at:
      description: When the rule was last updated, in ISO 8601.
      type: str
      returned: when AWS reports it
      sample: "2024-05-02T09:41:07+00:00"
deleted_repositories:
  description:
    - Names of the cached repositories deleted (or, in check mode, that would be) with O(delete_cached_repositories).
  returned: when O(state=absent)
  type: list
  elements: str
  sample: ["ecr-public/nginx/nginx"]
"""

import re

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.envmigrate.aws.plugins.module_utils.retries import retry_decorator

# botocore's model of ECR, shape PullThroughCacheRuleRepositoryPrefix.
PREFIX_MIN_LENGTH = 2
PREFIX_MAX_LENGTH = 30
PREFIX_PATTERN = re.compile(r"^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$")
# botocore's model of ECR, shape CredentialArn.
CREDENTIAL_PATTERN = re.compile(
    r"^arn:aws(-\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\-pullthroughcache\/[a-zA-Z0-9\/_+=.@-]+$"
)
UPSTREAM_REGISTRIES = [
    "ecr",
    "ecr-public",
    "quay",
    "k8s",
    "docker-hub",
    "github-container-registry",
    "azure-container-registry",
    "gitlab-container-registry",
    "chainguard",
]


def prefix_problem(prefix):
    """Why ECR would refuse the repository prefix, or None."""
    if not PREFIX_MIN_LENGTH <= len(prefix) <= PREFIX_MAX_LENGTH:
        return "ecr_repository_prefix must be %d to %d characters long (got %d: %r)" % (
            PREFIX_MIN_LENGTH,
            PREFIX_MAX_LENGTH,
            len(prefix),
            prefix,
        )
    if not PREFIX_PATTERN.match(prefix):
        return (
            "ecr_repository_prefix %r is not a prefix ECR accepts: lowercase letters and digits in components "
            "separated by '/', joined inside a component by '.', '_', '__' or hyphens, each component starting and "
            "ending with a letter or digit, an optional trailing '/'; or ROOT" % prefix
        )
    return None


def credential_problem(arn):
    if arn is not None and not (50 <= len(arn) <= 612 and CREDENTIAL_PATTERN.match(arn)):
        return (
            "credential_arn %r is not the ARN of a Secrets Manager secret whose name starts with "
            "ecr-pullthroughcache/ (50 to 612 characters)" % arn
        )
    return None


@retry_decorator()
def list_repositories(client):
    return client.get_paginator("describe_repositories").paginate().build_full_result()["repositories"]


def bare(prefix):
    return prefix if prefix == "ROOT" else prefix.rstrip("/")


class Rule(object):
    """Reads and changes one pull through cache rule of the account's private registry."""

    def __init__(self, module):
        self.module = module
        self.prefix = module.params["ecr_repository_prefix"]
        self.client = module.client("ecr", retry_decorator=retry_decorator())

    def describe(self):
        try:
            rules = self.client.describe_pull_through_cache_rules(aws_retry=True, ecrRepositoryPrefixes=[self.prefix])
        except is_boto3_error_code("PullThroughCacheRuleNotFoundException"):
            return None
        for rule in rules.get("pullThroughCacheRules") or []:
            if bare(rule["ecrRepositoryPrefix"]) == bare(self.prefix):
                return rule
        return None

    def create(self, parameters):
        """Create the rule; (True, it), or (False, the one that appeared since it was described)."""
        try:
            self.client.create_pull_through_cache_rule(aws_retry=True, ecrRepositoryPrefix=self.prefix, **parameters)
        except is_boto3_error_code("PullThroughCacheRuleAlreadyExistsException"):
            existing = self.describe()
            if existing is None:
                raise
            return False, existing
        return True, self.describe()

    def update_credential(self, credential_arn):
        self.client.update_pull_through_cache_rule(
            aws_retry=True, ecrRepositoryPrefix=self.prefix, credentialArn=credential_arn
        )

    def delete(self):
        try:
            self.client.delete_pull_through_cache_rule(aws_retry=True, ecrRepositoryPrefix=self.prefix)
        except is_boto3_error_code("PullThroughCacheRuleNotFoundException"):
            pass  # deleted by someone else since it was described

    def cached_repositories(self):
        """Names of the repositories under the prefix (the ones pulls through the rule created)."""
        start = bare(self.prefix) + "/"
        repositories = list_repositories(self.client)
        return sorted(r["repositoryName"] for r in repositories if r["repositoryName"].startswith(start))

    def delete_repository(self, name):
        try:
            self.client.delete_repository(aws_retry=True, repositoryName=name, force=True)
        except is_boto3_error_code("RepositoryNotFoundException"):
            pass


def settings(rule):
    """The rule in the terms of this module's options, for the diff."""
    if not rule:
        return {}
    result = {
        "ecr_repository_prefix": rule["ecrRepositoryPrefix"],
        "upstream_registry_url": rule.get("upstreamRegistryUrl"),
    }
    for key, option in (("upstreamRegistry", "upstream_registry"), ("credentialArn", "credential_arn")):
        if rule.get(key) is not None:
            result[option] = rule[key]
    return result


def rule_result(rule):
    if not rule:
        return {}
    result = camel_dict_to_snake_dict(rule)
    for key in ("created_at", "updated_at"):
        if hasattr(result.get(key), "isoformat"):
            result[key] = result[key].isoformat()
    return result


def ensure_present(module, rule, current):
    params = module.params
    if current is None:
        parameters = {"upstreamRegistryUrl": params["upstream_registry_url"]}
        if params["upstream_registry"]:
            parameters["upstreamRegistry"] = params["upstream_registry"]
        if params["credential_arn"]:
            parameters["credentialArn"] = params["credential_arn"]
        if module.check_mode:
            wanted = dict((key[0].lower() + key[1:], value) for key, value in parameters.items())
            wanted["ecrRepositoryPrefix"] = rule.prefix
            return True, rule_result(wanted), {}, settings(wanted)
        created, current = rule.create(parameters)
        if created:
            return True, rule_result(current), {}, settings(current)
    return update(module, rule, current)


def update(module, rule, current):
    params = module.params
    for option, key in (("upstream_registry_url", "upstreamRegistryUrl"), ("upstream_registry", "upstreamRegistry")):
        wanted, actual = params[option], current.get(key)
        if wanted is not None and actual is not None and wanted != actual:
            module.fail_json(
                msg="ECR pull through cache rule %s exists with %s %s, not %s; AWS cannot change it. Remove the rule "
                "first (state=absent) or set %s=%s" % (rule.prefix, option, actual, wanted, option, actual)
            )
    before = settings(current)
    wanted_credential = params["credential_arn"]
    changed = wanted_credential is not None and wanted_credential != current.get("credentialArn")
    if changed:
        if not module.check_mode:
            rule.update_credential(wanted_credential)
            current = rule.describe() or dict(current, credentialArn=wanted_credential)
        else:
            current = dict(current, credentialArn=wanted_credential)
    return changed, rule_result(current), before, settings(current)


def ensure_absent(module, rule, current):
    changed = current is not None
    if changed and not module.check_mode:
        rule.delete()
    deleted = []
    if module.params["delete_cached_repositories"]:
        deleted = rule.cached_repositories()
        if not module.check_mode:
            for name in deleted:
                rule.delete_repository(name)
    before = settings(current)
    if deleted:
        before["cached_repositories"] = deleted
    return changed or bool(deleted), {}, before, {}, deleted


def main():
    argument_spec = dict(
        ecr_repository_prefix=dict(type="str", required=True, aliases=["prefix"]),
        upstream_registry_url=dict(type="str"),
        upstream_registry=dict(type="str", choices=UPSTREAM_REGISTRIES),
        credential_arn=dict(type="str"),
        delete_cached_repositories=dict(type="bool", default=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_if=[("state", "present", ["upstream_registry_url"])],
        supports_check_mode=True,
    )
    params = module.params
    problem = prefix_problem(params["ecr_repository_prefix"]) or credential_problem(params["credential_arn"])
    if problem:
        module.fail_json(msg=problem)
    if (
        params["state"] == "absent"
        and params["delete_cached_repositories"]
        and params["ecr_repository_prefix"] == "ROOT"
    ):
        module.fail_json(msg="delete_cached_repositories is refused for the prefix ROOT: it covers every repository")

    rule = Rule(module)
    result = {}
    try:
        current = rule.describe()
        if params["state"] == "present":
            changed, result["rule"], before, after = ensure_present(module, rule, current)
        else:
            changed, result["rule"], before, after, result["deleted_repositories"] = ensure_absent(
                module, rule, current
            )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to manage ECR pull through cache rule %s" % rule.prefix)

    module.exit_json(changed=changed, diff={"before": before, "after": after}, **result)


if __name__ == "__main__":
    main()
