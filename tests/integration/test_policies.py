"""What the deployed environment grants, read back from the account and checked as an auditor would.

Every IAM role of environment ``it`` (its trust policy, inline and customer-managed policies), every
resource policy of its buckets, functions, repositories and secrets, and every security group of
its VPC are read from the emulator after site.yml (the shared ``site`` deployment), so whatever a
role adds later is checked without changing this file. The checks:

- parliament, with its community auditors, finds nothing above LOW, but for the findings listed in
  ACCEPTED_FINDINGS, each with why it is no problem here (and each must still occur: a fixed one
  is struck from the list);
- no statement allows Action ``*`` on Resource ``*``, and no Allow names everyone as principal;
- every resource an Allow names is one of the environment's, except for the actions in
  UNSCOPED_ACTIONS, which AWS authorizes on ``*`` only (its Service Authorization Reference lists
  no resource type for them, or none that a playbook can name in advance);
- roles outside the environment are only those AWS requires by name (SHARED_ROLES);
- no security group accepts 0.0.0.0/0 or ::/0 but the load balancer's, and that one only on its
  production listener ports.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

import pytest

from tests.harness.policies import above, as_list, lint, names_environment, open_ingress, read_environment
from tests.integration.conftest import SUFFIX

# Runs on one worker with the other tests of the shared deployment's group (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("deployment-b")


@dataclass(frozen=True)
class Accepted:
    documents: str  # which documents, as a glob over PolicyDocument.label ("role *: trust")
    issue: str
    actions: frozenset[str]  # the finding may name these actions, no others
    reason: str


# parliament's findings above LOW that are no problem here, and why. Each names the documents, the
# issue and the actions, so the same finding elsewhere, or on another action, still fails.
ACCEPTED_FINDINGS = [
    Accepted(
        "role *: trust",
        "CREDENTIALS_EXPOSURE",
        frozenset({"sts:assumerole"}),
        "A trust policy is the list of who may assume its role: sts:AssumeRole is all it can grant. Who"
        " that is, is checked here (no Allow names everyone) and by parliament's principal checks.",
    ),
    Accepted(
        f"role ecs-execution-{SUFFIX}: inline pull-images-write-logs",
        "CREDENTIALS_EXPOSURE",
        frozenset({"ecr:getauthorizationtoken"}),
        "ECS logs in to ECR with this token to pull the task's image; AWS's own"
        " AmazonECSTaskExecutionRolePolicy grants it, and the token reads only the repositories the"
        " role may pull (this environment's).",
    ),
    Accepted(
        f"role ecs-execution-{SUFFIX}: inline pull-images-write-logs",
        "RESOURCE_MISMATCH",
        frozenset({"ecr:batchimportupstreamimage"}),
        "parliament 1.6.4's action table says BatchImportUpstreamImage takes Resource * only; AWS's"
        " Service Authorization Reference lists the repository* resource type for it.",
    ),
    Accepted(
        f"role codedeploy-{SUFFIX}: inline release-svc-app-{SUFFIX}",
        "RESOURCE_MISMATCH",
        frozenset({"elasticloadbalancing:modifylistener", "elasticloadbalancing:modifyrule"}),
        "AWS lists listener/app and listener/net (listener-rule/app and /net) as the resource types"
        " of these actions, one for each kind of load balancer; parliament wants both named, but an"
        " application load balancer's listeners are all listener/app.",
    ),
    Accepted(
        f"role codedeploy-{SUFFIX}: inline release-svc-app-{SUFFIX}",
        "PERMISSIONS_MANAGEMENT_ACTIONS",
        frozenset({"iam:passrole"}),
        "CodeDeploy starts the new task set with the service's roles, so it must pass them; the"
        " statement names the two roles of this environment and only to ecs-tasks.amazonaws.com"
        " (iam:PassedToService).",
    ),
    Accepted(
        f"role codedeploy-{SUFFIX}: inline release-svc-app-{SUFFIX}",
        "RESOURCE_MISMATCH",
        frozenset({"ecs:createtaskset"}),
        "parliament 1.6.4's action table says CreateTaskSet takes Resource * only; since ECS resolves"
        " the task definition revision before authorizing (March 2024) the statement names the"
        " service and the task family's revisions, which is what the Service Authorization Reference"
        " lists (service, task-definition). Not verified against a real account.",
    ),
    Accepted(
        f"role lambda-health-{SUFFIX}: inline health",
        "RESOURCE_MISMATCH",
        frozenset({"codedeploy:putlifecycleeventhookexecutionstatus"}),
        "parliament 1.6.4's action table says Resource * only; CodeDeploy's permissions reference"
        " gives the deployment group ARN as this action's resource.",
    ),
]


@dataclass(frozen=True)
class Unscoped:
    reason: str
    condition_key: str | None = None  # a condition key the statement must scope it with instead


# Actions an Allow may grant on resources that are not the environment's ("*"), and why: AWS's
# Service Authorization Reference lists no resource type for them, or only one whose IDs AWS makes
# at run time.
UNSCOPED_ACTIONS = {
    "ecr:GetAuthorizationToken": Unscoped("no resource type: the registry login is account-wide"),
    "elasticloadbalancing:DescribeTargetGroups": Unscoped("no resource type (Describe* of ELB)"),
    "elasticloadbalancing:DescribeListeners": Unscoped("no resource type (Describe* of ELB)"),
    "elasticloadbalancing:DescribeRules": Unscoped("no resource type (Describe* of ELB)"),
    "elasticloadbalancing:DescribeTargetHealth": Unscoped("no resource type (Describe* of ELB)"),
    "cloudwatch:PutMetricData": Unscoped(
        "no resource type; the namespace condition keeps it to this project's metrics", "cloudwatch:namespace"
    ),
    "ec2:DescribeNetworkInterfaces": Unscoped("no resource type; Lambda needs it to attach a function to a VPC"),
    "ec2:DescribeSubnets": Unscoped("no resource type; Lambda needs it to attach a function to a VPC"),
    "ec2:DeleteNetworkInterface": Unscoped(
        "resource type network-interface only, and Lambda makes the function's interfaces (and their IDs)"
        " itself; AWS's Lambda guide says to allow all of them"
    ),
    "ec2:CreateNetworkInterface": Unscoped(
        "EC2 names a new interface itself (network-interface/*); the statement also names the private"
        " subnets and the functions' security group, the resources an interface is created in"
    ),
    "dms:DescribeReplicationTasks": Unscoped("no resource-level scope; the health checker filters by its task's ARN"),
    "ec2:AssignPrivateIpAddresses": Unscoped("resource type network-interface only, of interfaces Lambda makes"),
    "ec2:UnassignPrivateIpAddresses": Unscoped("resource type network-interface only, of interfaces Lambda makes"),
}

# Roles of the project that belong to no environment: AWS looks them up by these names, account-wide.
SHARED_ROLES: dict[str, tuple[list[str], str]] = {
    "dms-vpc-role": (
        ["arn:aws:iam::aws:policy/service-role/AmazonDMSVPCManagementRole"],
        "DMS creates its replication instances' network interfaces as this exact role, with AWS's policy",
    ),
    "dms-cloudwatch-logs-role": (
        ["arn:aws:iam::aws:policy/service-role/AmazonDMSCloudWatchLogsRole"],
        "DMS writes its task logs as this exact role, with AWS's policy",
    ),
}

# The production listener: 80, and 443 once a certificate is given (roles/vpc opens both).
PUBLIC_LISTENER_PORTS = {80, 443}


@pytest.fixture(scope="module")
def environment(site, emulator_process):
    return read_environment(emulator_process.client, SUFFIX)


@pytest.fixture(scope="module")
def findings(environment):
    return [finding for document in environment.documents for finding in lint(document)]


def _accepted_by(finding) -> Accepted | None:
    return next(
        (
            a
            for a in ACCEPTED_FINDINGS
            if fnmatchcase(finding.document, a.documents) and a.issue == finding.issue and finding.actions <= a.actions
        ),
        None,
    )


def _allows(environment):
    """(document label, statement) of every Allow statement."""
    return [(d.label, s) for d in environment.documents for s in d.statements() if s.get("Effect") == "Allow"]


def test_the_read_back_found_every_kind_of_document(environment):
    # Guards the checks below against passing on nothing: what site.yml builds has all of these.
    kinds = {d.kind for d in environment.documents}
    assert kinds == {"trust", "identity", "resource"}, [d.label for d in environment.documents]
    assert environment.load_balancer_group_ids, "no load balancer of the environment was found"
    assert len(environment.security_groups) > len(environment.load_balancer_group_ids)


def test_parliament_finds_nothing_above_low(findings):
    unexpected = [str(f) for f in findings if above(f.severity, "LOW") and _accepted_by(f) is None]
    assert unexpected == []


def test_every_accepted_finding_still_occurs(findings):
    used = {_accepted_by(f) for f in findings}
    assert [a for a in ACCEPTED_FINDINGS if a not in used] == []


def test_no_statement_allows_every_action_on_every_resource(environment):
    for document in environment.documents:
        for statement in document.statements():
            actions = set(as_list(statement.get("Action", [])))
            resources = set(as_list(statement.get("Resource", [])))
            assert not (actions & {"*", "*:*"} and "*" in resources), f"{document.label}: {statement}"


def test_no_allow_names_everyone_as_principal(environment):
    for label, statement in _allows(environment):
        principal = statement.get("Principal", {})
        named = principal if isinstance(principal, str) else [p for v in principal.values() for p in as_list(v)]
        assert "*" not in as_list(named), f"{label}: {statement}"
        assert "NotPrincipal" not in statement and "NotAction" not in statement and "NotResource" not in statement


def test_allows_name_only_the_environments_resources_where_aws_allows_it(environment):
    unscoped = []
    for label, statement in _allows(environment):
        resources = as_list(statement.get("Resource", []))
        foreign = [r for r in resources if not names_environment(r, SUFFIX) and r not in environment.opaque_arns]
        actions = [a for a in as_list(statement.get("Action", [])) if a not in UNSCOPED_ACTIONS]
        if foreign and actions:
            unscoped.append(f"{label}: {statement.get('Sid', '')} grants {actions} on {foreign}")
    assert unscoped == []


def test_unscoped_actions_carry_the_condition_that_scopes_them(environment):
    for label, statement in _allows(environment):
        for action in as_list(statement.get("Action", [])):
            key = UNSCOPED_ACTIONS[action].condition_key if action in UNSCOPED_ACTIONS else None
            if key:
                keys = {k.lower() for block in statement.get("Condition", {}).values() for k in block}
                assert key.lower() in keys, f"{label}: {action} without a {key} condition"


def test_every_unscoped_action_is_still_granted(environment):
    granted = {a for _, s in _allows(environment) for a in as_list(s.get("Action", []))}
    assert sorted(set(UNSCOPED_ACTIONS) - granted) == []


def test_roles_outside_the_environment_are_those_aws_requires_by_name(environment):
    shared = {role.name: role.aws_managed_policies for role in environment.roles if "Environment" not in role.tags}
    assert shared == {name: policies for name, (policies, _) in SHARED_ROLES.items()}
    for role in environment.roles:
        if role.name not in SHARED_ROLES:
            assert role.name.endswith(f"-{SUFFIX}") and role.tags.get("Environment") == SUFFIX, role.name
            assert role.aws_managed_policies == [], f"{role.name} has AWS's policies {role.aws_managed_policies}"


def test_only_the_load_balancer_accepts_the_internet_and_only_on_its_listener_ports(environment):
    for group in environment.security_groups:
        for protocol, first, last, source in open_ingress(group):
            where = f"{group['GroupName']} accepts {source} on {protocol} {first}-{last}"
            assert group["GroupId"] in environment.load_balancer_group_ids, where
            assert protocol == "tcp" and first == last and first in PUBLIC_LISTENER_PORTS, where
