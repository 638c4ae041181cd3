"""EC2: a customer gateway request identical to an existing one returns that gateway.

AWS: "An identical request returns information about the existing customer gateway;
it doesn't create a new customer gateway." Identical means the same type, address,
BGP ASN and device name, so two environments that connect to one on-premises device
must give their gateways different ``DeviceName`` values. moto ignores ``DeviceName``
and always creates a new gateway, which hides exactly the sharing that makes a
teardown of one environment delete the other's gateway on AWS. AWS also refuses to
delete a gateway that a VPN connection still uses (IncorrectState); moto deletes it.
And moto ignores the ``state`` and ``tag:`` filters of DescribeCustomerGateways, so a
lookup by Name tag returns every gateway in the account, deleted ones included.
"""

from __future__ import annotations

import functools


def apply(options) -> None:
    from moto.core.responses import ActionResult
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.models.customer_gateways import CustomerGateway, CustomerGatewayBackend
    from moto.ec2.responses.customer_gateways import CustomerGateways
    from moto.ec2.utils import generic_filter

    create = CustomerGateways.create_customer_gateway
    delete = CustomerGateways.delete_customer_gateway
    CustomerGateway.device_name = None  # what moto's serializer reads for DeviceName

    @functools.wraps(create)
    def create_or_return_identical(self):
        wanted = (
            self._get_param("Type") or "ipsec.1",
            self._get_param("IpAddress") or self._get_param("PublicIp"),
            str(self._get_param("BgpAsn")),
            self._get_param("DeviceName"),
        )
        for gateway in self.ec2_backend.customer_gateways.values():
            if gateway.state != "deleted" and _identity(gateway) == wanted:
                return ActionResult({"CustomerGateway": gateway})
        result = create(self)
        result.result["CustomerGateway"].device_name = wanted[3]
        return result

    @functools.wraps(delete)
    def delete_unless_in_use(self):
        gateway_id = self._get_param("CustomerGatewayId")
        for connection in self.ec2_backend.vpn_connections.values():
            if connection.customer_gateway_id == gateway_id and connection.state not in ("deleting", "deleted"):
                raise EC2ClientError(
                    "IncorrectState", f"The customer gateway '{gateway_id}' is in use by {connection.id}."
                )
        return delete(self)

    describe = CustomerGatewayBackend.describe_customer_gateways
    tag_filter_value = CustomerGateway.get_filter_value

    @functools.wraps(describe)
    def describe_with_every_filter(self, filters=None, customer_gateway_ids=None):
        return generic_filter(filters or {}, describe(self, None, customer_gateway_ids))

    def get_filter_value(self, filter_name, method_name=None):
        attribute = FILTER_ATTRIBUTES.get(filter_name)
        if attribute:
            return str(getattr(self, attribute))
        return tag_filter_value(self, filter_name, method_name)

    CustomerGatewayBackend.describe_customer_gateways = describe_with_every_filter
    CustomerGateway.get_filter_value = get_filter_value
    CustomerGateways.create_customer_gateway = create_or_return_identical
    CustomerGateways.delete_customer_gateway = delete_unless_in_use


FILTER_ATTRIBUTES = {
    "customer-gateway-id": "id",
    "state": "state",
    "type": "type",
    "ip-address": "ip_address",
    "bgp-asn": "bgp_asn",
    "device-name": "device_name",
}


def _identity(gateway) -> tuple:
    return (gateway.type, gateway.ip_address, str(gateway.bgp_asn), gateway.device_name)
