"""RDS: the secret of a managed master password holds the master user name and a random password.

With ``ManageMasterUserPassword``, AWS generates the master password and keeps it
in a Secrets Manager secret ``rds!cluster-<uuid>`` (``rds!db-<uuid>`` for an
instance) whose value is ``{"username": <MasterUsername>, "password": <random>}``;
whoever logs in to the database (a DMS endpoint, the application) reads it there.
moto writes ``{"username": "admin", "password": "P@55w0rd!"}`` for every cluster
and instance, so the secret names a user the database does not have and every
database shares one password.
"""

from __future__ import annotations

import json

PASSWORD_LENGTH = 32
# Characters RDS refuses in a master password.
EXCLUDED_CHARACTERS = "/'\"@ "


def apply(options) -> None:
    from moto.rds.models import MasterUserSecret
    from moto.secretsmanager.utils import random_password

    def generate_secret_string(self) -> str:
        password = random_password(
            password_length=PASSWORD_LENGTH,
            exclude_characters=EXCLUDED_CHARACTERS,
            exclude_numbers=False,
            exclude_punctuation=False,
            exclude_uppercase=False,
            exclude_lowercase=False,
            include_space=False,
            require_each_included_type=True,
        )
        return json.dumps({"username": getattr(self.resource, "master_username", None), "password": password})

    MasterUserSecret._generate_secret_string = generate_secret_string
