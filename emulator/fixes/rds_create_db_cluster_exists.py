"""RDS: CreateDBCluster refuses an identifier that is taken.

AWS answers ``DBClusterAlreadyExistsFault`` when a cluster with the identifier
(case-insensitive) exists. moto replaces the existing cluster with the new one
(its instances, secret and snapshots left pointing at nothing), or, within the
same minute, fails on the name of its automated snapshot with
``DBClusterSnapshotAlreadyExistsFault``.
"""

from __future__ import annotations

import functools


def apply(options) -> None:
    from moto.rds.exceptions import RDSClientError
    from moto.rds.models import RDSBackend

    create_db_cluster = RDSBackend.create_db_cluster

    @functools.wraps(create_db_cluster)
    def create_db_cluster_once(self, kwargs):
        identifier = kwargs["db_cluster_identifier"].lower()
        if any(existing.lower() == identifier for existing in self.clusters):
            raise RDSClientError("DBClusterAlreadyExistsFault", "DB Cluster already exists")
        return create_db_cluster(self, kwargs)

    RDSBackend.create_db_cluster = create_db_cluster_once
