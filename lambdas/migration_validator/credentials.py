"""The two databases' connection details, from the Secrets Manager secrets DMS itself reads.

A secret's value is JSON: {"engine", "host", "port", "username", "password", "dbname"}, optionally
"sslmode" (require|disable) to override SSL_MODE for that side. Credentials never come from the event.
"""

from __future__ import annotations

import json

from botocore.exceptions import BotoCoreError, ClientError
from database import Unavailable

REQUIRED_FIELDS = ("host", "username", "password", "dbname")


def database_secret(secrets_manager, secret_arn: str, side: str) -> dict:
    """The secret's fields for one side ("source" or "target"); raises Unavailable with the reason."""
    try:
        answer = secrets_manager.get_secret_value(SecretId=secret_arn)
    except ClientError as error:
        details = error.response.get("Error", {})
        raise Unavailable(
            f"cannot read the {side} database secret {secret_arn}: {details.get('Code')}: {details.get('Message')}"
        ) from None
    except BotoCoreError as error:
        raise Unavailable(f"cannot read the {side} database secret {secret_arn}: {error}") from None
    try:
        fields = json.loads(answer.get("SecretString") or "")
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        raise Unavailable(f"the {side} database secret {secret_arn} is not a JSON object")
    missing = [name for name in REQUIRED_FIELDS if not fields.get(name)]
    if missing:
        raise Unavailable(f"the {side} database secret {secret_arn} lacks {', '.join(missing)}")
    try:
        fields["port"] = int(fields.get("port") or 5432)
    except (TypeError, ValueError):
        raise Unavailable(f"the {side} database secret {secret_arn} has a port that is not a number") from None
    return fields
