"""Read back what an environment grants, and lint it the way an auditor would.

``read_environment`` asks the account (the emulator, or AWS) for every IAM role of one environment
with its trust policy, inline and customer-managed policies, the resource policies of its buckets,
functions, repositories and secrets, and the security groups of its VPC. It reads what was
deployed, not the templates, so a role added later (or a policy rendered wrong) is covered without
touching the tests.

``lint`` runs parliament (with its community auditors, like ``parliament
--include-community-auditors``) on one document and returns its findings with their severities.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import parliament
from botocore.exceptions import ClientError

# The order parliament's CLI ranks severities in (its --minimum_severity choices).
SEVERITIES = ["MUTE", "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
AWS_MANAGED_POLICY_PREFIX = "arn:aws:iam::aws:policy/"
OPEN_TO_ALL = {"0.0.0.0/0", "::/0"}

# The CLI loads the community auditors' severities over its own before it reports; so do we.
parliament.override_config(str(Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml"))


@dataclass(frozen=True)
class PolicyDocument:
    owner: str  # what the document is attached to: "role ecs-execution-it", "bucket s3-data-it"
    name: str  # "trust", "inline pull-images-write-logs", "managed <arn>", "resource policy"
    kind: str  # "trust", "identity" or "resource"
    document: dict
    guarded_arn: str = ""  # for a trust policy: the role it lets principals assume

    @property
    def label(self) -> str:
        return f"{self.owner}: {self.name}"

    def statements(self) -> list[dict]:
        return as_list(self.document.get("Statement", []))


@dataclass
class Role:
    name: str
    arn: str
    tags: dict
    documents: list[PolicyDocument]
    aws_managed_policies: list[str]  # ARNs of AWS's own policies attached to it (AWS writes those)


@dataclass
class Environment:
    suffix: str
    roles: list[Role]  # the environment's roles, and the account-wide ones tagged Project=envmigrate
    resource_policies: list[PolicyDocument]
    security_groups: list[dict]  # every group of the environment's VPC, as describe_security_groups answers
    load_balancer_group_ids: set[str]  # the groups the environment's load balancers are in
    opaque_arns: set[str] = field(default_factory=set)  # environment resources whose ARN hides their name

    @property
    def documents(self) -> list[PolicyDocument]:
        return [d for role in self.roles for d in role.documents] + self.resource_policies


@dataclass(frozen=True)
class Finding:
    document: str  # PolicyDocument.label
    issue: str  # parliament's id, e.g. RESOURCE_MISMATCH
    severity: str
    actions: frozenset[str]  # the actions it names, lower case ("ecr:getauthorizationtoken")
    detail: str

    def __str__(self) -> str:
        return f"{self.severity} {self.issue} in {self.document}: {self.detail}"


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# -- reading back ---------------------------------------------------------------------------------


def read_environment(client, suffix: str) -> Environment:
    """Everything the environment ``suffix`` grants; ``client(service)`` returns a boto3 client."""
    return Environment(
        suffix=suffix,
        roles=read_roles(client("iam"), suffix),
        resource_policies=read_resource_policies(client, suffix),
        security_groups=read_security_groups(client("ec2"), suffix),
        load_balancer_group_ids=load_balancer_group_ids(client("elbv2"), suffix),
        opaque_arns=dms_arns(client("dms"), suffix),
    )


def belongs_to(name: str, suffix: str) -> bool:
    return name.endswith(f"-{suffix}")


def read_roles(iam, suffix: str) -> list[Role]:
    """The environment's roles (named ``*-<suffix>`` or tagged with it) and the project's shared ones."""
    roles = []
    for page in iam.get_paginator("list_roles").paginate():
        for summary in page["Roles"]:
            name = summary["RoleName"]
            tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name)["Tags"]}
            ours = belongs_to(name, suffix) or tags.get("Environment") == suffix
            shared = tags.get("Project") == "envmigrate" and "Environment" not in tags
            if ours or shared:
                roles.append(read_role(iam, summary, tags))
    return roles


def read_role(iam, summary: dict, tags: dict) -> Role:
    name, arn = summary["RoleName"], summary["Arn"]
    role = iam.get_role(RoleName=name)["Role"]
    documents = [PolicyDocument(f"role {name}", "trust", "trust", role["AssumeRolePolicyDocument"], arn)]
    for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        documents.append(PolicyDocument(f"role {name}", f"inline {policy_name}", "identity", document))
    aws_managed = []
    for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        policy_arn = attached["PolicyArn"]
        if policy_arn.startswith(AWS_MANAGED_POLICY_PREFIX):
            aws_managed.append(policy_arn)
            continue
        version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)["PolicyVersion"]["Document"]
        documents.append(PolicyDocument(f"role {name}", f"managed {policy_arn}", "identity", decoded(document)))
    return Role(name, arn, tags, documents, sorted(aws_managed))


def decoded(document) -> dict:
    """IAM documents come back as dicts from boto3, resource policies as JSON text."""
    return json.loads(document) if isinstance(document, str) else document


def read_resource_policies(client, suffix: str) -> list[PolicyDocument]:
    found = []
    for what, service_name, names, policy_of in _RESOURCE_POLICY_READERS:
        service = client(service_name)
        for name in names(service):
            # Not only a suffix: bucket names end with the account ID, for being global.
            if names_environment(name, suffix):
                text = _absent_as_none(policy_of, service, name)
                if text:
                    found.append(PolicyDocument(f"{what} {name}", "resource policy", "resource", decoded(text)))
    return found


def _absent_as_none(read_policy, service, name: str):
    """A resource without a policy answers with an error (NoSuchBucketPolicy and the like)."""
    try:
        return read_policy(service, name)
    except ClientError as error:
        if error.response["Error"]["Code"] in {
            "NoSuchBucketPolicy",
            "ResourceNotFoundException",
            "RepositoryPolicyNotFoundException",
        }:
            return None
        raise


def _pages(service, operation: str, key: str, name_key: str, **kwargs) -> list[str]:
    return [
        item[name_key] for page in service.get_paginator(operation).paginate(**kwargs) for item in page.get(key, [])
    ]


# (what, its service, how to list the names, how to read one's policy text): every kind of resource
# policy a role of the collection may set.
_RESOURCE_POLICY_READERS = [
    (
        "bucket",
        "s3",
        lambda s3: [b["Name"] for b in s3.list_buckets()["Buckets"]],
        lambda s3, name: s3.get_bucket_policy(Bucket=name)["Policy"],
    ),
    (
        "lambda function",
        "lambda",
        lambda aws: _pages(aws, "list_functions", "Functions", "FunctionName"),
        lambda aws, name: aws.get_policy(FunctionName=name)["Policy"],
    ),
    (
        "ecr repository",
        "ecr",
        lambda ecr: _pages(ecr, "describe_repositories", "repositories", "repositoryName"),
        lambda ecr, name: ecr.get_repository_policy(repositoryName=name)["policyText"],
    ),
    (
        "secret",
        "secretsmanager",
        lambda aws: _pages(aws, "list_secrets", "SecretList", "Name"),
        lambda aws, name: aws.get_resource_policy(SecretId=name).get("ResourcePolicy"),
    ),
]


def read_security_groups(ec2, suffix: str) -> list[dict]:
    """Every security group in the environment's VPC, the VPC's default group included."""
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Environment", "Values": [suffix]}])["Vpcs"]
    vpc_ids = [vpc["VpcId"] for vpc in vpcs]
    if not vpc_ids:
        return []
    return ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": vpc_ids}])["SecurityGroups"]


def load_balancer_group_ids(elbv2, suffix: str) -> set[str]:
    balancers = elbv2.describe_load_balancers()["LoadBalancers"]
    return {g for b in balancers if belongs_to(b["LoadBalancerName"], suffix) for g in b.get("SecurityGroups", [])}


def dms_arns(dms, suffix: str) -> set[str]:
    """DMS names its resources by ARNs of random letters: the only ones whose ARN lacks the suffix."""
    tasks = dms.describe_replication_tasks()["ReplicationTasks"]
    endpoints = dms.describe_endpoints()["Endpoints"]
    instances = dms.describe_replication_instances()["ReplicationInstances"]
    return (
        {t["ReplicationTaskArn"] for t in tasks if belongs_to(t["ReplicationTaskIdentifier"], suffix)}
        | {e["EndpointArn"] for e in endpoints if belongs_to(e["EndpointIdentifier"], suffix)}
        | {i["ReplicationInstanceArn"] for i in instances if belongs_to(i["ReplicationInstanceIdentifier"], suffix)}
    )


# -- checks ---------------------------------------------------------------------------------------


def lint(document: PolicyDocument) -> list[Finding]:
    """parliament's findings on ``document``, with the severities its CLI reports them with."""
    text = json.dumps(_as_parliament_reads(document))
    policy = parliament.analyze_policy_string(text, include_community_auditors=True)
    return [_finding(document.label, parliament.enhance_finding(f)) for f in policy.findings]


