"""RDS: deleting a DB cluster deletes its automated snapshots.

AWS removes a cluster's automated backups (snapshot type ``automated``) when
the cluster is deleted, unless DeleteDBCluster says ``DeleteAutomatedBackups:
false``; only manual snapshots (such as a final snapshot) remain. moto keeps the
automated snapshot it takes at creation, so every deleted cluster leaves an
``rds:<cluster>-<time>`` snapshot behind and a teardown never looks clean.
"""

from __future__ import annotations

import functools


def apply(options) -> None:
    from moto.rds.responses import RDSResponse

    delete_db_cluster = RDSResponse.delete_db_cluster

    @functools.wraps(delete_db_cluster)
    def delete_db_cluster_and_backups(self):
        cluster_id = (self.params.get("DBClusterIdentifier") or "").lower()
        result = delete_db_cluster(self)  # raises, and keeps everything, if the cluster cannot go
        if self.params.get("DeleteAutomatedBackups", True) not in (False, "false"):
            snapshots = self.backend.cluster_snapshots
            for name in [
                name
                for name, snapshot in snapshots.items()
                if snapshot.snapshot_type == "automated" and snapshot.db_cluster_identifier == cluster_id
            ]:
                del snapshots[name]
        return result

    RDSResponse.delete_db_cluster = delete_db_cluster_and_backups
