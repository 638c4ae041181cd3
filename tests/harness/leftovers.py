"""List what an environment owns, by reading every resource type back from the emulator.

``resources_of(emulator, suffix)`` returns {resource type: [ids]} for everything that carries
the suffix in its name or its Environment tag, skipping what AWS reports as deleted. A teardown
test asserts it is empty; an isolation test asserts another suffix's list is unchanged.
Each later role adds the scanners of its own resource types here.

From the command line (the molecule scenario's destroy), exit status 1 and a list when anything is left:

    python -m tests.harness.leftovers --endpoint http://127.0.0.1:4590 --suffix mol
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from emulator import standins

GONE = {"deleted", "deleting", "failed"}


def _tags(resource: dict) -> dict:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def _owned(suffix: str, name: str | None = None, tags: dict | None = None) -> bool:
    tags = tags or {}
    if tags.get("Environment") == suffix:
        return True
    name = name or tags.get("Name") or ""
    return name.endswith("-" + suffix) or ("-" + suffix + "-") in name


def _ec2(call: str, key: str, id_key: str, state_key: str | None = None) -> Callable:
    def scan(emulator, suffix):
        items = getattr(emulator.client("ec2"), call)()[key]
        return [
            i[id_key]
            for i in items
            if _owned(suffix, tags=_tags(i)) and (state_key is None or i.get(state_key) not in GONE)
        ]

    return scan


def _security_groups(emulator, suffix):
    groups = emulator.client("ec2").describe_security_groups()["SecurityGroups"]
    return [g["GroupId"] for g in groups if _owned(suffix, g["GroupName"], _tags(g))]


def _buckets(emulator, suffix):
    return [b["Name"] for b in emulator.client("s3").list_buckets()["Buckets"] if _owned(suffix, b["Name"])]


def _tables(emulator, suffix):
    return [t for t in emulator.client("dynamodb").list_tables()["TableNames"] if _owned(suffix, t)]


def _rds(call: str, key: str, id_key: str) -> Callable:
    def scan(emulator, suffix):
        return [i[id_key] for i in getattr(emulator.client("rds"), call)()[key] if _owned(suffix, i[id_key])]

    return scan


def _dms(call: str, key: str, id_key: str) -> Callable:
    def scan(emulator, suffix):
        client = emulator.client("dms")
        try:
            items = getattr(client, call)()[key]
        except client.exceptions.ResourceNotFoundFault:
            return []
        return [i[id_key] for i in items if _owned(suffix, i[id_key])]

    return scan


def _secrets(emulator, suffix):
    secrets = emulator.client("secretsmanager").list_secrets()["SecretList"]

    def ours(secret):
        # RDS names its managed secret rds!cluster-<uuid> and tags it with the cluster's ARN.
        managed = any(v.endswith(f":cluster:aurora-{suffix}") for v in _tags(secret).values())
        return managed or _owned(suffix, secret["Name"], _tags(secret))

    return [s["Name"] for s in secrets if ours(s) and "DeletedDate" not in s]


def _roles(emulator, suffix):
    roles = emulator.client("iam").list_roles()["Roles"]
    return [r["RoleName"] for r in roles if _owned(suffix, r["RoleName"])]


def _ecr_repositories(emulator, suffix):
    repositories = emulator.client("ecr").describe_repositories()["repositories"]
    # Pull-through cache repositories are named <prefix>/<upstream path>; the prefix carries the suffix.
    return [r["repositoryName"] for r in repositories if _owned(suffix, r["repositoryName"].split("/")[0])]


def _pull_through_rules(emulator, suffix):
    rules = emulator.client("ecr").describe_pull_through_cache_rules()["pullThroughCacheRules"]
    return [r["ecrRepositoryPrefix"] for r in rules if _owned(suffix, r["ecrRepositoryPrefix"])]


def _ecs_clusters(emulator, suffix):
    ecs = emulator.client("ecs")
    arns = ecs.list_clusters()["clusterArns"]
    clusters = ecs.describe_clusters(clusters=arns)["clusters"] if arns else []
    return [c["clusterName"] for c in clusters if c["status"] == "ACTIVE" and _owned(suffix, c["clusterName"])]


def _ecs_services(emulator, suffix):
    ecs = emulator.client("ecs")
    found = []
    for cluster in ecs.list_clusters()["clusterArns"]:
        arns = ecs.list_services(cluster=cluster)["serviceArns"]
        services = ecs.describe_services(cluster=cluster, services=arns)["services"] if arns else []
        found += [s["serviceName"] for s in services if s["status"] != "INACTIVE" and _owned(suffix, s["serviceName"])]
    return found


def _task_definitions(emulator, suffix):
    arns = emulator.client("ecs").list_task_definitions(status="ACTIVE")["taskDefinitionArns"]
    return [a.rsplit("/", 1)[1] for a in arns if _owned(suffix, a.rsplit("/", 1)[1].split(":")[0])]


def _load_balancers(emulator, suffix):
    elbv2 = emulator.client("elbv2")
    return [
        b["LoadBalancerName"]
        for b in elbv2.describe_load_balancers()["LoadBalancers"]
        if _owned(suffix, b["LoadBalancerName"])
    ]


def _target_groups(emulator, suffix):
    groups = emulator.client("elbv2").describe_target_groups()["TargetGroups"]
    return [g["TargetGroupName"] for g in groups if _owned(suffix, g["TargetGroupName"])]


def _codedeploy_applications(emulator, suffix):
    return [a for a in emulator.client("codedeploy").list_applications()["applications"] if _owned(suffix, a)]


def _log_groups(emulator, suffix):
    groups = emulator.client("logs").describe_log_groups()["logGroups"]
    # Paths such as /aws/rds/cluster/aurora-<suffix>/postgresql carry the suffix in one segment.
    return [g["logGroupName"] for g in groups if any(_owned(suffix, part) for part in g["logGroupName"].split("/"))]


def _lambda_functions(emulator, suffix):
    functions = emulator.client("lambda").list_functions()["Functions"]
    return [f["FunctionName"] for f in functions if _owned(suffix, f["FunctionName"])]


def _event_rules(emulator, suffix):
    return [r["Name"] for r in emulator.client("events").list_rules()["Rules"] if _owned(suffix, r["Name"])]


def _sns_topics(emulator, suffix):
    topics = emulator.client("sns").list_topics()["Topics"]
    return [t["TopicArn"] for t in topics if _owned(suffix, t["TopicArn"].rsplit(":", 1)[-1])]


def _alarms(emulator, suffix):
    alarms = emulator.client("cloudwatch").describe_alarms()["MetricAlarms"]
    return [a["AlarmName"] for a in alarms if _owned(suffix, a["AlarmName"])]


def _dashboards(emulator, suffix):
    entries = emulator.client("cloudwatch").list_dashboards()["DashboardEntries"]
    return [d["DashboardName"] for d in entries if _owned(suffix, d["DashboardName"])]


def _hosted_zones(emulator, suffix):
    zones = emulator.client("route53").list_hosted_zones()["HostedZones"]
    # The default zone is <suffix>.envmigrate.example: the suffix is its first label.
    return [z["Name"] for z in zones if z["Name"].split(".")[0] == suffix or _owned(suffix, z["Name"].rstrip("."))]


def _health_checks(emulator, suffix):
    route53 = emulator.client("route53")
    checks = route53.list_health_checks()["HealthChecks"]
    found = []
    for check in checks:
        tags = route53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=check["Id"])["ResourceTagSet"]
        if _owned(suffix, tags={t["Key"]: t["Value"] for t in tags.get("Tags", [])}):
            found.append(check["Id"])
    return found


SCANNERS: dict[str, Callable] = {
    "vpc": _ec2("describe_vpcs", "Vpcs", "VpcId"),
    "subnet": _ec2("describe_subnets", "Subnets", "SubnetId"),
    "internet_gateway": _ec2("describe_internet_gateways", "InternetGateways", "InternetGatewayId"),
    "nat_gateway": _ec2("describe_nat_gateways", "NatGateways", "NatGatewayId", "State"),
    "elastic_ip": _ec2("describe_addresses", "Addresses", "AllocationId"),
    "route_table": _ec2("describe_route_tables", "RouteTables", "RouteTableId"),
    "security_group": _security_groups,
    "vpn_gateway": _ec2("describe_vpn_gateways", "VpnGateways", "VpnGatewayId", "State"),
    "customer_gateway": _ec2("describe_customer_gateways", "CustomerGateways", "CustomerGatewayId", "State"),
    "vpn_connection": _ec2("describe_vpn_connections", "VpnConnections", "VpnConnectionId", "State"),
    "vpc_endpoint": _ec2("describe_vpc_endpoints", "VpcEndpoints", "VpcEndpointId", "State"),
    "s3_bucket": _buckets,
    "dynamodb_table": _tables,
    "rds_cluster": _rds("describe_db_clusters", "DBClusters", "DBClusterIdentifier"),
    "rds_instance": _rds("describe_db_instances", "DBInstances", "DBInstanceIdentifier"),
    "db_subnet_group": _rds("describe_db_subnet_groups", "DBSubnetGroups", "DBSubnetGroupName"),
    "rds_snapshot": _rds("describe_db_cluster_snapshots", "DBClusterSnapshots", "DBClusterIdentifier"),
    "dms_replication_instance": _dms(
        "describe_replication_instances", "ReplicationInstances", "ReplicationInstanceIdentifier"
    ),
    "dms_endpoint": _dms("describe_endpoints", "Endpoints", "EndpointIdentifier"),
    "dms_replication_task": _dms("describe_replication_tasks", "ReplicationTasks", "ReplicationTaskIdentifier"),
    "dms_subnet_group": _dms(
        "describe_replication_subnet_groups", "ReplicationSubnetGroups", "ReplicationSubnetGroupIdentifier"
    ),
    "secret": _secrets,
    "iam_role": _roles,
    "ecr_repository": _ecr_repositories,
    "ecr_pull_through_cache_rule": _pull_through_rules,
    "ecs_cluster": _ecs_clusters,
    "ecs_service": _ecs_services,
    "ecs_task_definition": _task_definitions,
    "load_balancer": _load_balancers,
    "target_group": _target_groups,
    "codedeploy_application": _codedeploy_applications,
    "log_group": _log_groups,
    "hosted_zone": _hosted_zones,
    "health_check": _health_checks,
    "lambda_function": _lambda_functions,
    "event_rule": _event_rules,
    "sns_topic": _sns_topics,
    "cloudwatch_alarm": _alarms,
    "cloudwatch_dashboard": _dashboards,
}


def resources_of(emulator, suffix: str) -> dict[str, list[str]]:
    """Every resource of the environment, by type; types with none are left out."""
    found = {kind: sorted(scan(emulator, suffix)) for kind, scan in SCANNERS.items()}
    return {kind: ids for kind, ids in found.items() if ids}


class Endpoint:
    """What ``resources_of`` needs of an emulator, from its URL alone: clients with the dummy credentials
    that retry throttling patiently (the stand-ins' clients, emulator/standins.py)."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint

    def client(self, service: str):
        return standins.client(self.endpoint, service)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.harness.leftovers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True, help="the emulator, for example http://127.0.0.1:4590")
    parser.add_argument("--suffix", required=True, help="env_suffix of the environment")
    args = parser.parse_args(argv)
    left = resources_of(Endpoint(args.endpoint), args.suffix)
    for kind, ids in left.items():
        print(f"{kind}: {', '.join(ids)}")
    if left:
        print(f"{sum(map(len, left.values()))} resources of {args.suffix} left", file=sys.stderr)
        return 1
    print(f"nothing of {args.suffix} left")
    return 0


if __name__ == "__main__":
    sys.exit(main())
