"""ECR: pull through cache rules, and the cached repository AWS makes on the first pull.

moto 5.2.5 has none of the four operations (HTTP 500). AWS keeps the rules per
registry (account and region):

- CreatePullThroughCacheRule checks the prefix against the API model (2 to 30
  characters, ``^([a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*\\/?|ROOT)$``;
  a trailing ``/`` is always assumed), knows the upstream registries of the API
  reference (``public.ecr.aws``, ``registry.k8s.io``, ``quay.io`` need no
  credential; ``registry-1.docker.io``, ``ghcr.io``, ``registry.gitlab.com``,
  ``<name>.azurecr.io`` and ``cgr.dev`` need a Secrets Manager secret named
  ``ecr-pullthroughcache/...`` in the same account and region; another ECR
  registry ``<account>.dkr.ecr.<region>.amazonaws.com`` authenticates with IAM),
  answers UnsupportedUpstreamRegistryException for any other URL and
  PullThroughCacheRuleAlreadyExistsException for a taken prefix. ``ROOT`` and
  ``upstreamRepositoryPrefix`` are for ECR-to-ECR rules only.
- DescribePullThroughCacheRules filters on ``ecrRepositoryPrefixes`` (an unknown
  one is PullThroughCacheRuleNotFoundException) and ``registryId``, and pages with
  ``maxResults``/``nextToken``.
- UpdatePullThroughCacheRule changes the credential (or the ECR role) and nothing
  else; DeletePullThroughCacheRule leaves the cached repositories in place.

On the first pull of ``<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<path>:<tag>``
AWS creates the repository ``<prefix>/<path>`` and caches the image. Here ECS
pulls when it starts tasks: RunTask, StartTask, CreateService and UpdateService
with a desired count above zero, and CreateTaskSet. Each container image that
names this account's registry and a rule's prefix gets its repository (and the
tag) if missing.

``pull_through_prefix_for`` and ``pull_through_image`` are for other fixes (for
example a deployment deciding whether its image can be pulled).
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

# botocore's ECR model, shape PullThroughCacheRuleRepositoryPrefix.
PREFIX_MIN, PREFIX_MAX = 2, 30
PREFIX_PATTERN = r"^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$"
# botocore's ECR model, shape CredentialArn.
CREDENTIAL_MIN, CREDENTIAL_MAX = 50, 612
CREDENTIAL_PATTERN = (
    r"^arn:aws(-\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\-pullthroughcache\/[a-zA-Z0-9\/_+=.@-]+$"
)
REGISTRY_ID_PATTERN = r"[0-9]{12}"
MAX_RESULTS = 1000
ROOT = "ROOT"

# The upstream registries of the API reference (CreatePullThroughCacheRule, upstreamRegistryUrl), and
# the user guide's "Sync an upstream registry": which ones need a Secrets Manager secret.
UPSTREAMS_WITHOUT_CREDENTIAL = {"public.ecr.aws": "ecr-public", "registry.k8s.io": "k8s", "quay.io": "quay"}
UPSTREAMS_WITH_CREDENTIAL = {
    "registry-1.docker.io": "docker-hub",
    "ghcr.io": "github-container-registry",
    "registry.gitlab.com": "gitlab-container-registry",
    "cgr.dev": "chainguard",
}
AZURE_URL = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.azurecr\.io$")
ECR_URL = re.compile(r"^(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$")
# An image in a private ECR registry: <account>.dkr.ecr.<region>.amazonaws.com/<repository>[:<tag>][@<digest>]
ECR_IMAGE = re.compile(
    r"^(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/"
    r"(?P<repository>[a-z0-9][a-z0-9._/-]*?)(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)
MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


def upstream_registry_of(url: str) -> str | None:
    """The ``upstreamRegistry`` name of a supported upstream registry URL, or None."""
    if url in UPSTREAMS_WITHOUT_CREDENTIAL:
        return UPSTREAMS_WITHOUT_CREDENTIAL[url]
    if url in UPSTREAMS_WITH_CREDENTIAL:
        return UPSTREAMS_WITH_CREDENTIAL[url]
    if AZURE_URL.match(url):
        return "azure-container-registry"
    if ECR_URL.match(url):
        return "ecr"
    return None


def _rules(backend) -> dict[str, dict[str, Any]]:
    """The rules of one registry, on moto's ECR backend (so a reset clears them), by prefix without its trailing /."""
    if not hasattr(backend, "pull_through_cache_rules"):
        backend.pull_through_cache_rules = {}
    return backend.pull_through_cache_rules


