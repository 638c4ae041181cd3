"""Every new EC2 backend: the catalogue of Amazon's public AMIs is made when something first looks at it.

Not a behaviour but a cost of moto's: each EC2 backend (one per account and region, made again by
every ``/moto-api/reset``) makes an image object for each of the ~2,000 AMIs moto knows in the region
(its generic ones, the latest Amazon Linux, the ECS-optimized ones), each with an EBS volume and a
snapshot, before it answers its first request. This stack runs no instance, so the unit tests paid
that (about a third of the time of a reset and a first EC2 request, py-spy) for nothing. Now the
backend's ``amis`` fills itself from moto's own loader on first use: DescribeImages, RunInstances,
tags of an ``ami-`` ID and the ``ec2:image`` resource listing see the same images as before.
"""

from __future__ import annotations

import threading
from collections.abc import MutableMapping


class AmisOnFirstUse(MutableMapping):
    """An EC2 backend's ``amis`` dict, loaded by moto's ``_load_amis`` the first time it is used."""

    def __init__(self, backend, load):
        self._backend = backend
        self._load = load
        self._amis: dict = {}
        self._ready = False
        self._loading = False
        # Requests run on several threads: one loads while the others wait. Re-entrant, because
        # moto's loader writes each image through backend.amis, this object, on the loading thread.
        self._lock = threading.RLock()

    def _loaded(self) -> dict:
        if not self._ready:
            with self._lock:
                if not self._ready and not self._loading:
                    self._loading = True
                    try:
                        self._load(self._backend)
                        self._ready = True
                    finally:
                        self._loading = False
        return self._amis

    def __getitem__(self, key):
        return self._loaded()[key]

    def __setitem__(self, key, value):
        self._loaded()[key] = value

    def __delitem__(self, key):
        del self._loaded()[key]

    def __iter__(self):
        return iter(self._loaded())

    def __len__(self):
        return len(self._loaded())

    def __contains__(self, key):
        return key in self._loaded()

    def copy(self) -> dict:  # DescribeImages lists a copy
        return dict(self._loaded())


def apply(options) -> None:
    from moto.ec2.models.amis import AmiBackend

    load = AmiBackend._load_amis

    def _load_amis(self) -> None:
        self.amis = AmisOnFirstUse(self, load)

    AmiBackend._load_amis = _load_amis
