"""ECS: a cluster with active services, tasks or container instances cannot be deleted.

AWS refuses DeleteCluster with ClusterContainsServicesException while a service
of the cluster is ACTIVE ("delete the services first"), ClusterContainsTasksException
while a task has not been stopped, and ClusterContainsContainerInstancesException
while container instances are registered; DescribeClusters counts the ACTIVE
services in ``activeServicesCount``. moto 5.2.5 deletes (marks INACTIVE) a
cluster whatever it holds and never counts services (``activeServicesCount``
stays 0), so a teardown order that works on moto fails on AWS.
"""

from __future__ import annotations

import functools


def apply(options) -> None:
    from moto.ecs.exceptions import ECSException
    from moto.ecs.models import Cluster, EC2ContainerServiceBackend, ecs_backends

    def backend_of(cluster):
        _, _, _, region, account, _ = cluster.arn.split(":", 5)
        return ecs_backends[account][region]

    def active_services(backend, cluster):
        return [s for s in backend.services.values() if s.cluster_arn == cluster.arn and s.status == "ACTIVE"]

    def active_tasks(backend, cluster):
        return [t for t in backend.tasks.get(cluster.name, {}).values() if t.desired_status != "STOPPED"]

    def get_active_services_count(self):
        return len(active_services(backend_of(self), self))

    def set_active_services_count(self, value):
        pass  # derived from the services, as AWS counts them

    Cluster.active_services_count = property(get_active_services_count, set_active_services_count)

    delete_cluster = EC2ContainerServiceBackend.delete_cluster

    @functools.wraps(delete_cluster)
    def delete_cluster_in_use(self, cluster_str):
        cluster = self._get_cluster(cluster_str)
        if cluster.status == "ACTIVE":
            if active_services(self, cluster):
                raise ECSException(
                    "ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active."
                )
            if active_tasks(self, cluster):
                raise ECSException(
                    "ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active."
                )
            if self.container_instances.get(cluster.name):
                raise ECSException(
                    "ClusterContainsContainerInstancesException",
                    "The Cluster cannot be deleted while Container Instances are active.",
                )
        return delete_cluster(self, cluster_str)

    EC2ContainerServiceBackend.delete_cluster = delete_cluster_in_use
