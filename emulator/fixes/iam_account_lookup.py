"""Every request: finding the caller's account looks only at IAM backends that exist.

Not a difference from AWS but a cost of moto's: to tell which account an access key belongs to,
moto's ``get_account_id_from`` indexes the account's IAM backend of every partition (aws,
aws-cn, aws-us-gov, aws-iso, ...), and indexing one creates it, with its 1,582 AWS-managed
policies (the emulator loads them, see ``server.configure_moto``). So once anything has made the
account's IAM backend (ECS does, on its first request), the next request of any service builds
six, and every ``/moto-api/reset`` rebuilds all six: about 0.8 s per reset, which the unit tests
pay before each test. A partition whose backend does not exist holds no access key, so looking
only at the existing ones gives the same answer.
"""

from __future__ import annotations


def account_of_access_key(access_key: str) -> str:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends

    # list(): requests run on several threads and may add accounts meanwhile (as moto's own does).
    for account_id, account in list(iam_backends.items()):
        for partition in list(account.keys()):  # the existing backends only: indexing creates one
            if access_key in account[partition].access_keys:
                return account_id
    return DEFAULT_ACCOUNT_ID


def apply(options) -> None:
    # moto.core.responses imports the function by name at each call, so replacing it here is enough.
    import moto.iam.models

    moto.iam.models.get_account_id_from = account_of_access_key
