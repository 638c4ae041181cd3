"""RDS: the Data API's HTTP endpoint on Aurora Serverless v2 and provisioned clusters.

AWS offers the RDS Data API on Aurora PostgreSQL and Aurora MySQL clusters of engine
mode ``provisioned`` (Serverless v2 and provisioned instances): CreateDBCluster with
``EnableHttpEndpoint`` turns it on, the operations EnableHttpEndpoint and
DisableHttpEndpoint (``ResourceArn``; answer ``ResourceArn`` and ``HttpEndpointEnabled``)
turn it on and off later, and DescribeDBClusters reports ``HttpEndpointEnabled``.
ModifyDBCluster's ``EnableHttpEndpoint`` stays the switch of Serverless v1 clusters
(engine mode ``serverless``); for the others AWS disregards it. An ARN that names no
cluster answers ``ResourceNotFoundFault``, the error both operations document.

moto keeps ``EnableHttpEndpoint`` only for a few Serverless v1 engine versions (so
a Serverless v2 cluster always reports ``HttpEndpointEnabled: false``) and has
neither operation. moto's Serverless v1 behaviour is kept.

Not reproduced: AWS also requires a recent enough engine version (for example
Aurora PostgreSQL 13.12, 14.9, 15.4 or later); any version is accepted here. The
message of ``InvalidResourceStateFault`` for a cluster without Data API support is ours.
"""

from __future__ import annotations

import functools

DATA_API_ENGINES = ("aurora-postgresql", "aurora-mysql")


def supports_data_api(cluster) -> bool:
    """Serverless v2 and provisioned Aurora clusters (not Serverless v1, not Multi-AZ DB clusters)."""
    return cluster.engine in DATA_API_ENGINES and cluster.engine_mode == "provisioned"


def apply(options) -> None:
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import RDSClientError
    from moto.rds.models import DBCluster, RDSBackend
    from moto.rds.responses import RDSResponse

    serverless_v1_setter = DBCluster.enable_http_endpoint.fset

    def set_enable_http_endpoint(self, value) -> None:
        if value is not None and supports_data_api(self):
            self._enable_http_endpoint = bool(value)
        else:
            serverless_v1_setter(self, value)

    DBCluster.enable_http_endpoint = DBCluster.enable_http_endpoint.setter(set_enable_http_endpoint)

    modify_db_cluster = RDSBackend.modify_db_cluster

    @functools.wraps(modify_db_cluster)
    def modify_db_cluster_without_http_endpoint(self, kwargs):
        cluster = self.clusters.get(kwargs.get("db_cluster_identifier"))
        if cluster is not None and supports_data_api(cluster):
            kwargs.pop("enable_http_endpoint", None)  # EnableHttpEndpoint/DisableHttpEndpoint's job
        return modify_db_cluster(self, kwargs)

    RDSBackend.modify_db_cluster = modify_db_cluster_without_http_endpoint

    def cluster_for_arn(backend, arn: str):
        for cluster in backend.clusters.values():
            if cluster.db_cluster_arn == arn:
                return cluster
        raise RDSClientError("ResourceNotFoundFault", f"The resource {arn} could not be found.")

    def switch_http_endpoint(self, enabled: bool) -> ActionResult:
        cluster = cluster_for_arn(self.backend, self.params.get("ResourceArn") or "")
        if not supports_data_api(cluster):
            raise RDSClientError(
                "InvalidResourceStateFault",
                f"DB cluster {cluster.db_cluster_identifier} (engine {cluster.engine}, engine mode "
                f"{cluster.engine_mode}) does not support RDS Data API through this operation.",
            )
        cluster._enable_http_endpoint = enabled
        return ActionResult({"ResourceArn": cluster.db_cluster_arn, "HttpEndpointEnabled": enabled})

    def enable_http_endpoint(self) -> ActionResult:
        return switch_http_endpoint(self, True)

    def disable_http_endpoint(self) -> ActionResult:
        return switch_http_endpoint(self, False)

    RDSResponse.enable_http_endpoint = enable_http_endpoint
    RDSResponse.disable_http_endpoint = disable_http_endpoint
