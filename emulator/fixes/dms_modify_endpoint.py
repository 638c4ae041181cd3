"""DMS: ModifyEndpoint changes an endpoint in place.

AWS changes whatever ModifyEndpoint names and keeps the rest; engine settings
(``PostgreSQLSettings``, ...) are merged key by key unless ``ExactSettings`` is
true, when they replace the old ones. A new identifier must be unused
(``ResourceAlreadyExistsFault``); an unknown ARN is ``ResourceNotFoundFault``.
moto answers HTTP 500, so an endpoint can never be changed after creation.
"""

from __future__ import annotations

import json

from botocore import xform_name

# Parameters that are not attributes of the endpoint.
NOT_ATTRIBUTES = {"EndpointArn", "EndpointIdentifier", "ExactSettings"}


def apply(options) -> None:
    from moto.dms.exceptions import ResourceAlreadyExistsFault, ResourceNotFoundFault
    from moto.dms.responses import DatabaseMigrationServiceResponse as responses

    def modify_endpoint(self):
        params = json.loads(self.body)
        backend = self.dms_backend
        endpoint = next((e for e in backend.endpoints.values() if e.endpoint_arn == params["EndpointArn"]), None)
        if endpoint is None:
            raise ResourceNotFoundFault("Endpoint could not be found.")

        new_identifier = params.get("EndpointIdentifier")
        if new_identifier and new_identifier != endpoint.endpoint_identifier:
            if new_identifier in backend.endpoints:
                raise ResourceAlreadyExistsFault(f"Endpoint {new_identifier} already exists")
            # moto keys endpoints by identifier
            backend.endpoints[new_identifier] = backend.endpoints.pop(endpoint.endpoint_identifier)
            endpoint.endpoint_identifier = new_identifier

        for name, value in params.items():
            if name in NOT_ATTRIBUTES:
                continue
            attribute = xform_name(name)
            old = getattr(endpoint, attribute, None)
            if name.endswith("Settings") and isinstance(old, dict) and not params.get("ExactSettings"):
                value = {**old, **value}
            setattr(endpoint, attribute, value)
        if "EngineName" in params:
            endpoint.engine_display_name = params["EngineName"]

        return json.dumps({"Endpoint": {k: v for k, v in endpoint.to_dict().items() if v is not None}})

    responses.modify_endpoint = modify_endpoint
