"""emulator/fixes/iam_managed_policies_parsed_once.py: the same AWS-managed policies, read once per process."""

from __future__ import annotations

import json
from unittest import mock

from moto.iam import models as iam_models
from moto.iam.aws_managed_policies import aws_managed_policies_data

from emulator.fixes import iam_managed_policies_parsed_once

ACCOUNT = "210987654321"  # accounts of their own, so the backends below are this test's
POLICY = "AmazonECSTaskExecutionRolePolicy"


def _aws_policies(iam) -> dict[str, dict]:
    pages = iam.get_paginator("list_policies").paginate(Scope="AWS")
    return {policy["PolicyName"]: policy for page in pages for policy in page["Policies"]}


def test_every_aws_managed_policy_is_there_with_moto_s_document(emulator, plain_moto):
    fixed, plain = emulator.client("iam"), plain_moto.client("iam")
    listed = _aws_policies(fixed)
    assert set(listed) == set(_aws_policies(plain)) == set(json.loads(aws_managed_policies_data))
    arn = listed[POLICY]["Arn"]
    document = fixed.get_policy_version(PolicyArn=arn, VersionId=listed[POLICY]["DefaultVersionId"])
    expected = json.loads(aws_managed_policies_data)[POLICY]
    assert document["PolicyVersion"]["Document"] == expected["Document"]
    assert listed[POLICY]["CreateDate"] == _aws_policies(plain)[POLICY]["CreateDate"]


def test_each_account_counts_its_own_attachments_and_a_reset_forgets_them(emulator):
    iam = emulator.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }  # noqa: E501
    iam.create_role(RoleName="task", AssumeRolePolicyDocument=json.dumps(trust))
    arn = f"arn:aws:iam::aws:policy/service-role/{POLICY}"
    iam.attach_role_policy(RoleName="task", PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    emulator.reset()
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0


def test_two_backends_parse_moto_s_document_once_and_have_policies_of_their_own(monkeypatch):
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    iam_managed_policies_parsed_once.managed_policy_arguments.cache_clear()
    iam_managed_policies_parsed_once.apply(None)
    parses = []
    real_loads = json.loads

    def counting_loads(text, *args, **kwargs):
        if text is aws_managed_policies_data:
            parses.append(1)
        return real_loads(text, *args, **kwargs)

    try:
        with mock.patch.object(iam_managed_policies_parsed_once.json, "loads", counting_loads):
            first = iam_models.IAMBackend("us-east-1", account_id=ACCOUNT)
            second = iam_models.IAMBackend("us-east-1", account_id=ACCOUNT)
        assert len(parses) == 1
        assert len(first.managed_policies) == len(second.managed_policies) == len(real_loads(aws_managed_policies_data))
        arn = next(iter(first.managed_policies))
        assert first.managed_policies[arn] is not second.managed_policies[arn]
    finally:
        iam_models.iam_backends.pop(ACCOUNT, None)
