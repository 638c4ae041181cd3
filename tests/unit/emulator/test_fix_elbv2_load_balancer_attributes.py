"""emulator/fixes/elbv2_load_balancer_attributes.py: an ALB has all of AWS's attributes from the start."""

from __future__ import annotations

from emulator.fixes.elbv2_load_balancer_attributes import APPLICATION_DEFAULTS


def new_alb(session) -> str:
    ec2, elbv2 = session.client("ec2"), session.client("elbv2")
    vpc_id = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.60.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"][
            "SubnetId"
        ]
        for i, z in ((1, "a"), (2, "b"))
    ]
    return elbv2.create_load_balancer(Name="alb-dev", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]


def attributes(session, arn: str) -> dict:
    answer = session.client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    return {a["Key"]: a["Value"] for a in answer}


def test_a_new_alb_lists_every_attribute_with_aws_defaults(emulator):
    found = attributes(emulator, new_alb(emulator))
    assert found == APPLICATION_DEFAULTS
    assert found["routing.http.drop_invalid_header_fields.enabled"] == "false"
    assert found["routing.http2.enabled"] == "true" and found["idle_timeout.timeout_seconds"] == "60"


def test_a_changed_attribute_is_kept(emulator):
    arn = new_alb(emulator)
    emulator.client("elbv2").modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}]
    )
    found = attributes(emulator, arn)
    assert found["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert found["routing.http2.enabled"] == "true"
