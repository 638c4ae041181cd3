"""ECS: a cluster without capacity providers describes them as empty lists.

AWS always returns ``capacityProviders`` and ``defaultCapacityProviderStrategy``
in a cluster description, as empty lists when none are set. moto leaves both
out, and ``community.aws.ecs_cluster`` fails on its second run reading them.
"""

from __future__ import annotations

import functools


def apply(options) -> None:
    from moto.ecs.models import Cluster

    init = Cluster.__init__

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.capacity_providers = self.capacity_providers or []
        self.default_capacity_provider_strategy = self.default_capacity_provider_strategy or []

    Cluster.__init__ = __init__
