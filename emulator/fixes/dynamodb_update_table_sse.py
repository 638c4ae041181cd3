"""DynamoDB: UpdateTable changes the encryption key, and the AWS managed key is AWS's.

AWS lets ``UpdateTable`` switch a table between the AWS owned key (``Enabled: false``),
the AWS managed key ``alias/aws/dynamodb`` (``Enabled: true``) and a customer managed
key (``KMSMasterKeyId``); DescribeTable then reports ``SSEDescription``. moto ignores
``SSESpecification`` on UpdateTable. It also creates ``alias/aws/dynamodb`` as a key whose
``KeyManager`` is ``CUSTOMER``, where AWS says ``AWS``, so a module cannot tell the AWS
managed key from the user's own.
"""

from __future__ import annotations

import functools


def apply(options) -> None:
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler
    from moto.kms import kms_backends

    default_key = Table._get_default_encryption_key

    @functools.wraps(default_key)
    def aws_managed_default_key(self, account_id: str, region: str) -> str:
        arn = default_key(self, account_id, region)
        kms_backends[account_id][region].describe_key(arn).key_manager = "AWS"
        return arn

    update_table = DynamoHandler.update_table

    @functools.wraps(update_table)
    def update_table_with_sse(self):
        specification = self.body.get("SSESpecification")
        if specification is not None:
            table = self.dynamodb_backend.get_table(self.body["TableName"])
            table.sse_specification = _resolved(table, specification, self.current_account, self.region, kms_backends)
        return update_table(self)

    Table._get_default_encryption_key = aws_managed_default_key
    DynamoHandler.update_table = update_table_with_sse


def _resolved(table, specification: dict, account_id: str, region: str, kms_backends) -> dict | None:
    """The table's new SSE setting: None for the AWS owned key, else the KMS key's ARN."""
    if not specification.get("Enabled"):
        return None
    key = specification.get("KMSMasterKeyId")
    arn = kms_backends[account_id][region].describe_key(key).arn if key else None
    return {
        "Enabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": arn or table._get_default_encryption_key(account_id, region),
    }
