"""Small DMS fixtures-by-function shared by the DMS fix tests: a network, an instance, endpoints, a task."""

from __future__ import annotations

import json
from dataclasses import dataclass

TABLE_MAPPINGS = json.dumps(
    {
        "rules": [
            {
                "rule-type": "selection",
                "rule-id": str(number),
                "rule-name": str(number),
                "object-locator": {"schema-name": "public", "table-name": table},
                "rule-action": "include",
            }
            for number, table in enumerate(["customers", "orders"], start=1)
        ]
    }
)

# The waiters poll every 5-60 s on AWS; here every answer is already final.
FAST = {"Delay": 1, "MaxAttempts": 5}


@dataclass
class Migration:
    subnet_ids: list[str]
    instance_arn: str
    source_arn: str
    target_arn: str
    task_arn: str | None = None


def subnets(ec2, cidr: str = "10.40.0.0/16") -> list[str]:
    """Two subnets in two Availability Zones of a new VPC, as a replication subnet group needs."""
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    prefix = cidr.rsplit(".", 2)[0]
    return [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"{prefix}.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for n, zone in ((1, "a"), (2, "b"))
    ]


def endpoint(dms, identifier: str, kind: str) -> str:
    return dms.create_endpoint(
        EndpointIdentifier=identifier,
        EndpointType=kind,
        EngineName="postgres" if kind == "source" else "aurora-postgresql",
        ServerName=f"{identifier}.example.internal",
        Port=5432,
        DatabaseName="app",
        Username="migrator",
        Password="not-a-secret",
    )["Endpoint"]["EndpointArn"]


def migration(session, with_task: bool = True, migration_type: str = "full-load-and-cdc") -> Migration:
    """Subnet group, replication instance, source and target endpoints and (optionally) a task."""
    dms = session.client("dms")
    subnet_ids = subnets(session.client("ec2"))
    dms.create_replication_subnet_group(
        ReplicationSubnetGroupIdentifier="dms-subnets",
        ReplicationSubnetGroupDescription="DMS subnets",
        SubnetIds=subnet_ids,
    )
    instance_arn = dms.create_replication_instance(
        ReplicationInstanceIdentifier="dms-instance",
        ReplicationInstanceClass="dms.t3.medium",
        ReplicationSubnetGroupIdentifier="dms-subnets",
    )["ReplicationInstance"]["ReplicationInstanceArn"]
    result = Migration(subnet_ids, instance_arn, endpoint(dms, "source", "source"), endpoint(dms, "target", "target"))
    if with_task:
        result.task_arn = task(dms, result, MigrationType=migration_type)
    return result


def task(dms, setup: Migration, identifier: str = "dms-task", **extra) -> str:
    parameters = {
        "ReplicationTaskIdentifier": identifier,
        "SourceEndpointArn": setup.source_arn,
        "TargetEndpointArn": setup.target_arn,
        "ReplicationInstanceArn": setup.instance_arn,
        "MigrationType": "full-load-and-cdc",
        "TableMappings": TABLE_MAPPINGS,
        **extra,
    }
    return dms.create_replication_task(**parameters)["ReplicationTask"]["ReplicationTaskArn"]


def task_status(dms, task_arn: str) -> str:
    (described,) = dms.describe_replication_tasks(Filters=[{"Name": "replication-task-arn", "Values": [task_arn]}])[
        "ReplicationTasks"
    ]
    return described["Status"]
