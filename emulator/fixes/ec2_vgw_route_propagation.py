"""EC2 EnableVgwRoutePropagation / DisableVgwRoutePropagation, and ``PropagatingVgws`` in DescribeRouteTables.

moto 5.2.5 answers HTTP 500 "not implemented" to both operations and has no ``PropagatingVgws`` on a route
table, so ``amazon.aws.ec2_vpc_route_table propagating_vgw_ids=...`` cannot run. AWS:

* validates the route table (``InvalidRouteTableID.NotFound``) and the gateway (``InvalidVpnGatewayID.NotFound``);
* refuses to enable propagation from a gateway that is not attached to the route table's VPC
  (``Gateway.NotAttached``; Terraform retries on it while an attachment settles);
* lists every propagating gateway as ``{"GatewayId": ...}`` in ``PropagatingVgws``, an empty list when none.
"""

from __future__ import annotations

from moto.core.responses import EmptyResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.route_tables import RouteBackend, RouteTable
from moto.ec2.responses.route_tables import RouteTables


class GatewayNotAttachedError(EC2ClientError):
    def __init__(self, gateway_id: str, vpc_id: str):
        super().__init__("Gateway.NotAttached", f"resource {gateway_id} is not attached to network {vpc_id}")


def enable_vgw_route_propagation(self, route_table_id: str, gateway_id: str) -> None:
    route_table = self.get_route_table(route_table_id)
    gateway = self.get_vpn_gateway(gateway_id)
    attachment = gateway.attachments.get(route_table.vpc_id)
    if attachment is None or attachment.state != "attached":
        raise GatewayNotAttachedError(gateway_id, route_table.vpc_id)
    if {"GatewayId": gateway_id} not in route_table.propagating_vgws:  # enabling twice keeps one entry
        route_table.propagating_vgws.append({"GatewayId": gateway_id})


def disable_vgw_route_propagation(self, route_table_id: str, gateway_id: str) -> None:
    route_table = self.get_route_table(route_table_id)
    self.get_vpn_gateway(gateway_id)
    route_table.propagating_vgws[:] = [p for p in route_table.propagating_vgws if p["GatewayId"] != gateway_id]


def _response(backend_method_name: str):
    def action(self) -> EmptyResult:
        self.error_on_dryrun()
        getattr(self.ec2_backend, backend_method_name)(self._get_param("RouteTableId"), self._get_param("GatewayId"))
        return EmptyResult()

    action.__name__ = backend_method_name
    return action


def apply(options) -> None:
    original_init = RouteTable.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        # Serialised as PropagatingVgws; ec2_vpc_route_table reads the key without a default.
        self.propagating_vgws: list[dict[str, str]] = []

    RouteTable.__init__ = __init__
    RouteBackend.enable_vgw_route_propagation = enable_vgw_route_propagation
    RouteBackend.disable_vgw_route_propagation = disable_vgw_route_propagation
    RouteTables.enable_vgw_route_propagation = _response("enable_vgw_route_propagation")
    RouteTables.disable_vgw_route_propagation = _response("disable_vgw_route_propagation")