def _as_parliament_reads(document: PolicyDocument) -> dict:
    """The document as parliament can check it whole; it skips the rest of a statement it calls
    malformed, and two kinds of documents have statements AWS accepts that it calls so:

    - a trust policy has no Resource (it guards its role): give each statement the role itself,
      which is what AWS evaluates it against;
    - resource policies of Lambda, SNS, SQS and others take Sids with - and _ (Lambda's statement
      ids), where IAM's grammar, which parliament applies, takes letters and digits only: keep those.
    """
    statements = document.statements()
    if document.kind == "trust":
        statements = [
            s if "Resource" in s or "NotResource" in s else {**s, "Resource": document.guarded_arn} for s in statements
        ]
    if document.kind == "resource":
        statements = [{**s, "Sid": re.sub("[^0-9A-Za-z]", "", s["Sid"])} if "Sid" in s else s for s in statements]
    return {**document.document, "Statement": statements}


def _finding(label: str, finding) -> Finding:
    return Finding(label, finding.issue, finding.severity, _actions_named(finding), json.dumps(finding.detail))


def _actions_named(finding) -> frozenset[str]:
    """Community auditors list their actions in the location; RESOURCE_* findings in the detail."""
    actions = list(finding.location.get("actions", []))
    for item in finding.detail if isinstance(finding.detail, list) else []:
        actions.append(item["action"] if isinstance(item, dict) else item)
    if "string" in finding.location and ":" in str(finding.location["string"]):
        actions.append(finding.location["string"])
    return frozenset(str(a).lower() for a in actions)


def above(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) > SEVERITIES.index(threshold)


def names_environment(resource: str, suffix: str) -> bool:
    """Whether an ARN (or ARN pattern) names a resource of the environment: the suffix is one of the
    words of its resource part ("repository/ecr-app-it", "secret:secret-dms-source-it-??????")."""
    resource_part = resource.split(":", 5)[5] if resource.startswith("arn:") and resource.count(":") >= 5 else resource
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(suffix)}(?![A-Za-z0-9])", resource_part) is not None


def open_ingress(group: dict) -> list[tuple[str, int | None, int | None, str]]:
    """(protocol, from port, to port, source) of every ingress rule open to any address."""
    found = []
    for permission in group.get("IpPermissions", []):
        sources = [r["CidrIp"] for r in permission.get("IpRanges", [])]
        sources += [r["CidrIpv6"] for r in permission.get("Ipv6Ranges", [])]
        for source in sources:
            if source in OPEN_TO_ALL:
                found.append((permission["IpProtocol"], permission.get("FromPort"), permission.get("ToPort"), source))
    return found
