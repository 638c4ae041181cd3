"""RDS: ModifyDBCluster turns log exports on and off, and knows when a cluster does not exist.

AWS changes a cluster's CloudWatch Logs exports with
``CloudwatchLogsExportConfiguration`` (``EnableLogTypes``, ``DisableLogTypes``) and
lists the result in ``EnabledCloudwatchLogsExports``; enabling a type that is
already on, or disabling one that is off, changes nothing. moto reads another
parameter name, so the exports never change. ModifyDBCluster for an identifier
that does not exist answers ``DBClusterNotFoundFault`` on AWS and HTTP 500 in moto.
"""

from __future__ import annotations

import functools


def apply(options) -> None:
    from moto.rds.exceptions import DBClusterNotFoundError
    from moto.rds.models import RDSBackend

    modify_db_cluster = RDSBackend.modify_db_cluster

    @functools.wraps(modify_db_cluster)
    def modify_db_cluster_and_log_exports(self, kwargs):
        identifier = kwargs["db_cluster_identifier"]
        cluster = self.clusters.get(identifier)
        if cluster is None:
            raise DBClusterNotFoundError(identifier)
        exports = kwargs.pop("cloudwatch_logs_export_configuration", None) or {}
        disabled = exports.get("DisableLogTypes") or []
        enabled = [kind for kind in cluster.enabled_cloudwatch_logs_exports if kind not in disabled]
        enabled += [kind for kind in exports.get("EnableLogTypes") or [] if kind not in enabled]
        result = modify_db_cluster(self, kwargs)  # raises, and changes nothing, if the request is refused
        # moto answers with a copy of the cluster taken before it settles; both show the new exports.
        cluster.enabled_cloudwatch_logs_exports = result.enabled_cloudwatch_logs_exports = enabled
        return result

    RDSBackend.modify_db_cluster = modify_db_cluster_and_log_exports
