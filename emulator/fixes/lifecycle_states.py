"""Slow resources pass through the states AWS reports (moto makes them final at once).

Each model below gets a ``Lifecycle`` (emulator/latency.py) on its state
attribute: a new NAT gateway is ``pending`` on the first describe and
``available`` on the next (or after its typical time with ``--latency``), an
Aurora cluster ``creating`` then ``available``, and so on. Only the state
attribute is replaced, so other fixes to the same models still apply.

Resources that moto forgets on delete (RDS clusters and instances, DMS
replication instances) are kept aside while ``deleting`` and shown by their
describe operations until the deletion has been seen, as AWS lists them until
they are gone; the rest of moto no longer sees them, so a cluster whose last
instance is deleting can be deleted, as on AWS.
"""

from __future__ import annotations

import functools

from ..latency import ANY, GONE, NEW, Lifecycle, Rule

# Rule(previous state, value moto assigns, state AWS shows meanwhile, state AWS shows afterwards)
EC2_RULES = [Rule(NEW, "available", "pending", "available"), Rule(ANY, "deleted", "deleting", "deleted")]
ATTACHMENT_RULES = [Rule(NEW, "attached", "attaching", "attached"), Rule(ANY, "detached", "detaching", "detached")]
# moto creates load balancers "provisioning" and activates them on describe.
LOAD_BALANCER_RULES = [Rule(NEW, "provisioning", "provisioning", "active")]
RDS_RULES = [
    Rule(NEW, "available", "creating", "available"),
    Rule("stopped", "available", "starting", "available"),
    Rule(ANY, "stopped", "stopping", "stopped"),
    Rule(ANY, "deleting", "deleting", GONE),
]
DMS_RULES = [Rule(NEW, "available", "creating", "available"), Rule(ANY, "deleting", "deleting", GONE)]


def _install(cls, attribute: str, kind: str, rules: list[Rule], scale: float, born: str | None = None) -> None:
    """Put a Lifecycle on ``cls.attribute``; ``born`` is the final state of models whose
    __init__ writes moto's private field instead of the attribute (DBCluster, DMS)."""
    setattr(cls, attribute, Lifecycle(attribute, kind, rules, scale))
    if born is None:
        return
    original = cls.__init__

    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        setattr(self, attribute, born)

    cls.__init__ = __init__


def _keep_while_deleting(backend_cls, delete: str, describe: str, collection: str, key) -> None:
    """Wrap moto's delete/describe pair so a deleted resource stays listed while ``deleting``."""
    original_delete, original_describe = getattr(backend_cls, delete), getattr(backend_cls, describe)
    slot = f"_lifecycle_deleting_{collection}"  # on the backend, so moto's reset clears it

    @functools.wraps(original_delete)
    def deleting(self, *args, **kwargs):
        resource = original_delete(self, *args, **kwargs)
        resource.status = "deleting"
        self.__dict__.setdefault(slot, {})[key(resource)] = resource
        return resource

    @functools.wraps(original_describe)
    def describing(self, *args, **kwargs):
        ghosts = self.__dict__.get(slot, {})
        for name in [name for name, resource in ghosts.items() if type(resource).status.settled(resource)]:
            del ghosts[name]
        # Lend the ghosts to the live collection for the length of the call, so
        # moto's own filters and NotFound handling apply to them.
        live = getattr(self, collection)
        lent = {name: resource for name, resource in ghosts.items() if name not in live}
        live.update(lent)
        try:
            return original_describe(self, *args, **kwargs)
        finally:
            for name in lent:
                live.pop(name, None)

    setattr(backend_cls, delete, deleting)
    setattr(backend_cls, describe, describing)


def apply(options) -> None:
    from moto.dms.models import DatabaseMigrationServiceBackend, FakeReplicationInstance
    from moto.ec2.models.nat_gateways import NatGateway
    from moto.ec2.models.vpn_connections import VPNConnection
    from moto.ec2.models.vpn_gateway import VPCGatewayAttachment, VpnGateway
    from moto.elbv2.models import FakeLoadBalancer
    from moto.rds.models import DBCluster, DBInstance, RDSBackend

    scale = options.latency or 0.0
    _install(NatGateway, "state", "ec2:nat-gateway", EC2_RULES, scale)
    _install(VpnGateway, "state", "ec2:vpn-gateway", EC2_RULES, scale)
    _install(VPNConnection, "state", "ec2:vpn-connection", EC2_RULES, scale)
    _install(VPCGatewayAttachment, "state", "ec2:vpn-gateway-attachment", ATTACHMENT_RULES, scale)
    _install(FakeLoadBalancer, "state", "elbv2:load-balancer", LOAD_BALANCER_RULES, scale)
    _install(DBCluster, "status", "rds:db-cluster", RDS_RULES, scale, born="available")
    _install(DBInstance, "status", "rds:db-instance", RDS_RULES, scale)
    _install(FakeReplicationInstance, "status", "dms:replication-instance", DMS_RULES, scale, born="available")

    _keep_while_deleting(
        RDSBackend, "delete_db_instance", "describe_db_instances", "databases", lambda r: r.db_instance_identifier
    )
    _keep_while_deleting(
        RDSBackend, "delete_db_cluster", "describe_db_clusters", "clusters", lambda r: r.db_cluster_identifier
    )
    _keep_while_deleting(
        DatabaseMigrationServiceBackend,
        "delete_replication_instance",
        "describe_replication_instances",
        "replication_instances",
        lambda r: r.arn,
    )
