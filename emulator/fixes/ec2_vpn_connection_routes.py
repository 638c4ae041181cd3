"""EC2 VPN connection static routes and options, as AWS keeps and reports them.

moto 5.2.5 answers HTTP 500 to CreateVpnConnectionRoute / DeleteVpnConnectionRoute and describes a VPN
connection without ``Routes`` or ``Options``, so ``amazon.aws.ec2_vpc_vpn`` believes static routes exist that
were never created. It also fails (HTTP 500, FilterNotImplementedError) on the DescribeVpnConnections filters
that module sends. AWS:

* keeps ``Options`` as given on CreateVpnConnection, with defaults (``StaticRoutesOnly`` false, ...);
* lists each static route as ``{"DestinationCidrBlock", "Source": "static", "State": "available"}``;
* answers ``InvalidVpnConnectionID.NotFound`` for an unknown connection; a route that already exists is refused
  (``RouteAlreadyExists``, as CreateRoute does) and deleting one that does not exist answers
  ``InvalidRoute.NotFound`` (the codes of the route-table twins; AWS does not document these two);
* filters on ``vpn-connection-id``, ``transit-gateway-id``, ``option.static-routes-only`` and
  ``route.destination-cidr-block``.
"""

from __future__ import annotations

from moto.core.responses import EmptyResult
from moto.ec2.exceptions import EC2ClientError, InvalidVpnConnectionIdError, RouteAlreadyExistsError
from moto.ec2.models.vpn_connections import VPNConnection, VPNConnectionBackend
from moto.ec2.responses.vpn_connections import VPNConnections

# What AWS reports for options the caller did not set (TunnelOptions are left as given).
DEFAULT_OPTIONS = {
    "EnableAcceleration": False,
    "StaticRoutesOnly": False,
    "LocalIpv4NetworkCidr": "0.0.0.0/0",
    "RemoteIpv4NetworkCidr": "0.0.0.0/0",
    "OutsideIpAddressType": "PublicIpv4",
    "TunnelInsideIpVersion": "ipv4",
}


def _get_connection(backend, vpn_connection_id: str) -> VPNConnection:
    connection = backend.vpn_connections.get(vpn_connection_id)
    if connection is None:
        raise InvalidVpnConnectionIdError(vpn_connection_id)
    return connection


def create_vpn_connection_route(self, vpn_connection_id: str, destination_cidr_block: str) -> None:
    connection = _get_connection(self, vpn_connection_id)
    if any(r["DestinationCidrBlock"] == destination_cidr_block for r in connection.routes):
        raise RouteAlreadyExistsError(destination_cidr_block)
    connection.routes.append({"DestinationCidrBlock": destination_cidr_block, "Source": "static", "State": "available"})


def delete_vpn_connection_route(self, vpn_connection_id: str, destination_cidr_block: str) -> None:
    connection = _get_connection(self, vpn_connection_id)
    kept = [r for r in connection.routes if r["DestinationCidrBlock"] != destination_cidr_block]
    if len(kept) == len(connection.routes):
        raise EC2ClientError(
            "InvalidRoute.NotFound",
            f"no route with destination-cidr-block {destination_cidr_block} in VPN connection {vpn_connection_id}",
        )
    connection.routes = kept


def _route_response(backend_method_name: str):
    def action(self) -> EmptyResult:
        self.error_on_dryrun()
        getattr(self.ec2_backend, backend_method_name)(
            self._get_param("VpnConnectionId"), self._get_param("DestinationCidrBlock")
        )
        return EmptyResult()

    action.__name__ = backend_method_name
    return action


def apply(options) -> None:
    original_init = VPNConnection.__init__
    original_filter = VPNConnection.get_filter_value
    original_create = VPNConnections.create_vpn_connection

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        # moto sets both to None, so the serialiser leaves Options and Routes out of the answer.
        self.options = dict(DEFAULT_OPTIONS)
        self.routes: list[dict[str, str]] = []

    def get_filter_value(self, filter_name: str, method_name: str | None = None):
        if filter_name == "vpn-connection-id":
            return self.id
        if filter_name == "transit-gateway-id":
            return self.transit_gateway_id
        if filter_name == "option.static-routes-only":
            return bool(self.options.get("StaticRoutesOnly"))
        if filter_name == "route.destination-cidr-block":
            return [r["DestinationCidrBlock"] for r in self.routes]
        return original_filter(self, filter_name, method_name)

    def create_vpn_connection(self):
        # The backend never sees Options; the response does, so keep them on the model here.
        result = original_create(self)
        result.result["VpnConnection"].options.update(self._get_param("Options") or {})
        return result

    VPNConnection.__init__ = __init__
    VPNConnection.get_filter_value = get_filter_value
    VPNConnectionBackend.create_vpn_connection_route = create_vpn_connection_route
    VPNConnectionBackend.delete_vpn_connection_route = delete_vpn_connection_route
    VPNConnections.create_vpn_connection = create_vpn_connection
    VPNConnections.create_vpn_connection_route = _route_response("create_vpn_connection_route")
    VPNConnections.delete_vpn_connection_route = _route_response("delete_vpn_connection_route")
