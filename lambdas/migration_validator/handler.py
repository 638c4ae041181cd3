"""Lambda entry point (handler.handler) of the migration validator.

Compares the on-premises PostgreSQL (source) with Aurora PostgreSQL (target) table by table and
records the verdict for the cutover gate. README.md beside this file describes the configuration,
the event and the result. Every outcome is a result dict, never an exception: a failure is
``passed: false`` with the reason.
"""

from __future__ import annotations

import logging

import boto3
import config
import validation
from botocore.config import Config as BotoConfig
from database import Deadline

log = logging.getLogger(__name__)
# The runtime's root logger shows warnings only; each table's outcome is worth a line in the log.
for _name in (__name__, validation.__name__):
    logging.getLogger(_name).setLevel(logging.INFO)

# Fail fast instead of waiting out the function's time on an unreachable endpoint.
BOTO_CONFIG = BotoConfig(connect_timeout=5, read_timeout=30, retries={"mode": "standard", "max_attempts": 4})


class AwsClients:
    """The AWS APIs the validator calls (boto3 of the Lambda runtime; AWS_ENDPOINT_URL honoured)."""

    def secrets(self):
        return boto3.client("secretsmanager", config=BOTO_CONFIG)

    def state_table(self, name: str):
        return boto3.resource("dynamodb", config=BOTO_CONFIG).Table(name)

    def cloudwatch(self):
        return boto3.client("cloudwatch", config=BOTO_CONFIG)

    def dms(self):
        return boto3.client("dms", config=BOTO_CONFIG)


def handler(event, context):
    """Validate (or continue validating); invoke again while the answer says ``complete: false``.

    Event (all optional): {"tables": ["schema.table", ...], "restart": true}.
    """
    event = event if isinstance(event, dict) else {}
    try:
        settings = config.load()
    except config.ConfigError as error:
        return validation.unrecorded_failure(f"configuration: {error}")
    try:
        return validation.invoke(settings, event, Deadline(context, settings.deadline_margin), AwsClients())
    except Exception as error:  # the last resort: the traceback goes to the log, the caller gets a result
        log.exception("validator failed unexpectedly")
        return validation.unrecorded_failure(f"internal error: {type(error).__name__}: {error}")
