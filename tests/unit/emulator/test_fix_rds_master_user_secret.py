"""emulator/fixes/rds_master_user_secret.py: a managed master secret holds the real user and a random password."""

from __future__ import annotations

import json


def managed_cluster(rds, identifier: str = "aurora-dev", username: str = "app") -> dict:
    return rds.create_db_cluster(
        DBClusterIdentifier=identifier,
        Engine="aurora-postgresql",
        MasterUsername=username,
        ManageMasterUserPassword=True,
    )["DBCluster"]


def secret_value(session, arn: str) -> dict:
    return json.loads(session.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])


def test_cluster_secret_holds_the_master_user_and_a_random_password(emulator):
    rds = emulator.client("rds")
    first = secret_value(emulator, managed_cluster(rds)["MasterUserSecret"]["SecretArn"])
    second = secret_value(emulator, managed_cluster(rds, "aurora-prod", "owner")["MasterUserSecret"]["SecretArn"])
    assert (first["username"], second["username"]) == ("app", "owner")
    assert first["password"] != second["password"]
    assert len(first["password"]) == 32
    assert not set(first["password"]) & set("/'\"@ ")


def test_secret_is_named_and_tagged_as_rds_does(emulator):
    rds = emulator.client("rds")
    cluster = managed_cluster(rds)
    (secret,) = emulator.client("secretsmanager").list_secrets()["SecretList"]
    assert secret["ARN"] == cluster["MasterUserSecret"]["SecretArn"]
    assert secret["Name"].startswith("rds!cluster-")
    assert {"Key": "aws:rds:primaryDBClusterArn", "Value": cluster["DBClusterArn"]} in secret["Tags"]


def test_instance_secret_holds_its_master_user(emulator):
    instance = emulator.client("rds").create_db_instance(
        DBInstanceIdentifier="postgres-dev",
        Engine="postgres",
        DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20,
        MasterUsername="owner",
        ManageMasterUserPassword=True,
    )["DBInstance"]
    assert secret_value(emulator, instance["MasterUserSecret"]["SecretArn"])["username"] == "owner"


def test_plain_moto_writes_one_fixed_admin_password(plain_moto):
    rds = plain_moto.client("rds")
    value = secret_value(plain_moto, managed_cluster(rds)["MasterUserSecret"]["SecretArn"])
    assert value == {"username": "admin", "password": "P@55w0rd!"}
