"""Fix ec2_instance_termination: terminating an instance releases its ENIs and Elastic IPs."""

from __future__ import annotations


def _instance_in_subnet(ec2, **run) -> tuple[str, str, str]:
    vpc_id = ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.90.1.0/24")["Subnet"]["SubnetId"]
    group_id = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc_id)["GroupId"]
    image_id = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(
        ImageId=image_id, MinCount=1, MaxCount=1, SubnetId=subnet_id, SecurityGroupIds=[group_id], **run
    )["Instances"][0]
    return instance["InstanceId"], subnet_id, group_id


def _enis(ec2, subnet_id: str) -> list[dict]:
    answer = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])
    return answer["NetworkInterfaces"]


def test_terminate_deletes_the_launch_eni_and_frees_subnet_and_group(emulator):
    ec2 = emulator.client("ec2")
    instance_id, subnet_id, group_id = _instance_in_subnet(ec2)
    (eni,) = _enis(ec2, subnet_id)
    assert eni["Attachment"]["DeleteOnTermination"] is True  # AWS's default for ENIs RunInstances creates
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=allocation_id, InstanceId=instance_id)

    ec2.terminate_instances(InstanceIds=[instance_id])
    ec2.terminate_instances(InstanceIds=[instance_id])  # a second terminate is accepted, as on AWS
    assert _enis(ec2, subnet_id) == []
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]
    ec2.delete_security_group(GroupId=group_id)
    ec2.delete_subnet(SubnetId=subnet_id)


def test_eni_launched_with_delete_on_termination_false_stays(emulator):
    ec2 = emulator.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.91.1.0/24")["Subnet"]["SubnetId"]
    image_id = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    interface = {"DeviceIndex": 0, "SubnetId": subnet_id, "DeleteOnTermination": False}
    instance = ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1, NetworkInterfaces=[interface])
    ec2.terminate_instances(InstanceIds=[instance["Instances"][0]["InstanceId"]])
    assert len(_enis(ec2, subnet_id)) == 1


def test_plain_moto_keeps_the_eni_of_a_terminated_instance(plain_moto):
    ec2 = plain_moto.client("ec2")
    instance_id, subnet_id, _ = _instance_in_subnet(ec2)
    ec2.terminate_instances(InstanceIds=[instance_id])
    assert [e["Status"] for e in _enis(ec2, subnet_id)] == ["in-use"]
