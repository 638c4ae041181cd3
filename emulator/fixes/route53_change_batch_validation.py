"""Route 53: ChangeResourceRecordSets checks a change batch the way AWS does.

A record set is identified by its name, type and set identifier. AWS answers
``InvalidChangeBatch`` (HTTP 400) and applies none of the batch's changes when

- a CREATE names a record set that exists: ``Tried to create resource record set
  [name='app.dev.example.', type='A', set-identifier='aws-dev'] but it already exists``;
- a CNAME would share its name with a record of another type (or another type with a CNAME):
  ``RRSet of type CNAME with DNS name app.dev.example. is not permitted as it conflicts with
  other records with the same DNS name in zone dev.example.``. Weighted records of one name
  therefore all have the same type;
- a DELETE names a record set that does not exist (``... but it was not found``) or repeats
  its values wrongly - weight, TTL, values, alias target, health check, routing fields
  (``... but the values provided do not match the current values``).

moto 5.2.5 accepts all of these: it adds a second record set with the same identity, lets a
CNAME and an alias A record share a name, and a DELETE with a set identifier removes every
record set with that identifier in the zone, whatever its name, type or values. A role that
converges on moto can then fail on AWS, or a teardown that sends the wrong weight looks fine.
Here the whole batch is checked first, against the zone as each earlier change leaves it, and
a DELETE removes exactly the record set it names.

Not reproduced: AWS's other conflicts (a simple record next to weighted ones of the same name and
type), and a HealthCheckId that names no health check (AWS: InvalidInput).
"""

from __future__ import annotations

import functools


def _name(value) -> str:
    return str(value or "").rstrip(".").lower()


def _key(record: dict) -> tuple:
    return (_name(record.get("Name")), record.get("Type"), record.get("SetIdentifier"))


def _label(record: dict) -> str:
    label = f"[name='{_name(record.get('Name'))}.', type='{record.get('Type')}'"
    if record.get("SetIdentifier") is not None:
        label += f", set-identifier='{record['SetIdentifier']}'"
    return label + "]"


def _values(record: dict) -> dict:
    """What AWS compares on DELETE, normalized (the request is typed, moto's storage is not)."""
    alias = record.get("AliasTarget")
    records = record.get("ResourceRecords") or []
    return {
        "ttl": None if record.get("TTL") is None else str(record["TTL"]),
        "records": sorted(str(r["Value"] if isinstance(r, dict) else r) for r in records),
        "weight": None if record.get("Weight") is None else str(record["Weight"]),
        "region": record.get("Region"),
        "failover": record.get("Failover"),
        "health_check": record.get("HealthCheckId"),
        "geo": {k: v for k, v in (record.get("GeoLocation") or {}).items()},
        "multi_value": None if record.get("MultiValueAnswer") is None else str(record["MultiValueAnswer"]).lower(),
        "alias": None
        if not alias
        else (
            alias.get("HostedZoneId"),
            _name(alias.get("DNSName")),
            str(alias.get("EvaluateTargetHealth", False)).lower(),
        ),
    }


def _stored(rrset) -> dict:
    return {
        "Name": rrset.name,
        "Type": rrset.type,
        "SetIdentifier": rrset.set_identifier,
        "TTL": rrset.ttl,
        "ResourceRecords": rrset.records,
        "Weight": rrset.weight,
        "Region": rrset.region,
        "Failover": rrset.failover,
        "HealthCheckId": rrset.health_check_id,
        "GeoLocation": rrset.geo_location,
        "MultiValueAnswer": rrset.multi_value_answer,
        "AliasTarget": rrset.alias_target,
    }


def _invalid(message: str):
    from moto.route53.exceptions import Route53ClientError

    return Route53ClientError("InvalidChangeBatch", message)


def validate(zone, change_list) -> None:
    """Raise AWS's InvalidChangeBatch for the first change that AWS would refuse."""
    state = {_key(_stored(r)): _stored(r) for r in zone.rrsets}
    for change in change_list:
        action, record = change.get("Action"), change.get("ResourceRecordSet", {})
        key = _key(record)
        if action == "CREATE" and key in state:
            raise _invalid(f"Tried to create resource record set {_label(record)} but it already exists")
        if action == "DELETE":
            if key not in state:
                raise _invalid(f"Tried to delete resource record set {_label(record)} but it was not found")
            if _values(state[key]) != _values(record):
                raise _invalid(
                    f"Tried to delete resource record set {_label(record)} "
                    "but the values provided do not match the current values"
                )
            del state[key]
            continue
        if action in ("CREATE", "UPSERT"):
            others = {k[1] for k in state if k[0] == key[0] and k != key}
            if (record.get("Type") == "CNAME" and others - {"CNAME"}) or (
                record.get("Type") != "CNAME" and "CNAME" in others
            ):
                raise _invalid(
                    f"RRSet of type {record.get('Type')} with DNS name {key[0]}. is not permitted as it conflicts with "
                    f"other records with the same DNS name in zone {_name(zone.name)}."
                )
            state[key] = record


def apply(options) -> None:
    from moto.route53.models import Route53Backend

    original = Route53Backend.change_resource_record_sets

    @functools.wraps(original)
    def change_resource_record_sets(self, zoneid, change_list):
        zone = self.get_hosted_zone(zoneid)
        validate(zone, change_list)
        for change in change_list:
            if change.get("Action") == "DELETE":
                key = _key(change["ResourceRecordSet"])
                zone.rrsets = [r for r in zone.rrsets if _key(_stored(r)) != key]
            else:
                # Checked above: a CREATE names a new record set. moto's own duplicate check looks
                # at its change history and the records sorted after the name, and can refuse a
                # CREATE that follows a DELETE of the same record set.
                original(self, zoneid, [{**change, "Action": "UPSERT"}])

    Route53Backend.change_resource_record_sets = change_resource_record_sets
