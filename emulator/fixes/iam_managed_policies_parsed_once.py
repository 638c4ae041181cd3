"""Every new IAM backend: the AWS-managed policies' data is read once per process, not once per backend.

Not a behaviour but a cost of moto's: each IAM backend (one per account and partition; every
``/moto-api/reset`` makes the existing ones again, twice) parses moto's 4.7 MB document of the
1,582 AWS-managed policies and serialises each policy's document back to JSON before it makes its
policy objects. That was two thirds of a reset followed by a first request (py-spy). Now the
arguments of each policy (name, version, path, document as JSON text, dates) are worked out once
and every backend makes policy objects of its own from them: they count their attachments.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime


@functools.cache
def managed_policy_arguments() -> tuple[dict, ...]:
    """What moto's ``AWSManagedPolicy.from_data`` gives the constructor, for every AWS-managed policy."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return tuple(
        {
            "name": name,
            "default_version_id": data.get("DefaultVersionId"),
            "path": data.get("Path"),
            "document": json.dumps(data.get("Document")),
            "create_date": datetime.fromisoformat(data["CreateDate"]),
            "update_date": datetime.fromisoformat(data["UpdateDate"]),
        }
        for name, data in json.loads(aws_managed_policies_data).items()
    )


def apply(options) -> None:
    from moto.iam import models

    def _init_aws_policies(self) -> list:
        if not models.load_iam_aws_managed_policies():
            return []
        return [
            models.AWSManagedPolicy(account_id=self.account_id, region=self.region_name, **arguments)
            for arguments in managed_policy_arguments()
        ]

    models.IAMBackend._init_aws_policies = _init_aws_policies