def _ecr_backend(account_id: str, region: str):
    from moto.ecr.models import ecr_backends

    return ecr_backends[account_id][region]


def _bare(prefix: str) -> str:
    return prefix if prefix == ROOT else prefix.rstrip("/")


def pull_through_prefix_for(account_id: str, region: str, repository_name: str) -> dict[str, Any] | None:
    """The rule whose prefix covers ``repository_name`` in this registry, as DescribePullThroughCacheRules shows
    it (a copy), or None. The longest matching prefix wins; a ``ROOT`` rule covers names no other rule does."""
    rules = _rules(_ecr_backend(account_id, region))
    matching = [prefix for prefix in rules if prefix != ROOT and repository_name.startswith(prefix + "/")]
    if matching:
        return copy.deepcopy(rules[max(matching, key=len)])
    if ROOT in rules:
        return copy.deepcopy(rules[ROOT])
    return None


def _manifest(upstream: str, reference: str) -> str:
    """A small, stable image manifest for one upstream image (the same image always has the same digest)."""
    seed = hashlib.sha256(f"{upstream}:{reference}".encode()).hexdigest()
    layer = hashlib.sha256(f"layer:{seed}".encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": MANIFEST_MEDIA_TYPE,
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1469,
                "digest": f"sha256:{seed}",
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 3370706,
                    "digest": f"sha256:{layer}",
                }
            ],
        },
        sort_keys=True,
    )


def pull_through_image(image: str, account_id: str | None = None) -> dict[str, Any] | None:
    """Pull ``image`` through its registry's cache rule, as AWS does on a pull: the repository ``<prefix>/<path>``
    is created if missing and the tag (default ``latest``) cached in it. Returns the rule used, or None when the
    image is not in a private ECR registry (of ``account_id``, when given), or no rule covers it."""
    match = ECR_IMAGE.match(image or "")
    if not match or (account_id is not None and match["account"] != account_id):
        return None
    account, region, repository_name = match["account"], match["region"], match["repository"]
    try:
        backend = _ecr_backend(account, region)
    except KeyError:  # not a region moto knows
        return None
    rule = pull_through_prefix_for(account, region, repository_name)
    if rule is None:
        return None
    if repository_name not in backend.repositories:
        backend.create_repository(
            repository_name=repository_name,
            registry_id=None,
            encryption_config=None,
            image_scan_config=None,
            image_tag_mutability=None,
            tags=[],
        )
    repository = backend.repositories[repository_name]
    tag = match["tag"] or (None if match["digest"] else "latest")
    upstream = f"{rule['upstreamRegistryUrl']}/{repository_name}"
    if tag is not None:
        if not any(tag in cached.image_tags for cached in repository.images):
            backend.put_image(repository_name, _manifest(upstream, tag), tag, MANIFEST_MEDIA_TYPE)
    elif not any(cached.get_image_digest() == match["digest"] for cached in repository.images):
        manifest = _manifest(upstream, match["digest"])
        backend.put_image(repository_name, manifest, None, MANIFEST_MEDIA_TYPE, match["digest"])
    return rule


def _pull_images(task_definition, account_id: str) -> None:
    for container in getattr(task_definition, "container_definitions", None) or []:
        pull_through_image(container.get("image") or container.get("Image"), account_id)


