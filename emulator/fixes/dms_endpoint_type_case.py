"""DMS: endpoints report their type in capitals.

CreateEndpoint takes ``EndpointType`` as ``source`` or ``target``, but AWS answers
with ``SOURCE`` and ``TARGET`` in CreateEndpoint, DescribeEndpoints, ModifyEndpoint
and DeleteEndpoint (see the AWS CLI reference examples for ``aws dms create-endpoint``).
moto echoes the lowercase input, so code that compares the type as AWS returns it
passes on moto and fails on AWS.
"""

from __future__ import annotations


def apply(options) -> None:
    from moto.dms.models import Endpoint

    plain_to_dict = Endpoint.to_dict

    def to_dict(self):
        described = plain_to_dict(self)
        described["EndpointType"] = (described.get("EndpointType") or "").upper()
        return described

    Endpoint.to_dict = to_dict
