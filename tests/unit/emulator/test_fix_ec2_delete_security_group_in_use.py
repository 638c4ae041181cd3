"""Fix ec2_delete_security_group_in_use: DeleteSecurityGroup answers DependencyViolation while in use."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def _vpc_with_groups(ec2) -> tuple[str, str, str]:
    """A VPC with groups "db" and "app", db allowing ingress from app."""
    vpc_id = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    db = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc_id)["GroupId"]
    app = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[_from_group(app)])
    return vpc_id, db, app


def _from_group(group_id: str) -> dict:
    return {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": group_id}]}


def _refused(call, **kwargs) -> None:
    with pytest.raises(ClientError) as error:
        call(**kwargs)
    assert error.value.response["Error"]["Code"] == "DependencyViolation"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_group_referenced_by_another_groups_rule_is_refused_until_revoked(emulator):
    ec2 = emulator.client("ec2")
    vpc_id, db, app = _vpc_with_groups(ec2)
    _refused(ec2.delete_security_group, GroupId=app)
    ec2.revoke_security_group_ingress(GroupId=db, IpPermissions=[_from_group(app)])
    ec2.delete_security_group(GroupId=app)
    assert [g["GroupName"] for g in ec2.describe_security_groups(GroupIds=[db])["SecurityGroups"]] == ["db"]


def test_egress_reference_counts_and_self_reference_does_not(emulator):
    ec2 = emulator.client("ec2")
    vpc_id, db, app = _vpc_with_groups(ec2)
    ec2.authorize_security_group_egress(GroupId=app, IpPermissions=[_from_group(db)])
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[_from_group(db)])
    _refused(ec2.delete_security_group, GroupId=db)
    ec2.revoke_security_group_egress(GroupId=app, IpPermissions=[_from_group(db)])
    ec2.delete_security_group(GroupId=db)  # its own rules referencing itself do not count


def test_group_used_by_a_network_interface_is_refused(emulator):
    ec2 = emulator.client("ec2")
    vpc_id, db, app = _vpc_with_groups(ec2)
    ec2.revoke_security_group_ingress(GroupId=db, IpPermissions=[_from_group(app)])
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.50.1.0/24")["Subnet"]["SubnetId"]
    eni_id = ec2.create_network_interface(SubnetId=subnet_id, Groups=[app])["NetworkInterface"]["NetworkInterfaceId"]
    _refused(ec2.delete_security_group, GroupId=app)
    _refused(ec2.delete_security_group, GroupName="app")  # by name too
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    ec2.delete_security_group(GroupId=app)


def test_unknown_group_is_still_not_found(emulator):
    with pytest.raises(ClientError) as error:
        emulator.client("ec2").delete_security_group(GroupId="sg-0123456789abcdef0")
    assert error.value.response["Error"]["Code"] == "InvalidGroup.NotFound"


def test_plain_moto_deletes_a_referenced_group(plain_moto):
    ec2 = plain_moto.client("ec2")
    vpc_id, db, app = _vpc_with_groups(ec2)
    ec2.delete_security_group(GroupId=app)
    assert ec2.describe_security_groups(GroupIds=[db])["SecurityGroups"][0]["IpPermissions"][0]["UserIdGroupPairs"]