def apply(options) -> None:
    from moto.core.exceptions import ServiceException
    from moto.core.responses import ActionResult
    from moto.ecr.exceptions import InvalidParameterException, ValidationException
    from moto.ecr.responses import ECRResponse
    from moto.ecs.models import EC2ContainerServiceBackend

    class PullThroughCacheRuleAlreadyExistsException(ServiceException):
        code = "PullThroughCacheRuleAlreadyExistsException"

    class PullThroughCacheRuleNotFoundException(ServiceException):
        code = "PullThroughCacheRuleNotFoundException"

    class UnsupportedUpstreamRegistryException(ServiceException):
        code = "UnsupportedUpstreamRegistryException"

    class SecretNotFoundException(ServiceException):
        code = "SecretNotFoundException"

    def constraint(value: Any, member: str, rule: str):
        # The wording of AWS's model validation (Coral) for a member that breaks its shape's constraint.
        return ValidationException(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must {rule}"
        )

    def check_prefix(prefix: Any, member: str = "ecrRepositoryPrefix") -> str:
        if not prefix:
            raise constraint(prefix, member, "not be null")
        if len(prefix) < PREFIX_MIN:
            raise constraint(prefix, member, f"have length greater than or equal to {PREFIX_MIN}")
        if len(prefix) > PREFIX_MAX:
            raise constraint(prefix, member, f"have length less than or equal to {PREFIX_MAX}")
        if not re.match(PREFIX_PATTERN, prefix):
            raise constraint(prefix, member, f"satisfy regular expression pattern: {PREFIX_PATTERN}")
        return prefix

    def check_registry_id(response) -> str:
        registry_id = response._get_param("registryId")
        account_id = response.current_account
        if registry_id is None:
            return account_id
        if not re.fullmatch(REGISTRY_ID_PATTERN, registry_id):
            raise constraint(registry_id, "registryId", f"satisfy regular expression pattern: {REGISTRY_ID_PATTERN}")
        return registry_id

    def foreign(registry_id: str, account_id: str):
        return InvalidParameterException(
            f"Invalid parameter at 'registryId' failed to satisfy constraint: 'The registry id {registry_id} is not "
            f"the registry of the account {account_id}'"
        )

    def check_credential(response, registry_id: str, upstream_url: str, upstream: str, credential_arn: Any) -> None:
        if credential_arn is None:
            if upstream in UPSTREAMS_WITH_CREDENTIAL.values() or upstream == "azure-container-registry":
                raise InvalidParameterException(
                    f"Invalid parameter at 'credentialArn' failed to satisfy constraint: 'The upstream registry "
                    f"{upstream_url} requires authentication; specify a credentialArn'"
                )
            return
        if len(credential_arn) < CREDENTIAL_MIN:
            raise constraint(credential_arn, "credentialArn", f"have length greater than or equal to {CREDENTIAL_MIN}")
        if len(credential_arn) > CREDENTIAL_MAX:
            raise constraint(credential_arn, "credentialArn", f"have length less than or equal to {CREDENTIAL_MAX}")
        if not re.match(CREDENTIAL_PATTERN, credential_arn):
            raise constraint(
                credential_arn, "credentialArn", f"satisfy regular expression pattern: {CREDENTIAL_PATTERN}"
            )
        if upstream not in UPSTREAMS_WITH_CREDENTIAL.values() and upstream != "azure-container-registry":
            raise InvalidParameterException(
                f"Invalid parameter at 'credentialArn' failed to satisfy constraint: 'The upstream registry "
                f"{upstream_url} does not use a credential'"
            )
        # The secret must be in the rule's account and region.
        from moto.secretsmanager.models import secretsmanager_backends

        parts = credential_arn.split(":")
        secrets = secretsmanager_backends[registry_id][response.region]
        if parts[3] != response.region or parts[4] != registry_id or credential_arn not in secrets.secrets:
            raise SecretNotFoundException(
                f"The secret {credential_arn} was not found in the registry's account {registry_id} and region "
                f"{response.region}."
            )

    def not_found(prefix: str, registry_id: str):
        return PullThroughCacheRuleNotFoundException(
            f"The pull through cache rule with prefix '{prefix}' does not exist in the registry with id '{registry_id}'"
        )

    def create_pull_through_cache_rule(self):
        prefix = check_prefix(self._get_param("ecrRepositoryPrefix"))
        registry_id = check_registry_id(self)
        if registry_id != self.current_account:
            raise foreign(registry_id, self.current_account)
        url = self._get_param("upstreamRegistryUrl")
        if not url:
            raise constraint(url, "upstreamRegistryUrl", "not be null")
        upstream = upstream_registry_of(url)
        if upstream is None:
            raise UnsupportedUpstreamRegistryException(f"The specified upstream registry {url} isn't supported.")
        named = self._get_param("upstreamRegistry")
        if named is not None and named != upstream:
            raise InvalidParameterException(
                f"Invalid parameter at 'upstreamRegistry' failed to satisfy constraint: 'The upstream registry URL "
                f"{url} is not a {named} registry'"
            )
        upstream_prefix = self._get_param("upstreamRepositoryPrefix")
        if upstream_prefix is not None:
            check_prefix(upstream_prefix, "upstreamRepositoryPrefix")
        if upstream != "ecr" and (prefix == ROOT or upstream_prefix is not None):
            member = "ecrRepositoryPrefix" if prefix == ROOT else "upstreamRepositoryPrefix"
            raise InvalidParameterException(
                f"Invalid parameter at '{member}' failed to satisfy constraint: 'ROOT and upstreamRepositoryPrefix "
                f"are only supported for an Amazon ECR upstream registry'"
            )
        if prefix == ROOT and upstream_prefix not in (None, ROOT):
            raise InvalidParameterException(
                "Invalid parameter at 'upstreamRepositoryPrefix' failed to satisfy constraint: 'An "
                "upstreamRepositoryPrefix can only be set when the ecrRepositoryPrefix is not ROOT'"
            )
        credential_arn = self._get_param("credentialArn")
        check_credential(self, registry_id, url, upstream, credential_arn)
        rules = _rules(self.ecr_backend)
        if _bare(prefix) in rules:
            raise PullThroughCacheRuleAlreadyExistsException(
                f"A pull through cache rule with prefix '{prefix}' already exists in the registry with id "
                f"'{registry_id}'"
            )
        now = datetime.now(UTC)
        rule = {
            "ecrRepositoryPrefix": prefix,
            "upstreamRegistryUrl": url,
            "createdAt": now,
            "registryId": registry_id,
            "upstreamRegistry": upstream,
            "updatedAt": now,
        }
        if credential_arn is not None:
            rule["credentialArn"] = credential_arn
        if self._get_param("customRoleArn") is not None:
            rule["customRoleArn"] = self._get_param("customRoleArn")
        if upstream == "ecr":
            rule["upstreamRepositoryPrefix"] = upstream_prefix or ROOT
        rules[_bare(prefix)] = rule
        return ActionResult({key: value for key, value in rule.items() if key != "updatedAt"})

    def describe_pull_through_cache_rules(self):
        registry_id = check_registry_id(self)
        prefixes = self._get_param("ecrRepositoryPrefixes")
        max_results = self._get_param("maxResults")
        if max_results is not None and not 1 <= int(max_results) <= MAX_RESULTS:
            bound = "greater than or equal to 1" if int(max_results) < 1 else f"less than or equal to {MAX_RESULTS}"
            raise constraint(max_results, "maxResults", f"have value {bound}")
        rules = _rules(self.ecr_backend) if registry_id == self.current_account else {}
        if prefixes is not None:
            for prefix in prefixes:
                check_prefix(prefix, "ecrRepositoryPrefixes.member")
            found = []
            for prefix in prefixes:
                if _bare(prefix) not in rules:
                    raise not_found(prefix, registry_id)
                if rules[_bare(prefix)] not in found:
                    found.append(rules[_bare(prefix)])
        else:
            found = list(rules.values())
        start = 0
        token = self._get_param("nextToken")
        if token:
            try:
                start = int(base64.urlsafe_b64decode(token.encode()).decode())
            except ValueError:
                raise InvalidParameterException(
                    "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid token'"
                ) from None
        end = len(found) if max_results is None else start + int(max_results)
        result: dict[str, Any] = {"pullThroughCacheRules": found[start:end]}
        if end < len(found):
            result["nextToken"] = base64.urlsafe_b64encode(str(end).encode()).decode()
        return ActionResult(result)

    def existing_rule(self) -> tuple[str, dict[str, Any]]:
        prefix = check_prefix(self._get_param("ecrRepositoryPrefix"))
        registry_id = check_registry_id(self)
        rules = _rules(self.ecr_backend) if registry_id == self.current_account else {}
        if _bare(prefix) not in rules:
            raise not_found(prefix, registry_id)
        return registry_id, rules[_bare(prefix)]

    def update_pull_through_cache_rule(self):
        registry_id, rule = existing_rule(self)
        credential_arn, role_arn = self._get_param("credentialArn"), self._get_param("customRoleArn")
        if rule["upstreamRegistry"] == "ecr":
            if credential_arn is not None:
                check_credential(self, registry_id, rule["upstreamRegistryUrl"], "ecr", credential_arn)
            if role_arn is not None:
                rule["customRoleArn"] = role_arn
        else:
            if role_arn is not None:
                raise InvalidParameterException(
                    "Invalid parameter at 'customRoleArn' failed to satisfy constraint: 'A custom role is only "
                    "supported for an Amazon ECR upstream registry'"
                )
            check_credential(self, registry_id, rule["upstreamRegistryUrl"], rule["upstreamRegistry"], credential_arn)
            rule["credentialArn"] = credential_arn
        rule["updatedAt"] = datetime.now(UTC)
        keys = (
            "ecrRepositoryPrefix",
            "registryId",
            "updatedAt",
            "credentialArn",
            "customRoleArn",
            "upstreamRepositoryPrefix",
        )
        return ActionResult({key: rule[key] for key in keys if key in rule})

    def delete_pull_through_cache_rule(self):
        _, rule = existing_rule(self)
        del _rules(self.ecr_backend)[_bare(rule["ecrRepositoryPrefix"])]
        # The cached repositories stay, as in AWS.
        keys = (
            "ecrRepositoryPrefix",
            "upstreamRegistryUrl",
            "createdAt",
            "registryId",
            "credentialArn",
            "customRoleArn",
            "upstreamRepositoryPrefix",
        )
        return ActionResult({key: rule[key] for key in keys if key in rule})

    ECRResponse.create_pull_through_cache_rule = create_pull_through_cache_rule
    ECRResponse.describe_pull_through_cache_rules = describe_pull_through_cache_rules
    ECRResponse.update_pull_through_cache_rule = update_pull_through_cache_rule
    ECRResponse.delete_pull_through_cache_rule = delete_pull_through_cache_rule

    # -- ECS pulls the images of the tasks it starts ---------------------------------------------

    def pulling_tasks(method):
        @functools.wraps(method)
        def started(self, *args, **kwargs):
            tasks = method(self, *args, **kwargs)
            for arn in dict.fromkeys(task.task_definition_arn for task in tasks or []):
                _pull_images(self.describe_task_definition(arn), self.account_id)
            return tasks

        return started

    def pulling_service(method):
        @functools.wraps(method)
        def changed(self, *args, **kwargs):
            service = method(self, *args, **kwargs)
            if service is not None and (service.desired_count or 0) > 0 and service.task_definition:
                definition = service.task_definition
                if isinstance(definition, str):
                    definition = self.describe_task_definition(definition)
                _pull_images(definition, self.account_id)
            return service

        return changed

    def pulling_task_set(method):
        @functools.wraps(method)
        def created(self, *args, **kwargs):
            task_set = method(self, *args, **kwargs)
            definition = getattr(task_set, "task_definition", None)
            if isinstance(definition, str):
                definition = self.describe_task_definition(definition)
            _pull_images(definition, self.account_id)
            return task_set

        return created

    EC2ContainerServiceBackend.run_task = pulling_tasks(EC2ContainerServiceBackend.run_task)
    EC2ContainerServiceBackend.start_task = pulling_tasks(EC2ContainerServiceBackend.start_task)
    EC2ContainerServiceBackend.create_service = pulling_service(EC2ContainerServiceBackend.create_service)
    EC2ContainerServiceBackend.update_service = pulling_service(EC2ContainerServiceBackend.update_service)
    EC2ContainerServiceBackend.create_task_set = pulling_task_set(EC2ContainerServiceBackend.create_task_set)
