#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cutover_state
version_added: 0.2.0
short_description: The phased cutover's state, lock and history in the environment's DynamoDB state table
description:
  - Reads and changes the state of the phased cutover - the share of the traffic that goes to AWS - in the
    environment's DynamoDB state table (C(dynamodb-state-<env_suffix>), string keys C(pk) and C(sk), made by the
    C(storage) role). This module owns the protocol of those items, so no playbook writes them by hand.
  - Phases are the AWS traffic share in percent, one of C(0), C(25), C(50), C(75), C(100). A rollback is an
    ordinary shift to a lower phase.
  - B(The state item) has C(pk=cutover) and C(sk=state). C(weight) is the current phase (a number), C(updated_at)
    and C(updated_by) say when and by whom it was last committed, and while a shift runs C(lock) is a map
    C({id, operator, from, to, started_at}). No state item means phase C(0) and no lock.
  - B(A shift) is O(action=begin), then the traffic change, then O(action=commit) (or O(action=abort) if it went
    wrong). V(begin) is one conditional C(UpdateItem) that succeeds only when there is no lock (or only one older
    than O(lock_timeout_seconds)) and the recorded phase is O(from_weight) (a missing item counts as phase C(0)).
    DynamoDB evaluates the condition and the write atomically, so of two operators shifting at once exactly one
    wins; the other is refused with a message that names who holds the lock, since when and for what shift, or
    the phase actually recorded. V(begin) returns the RV(lock_id) that V(commit) and V(abort) need.
  - V(commit) sets the phase to the lock's target and removes the lock; V(abort) removes the lock and leaves the
    phase. Both are conditional on the lock still being O(lock_id), and are refused clearly when it is not (it
    was committed, aborted or taken over).
  - A lock older than O(lock_timeout_seconds) is taken over by the next V(begin), which records a C(taken_over)
    event for the old lock before its own C(begun) event. A V(commit) or V(abort) of a lock that has expired but
    has not been taken over still succeeds.
  - B(History.) Every V(begin), V(commit), V(abort) and take-over writes one item with C(pk=cutover) and
    C(sk=history#<at>#<lock id>#<kind>), where C(<at>) is ISO 8601 UTC with microseconds. Its attributes are
    C(kind) (C(begun), C(committed), C(aborted) or C(taken_over)), C(operator), C(from), C(to), C(gates) (what
    the gates saw, as given), C(reason) (when given), C(at), C(started_at) (when the shift began) and C(lock_id).
    V(history) lists them newest first.
  - B(Results of the functions.) The health-check and the migration-validation functions (C(lambdas) role) record
    their latest result as the items C(pk=health-check, sk=latest) and C(pk=validation, sk=latest), with at least
    C(at) (ISO 8601 with a time zone) and C(healthy) or C(passed) (a boolean). V(get) returns them as
    RV(latest_health) and RV(latest_validation) with their age, for the gates of the traffic playbooks.
  - V(get) and V(history) change nothing. V(begin), V(commit) and V(abort) report C(changed=true); in check mode
    they read the state item, check what the write would check, fail as it would or report what it would do,
    and write nothing.
  - Inputs are checked before any request - the phases, O(from_weight) differing from O(to_weight), O(lock_id)
    for V(commit) and V(abort), the table name.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  table:
    description: Name of the state table, C(dynamodb-state-<env_suffix>).
    type: str
    required: true
  action:
    description:
      - V(get) reads the state, V(history) lists the events.
      - V(begin) takes the lock for a shift from O(from_weight) to O(to_weight), V(commit) sets the phase to the
        lock's target and releases it, V(abort) releases it without changing the phase.
    type: str
    required: true
    choices: [get, begin, commit, abort, history]
  operator:
    description:
      - Who begins, commits or aborts, recorded in the lock, the state item and the events.
      - Defaults to the ARN of the caller identity (C(sts:GetCallerIdentity)), or the local user name when STS
        does not answer.
    type: str
  from_weight:
    description:
      - For O(action=begin) - the phase the shift starts from, which must be the phase recorded.
      - The AWS traffic share in percent.
    type: int
    choices: [0, 25, 50, 75, 100]
  to_weight:
    description:
      - For O(action=begin) - the phase the shift goes to; must differ from O(from_weight). Lower is a rollback.
    type: int
    choices: [0, 25, 50, 75, 100]
  lock_id:
    description: For O(action=commit) and O(action=abort) - the RV(lock_id) that O(action=begin) returned.
    type: str
  gates:
    description:
      - For O(action=begin), O(action=commit) and O(action=abort) - what the gates (health checks, alarms,
        validation) saw, recorded with the event as given.
      - Numbers with a fraction are stored as DynamoDB numbers and come back as floats.
    type: list
    elements: dict
    default: []
  reason:
    description:
      - Why, recorded with the event. Meant for O(action=abort) (which alarm, which check failed), also accepted
        for O(action=begin) and O(action=commit), for example to mark a rollback.
    type: str
  lock_timeout_seconds:
    description:
      - For O(action=begin) - a lock older than this many seconds may be taken over; the take-over is recorded
        in the history.
    type: int
    default: 3600
  limit:
    description: For O(action=history) - the most events to return, newest first.
    type: int
    default: 50
  metric_dimensions:
    description:
      - For O(action=commit) - publish the new phase as the CloudWatch metric C(TrafficWeightAws) (namespace
        C(envmigrate), unit Percent) with these dimensions, for example C(Environment=dev), which the dashboard
        draws. Empty - no metric.
    type: dict
    default: {}
notes:
  - Needs C(dynamodb:GetItem), C(dynamodb:UpdateItem), C(dynamodb:PutItem) and C(dynamodb:Query) on the table,
    C(sts:GetCallerIdentity) for the default O(operator), and C(cloudwatch:PutMetricData) for O(metric_dimensions).
  - Throttling (C(ThrottlingException), C(ProvisionedThroughputExceededException)) is retried with jittered
    backoff. A conditional write that is refused is never retried.
  - In check mode O(action=begin) takes no lock; the RV(lock_id) it returns is not held, so a following
    O(action=commit) or O(action=abort) in check mode is refused. Playbooks skip those in check mode.
  - The state change and its history event are two writes. If the event cannot be written after the state was
    changed, the module fails, says so, and still returns RV(lock_id) and RV(state).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Where the cutover of environment dev stands
  envmigrate.aws.cutover_state:
    table: dynamodb-state-dev
    action: get
  register: cutover

- name: Take the lock to shift from 25 % to 50 % on AWS
  envmigrate.aws.cutover_state:
    table: dynamodb-state-dev
    action: begin
    from_weight: 25
    to_weight: 50
    gates:
      - name: health
        healthy: true
  register: shift

- name: Record the new phase once the Route53 weights are changed
  envmigrate.aws.cutover_state:
    table: dynamodb-state-dev
    action: commit
    lock_id: "{{ shift.lock_id }}"
    gates:
      - name: alarms
        in_alarm: []

- name: Take the lock for the next step, 50 % to 75 %
  envmigrate.aws.cutover_state:
    table: dynamodb-state-dev
    action: begin
    from_weight: 50
    to_weight: 75
  register: next_shift

- name: Give that lock back when a gate fails, phase unchanged
  envmigrate.aws.cutover_state:
    table: dynamodb-state-dev
    action: abort
    lock_id: "{{ next_shift.lock_id }}"
    reason: "alarm alb-5xx-dev in ALARM"

- name: The last ten events, newest first
  envmigrate.aws.cutover_state:
    table: dynamodb-state-dev
    action: history
    limit: 10
  register: cutover_history
"""

RETURN = r"""
latest_health:
  description:
    - For O(action=get) - the latest result of the health-check function as it recorded it, plus C(age_seconds)
      (C(none) when C(at) cannot be read); C(none) when it has recorded none.
  returned: when O(action=get)
  type: dict
  sample: {"at": "2026-11-25T04:00:00.000000+00:00", "healthy": true, "age_seconds": 42}
latest_validation:
  description:
    - For O(action=get) - the latest result of the migration-validation function, plus C(age_seconds); C(none) when
      it has recorded none.
  returned: when O(action=get)
  type: dict
  sample: {"at": "2026-11-25T03:50:00.000000+00:00", "passed": true, "age_seconds": 642}
state:
  description:
    - The state item - after the write for V(begin), V(commit) and V(abort); in check mode, as it would be.
  returned: when O(action) is not V(history)
  type: dict
  contains:
    weight:
      description: The current phase, the AWS traffic share in percent.
      type: int
      sample: 25
    updated_at:
      description: When the phase was last committed, ISO 8601 UTC; null when it never was.
      type: str
      sample: "2024-05-02T09:41:07.123456+00:00"
    updated_by:
      description: Who last committed the phase; null when nobody did.
      type: str
      sample: arn:aws:iam::123456789012:user/alice
    lock:
      description: The running shift, or null.
      type: dict
      contains:
        lock_id:
          description: ID of the lock.
          type: str
          sample: 5b1c0f2e-8d7a-4c53-9b1e-0f2e8d7a4c53
        operator:
          description: Who began the shift.
          type: str
          sample: arn:aws:iam::123456789012:user/alice
        from_weight:
          description: The phase the shift starts from.
          type: int
          sample: 25
        to_weight:
          description: The phase the shift goes to.
          type: int
          sample: 50
        started_at:
          description: When the shift began, ISO 8601 UTC.
          type: str
          sample: "2024-05-02T09:41:07.123456+00:00"
lock_id:
  description: The lock taken; pass it to O(action=commit) or O(action=abort). In check mode, not held.
  returned: when O(action=begin)
  type: str
  sample: 5b1c0f2e-8d7a-4c53-9b1e-0f2e8d7a4c53
taken_over:
  description: The expired lock that V(begin) took over (with the keys of RV(state.lock)), or null.
  returned: when O(action=begin)
  type: dict
event:
  description: The history event written (in check mode, that would be written), with the keys of RV(history).
  returned: when O(action) is V(begin), V(commit) or V(abort)
  type: dict
history:
  description: The events, newest first, at most O(limit).
  returned: when O(action=history)
  type: list
  elements: dict
  contains:
    at:
      description: When, ISO 8601 UTC with microseconds.
      type: str
      sample: "2024-05-02T09:41:07.123456+00:00"
    kind:
      description: V(begun), V(committed), V(aborted) or V(taken_over).
      type: str
      sample: committed
    operator:
      description: Who did it (for V(taken_over), who took the lock over).
      type: str
      sample: arn:aws:iam::123456789012:user/alice
    from_weight:
      description: The phase the shift started from.
      type: int
      sample: 25
    to_weight:
      description: The phase the shift went to.
      type: int
      sample: 50
    gates:
      description: What the gates saw, as given.
      type: list
      elements: dict
      sample: [{"name": "health", "healthy": true}]
    reason:
      description: Why, when given; for V(taken_over), whose lock and since when.
      type: str
      sample: alarm alb-5xx-dev in ALARM
    lock_id:
      description: The lock of the shift.
      type: str
      sample: 5b1c0f2e-8d7a-4c53-9b1e-0f2e8d7a4c53
    started_at:
      description: When the shift began.
      type: str
      sample: "2024-05-02T09:41:07.123456+00:00"
"""

import datetime
import getpass
import json
import re
import uuid
from decimal import Decimal

try:
    import botocore
    from boto3.dynamodb.types import TypeDeserializer
    from boto3.dynamodb.types import TypeSerializer
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envmigrate.aws.plugins.module_utils.retries import retry_decorator

WEIGHTS = [0, 25, 50, 75, 100]
PK = "cutover"
STATE_SK = "state"
HISTORY_PREFIX = "history#"
# Items the Lambda functions write (lambdas role): their latest result, read by the cutover gates.
HEALTH_PK = "health-check"
VALIDATION_PK = "validation"
METRIC_NAMESPACE = "envmigrate"
# DynamoDB's data plane throttles with its own code (AWSRetry does not know it).
RETRY_CODES = ("ProvisionedThroughputExceededException",)
TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
# Every attribute goes through a name placeholder: "lock", "from" and "to" are DynamoDB reserved words.
NAMES = {
    "#weight": "weight",
    "#lock": "lock",
    "#id": "id",
    "#started_at": "started_at",
    "#updated_at": "updated_at",
    "#updated_by": "updated_by",
}
ONE_MICROSECOND = datetime.timedelta(microseconds=1)


class Refused(Exception):
    """The protocol refuses the request (lock held, phase differs, lock not ours); nothing was written."""

    def __init__(self, msg, state):
        super(Refused, self).__init__(msg)
        self.state = state


class HistoryNotWritten(Exception):
    """The state item was changed but its history event could not be written."""

    def __init__(self, error, result):
        super(HistoryNotWritten, self).__init__(str(error))
        self.error = error
        self.result = result


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def stamp(moment):
    """ISO 8601 UTC with microseconds, fixed width, so that strings sort as the moments do."""
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="microseconds")


def to_dynamodb(value):
    """``value`` as a DynamoDB attribute value (floats become Decimal, which DynamoDB needs)."""
    return TypeSerializer().serialize(json.loads(json.dumps(value), parse_float=Decimal))


def plain(value):
    """A deserialized DynamoDB value with Decimal made int or float, for the return."""
    if isinstance(value, dict):
        return dict((k, plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def from_dynamodb(item):
    if not item:
        return None
    deserializer = TypeDeserializer()
    return plain(dict((k, deserializer.deserialize(v)) for k, v in item.items()))


def lock_result(lock):
    if not lock:
        return None
    return {
        "lock_id": lock.get("id"),
        "operator": lock.get("operator"),
        "from_weight": lock.get("from"),
        "to_weight": lock.get("to"),
        "started_at": lock.get("started_at"),
    }


def state_result(item):
    """The state item (deserialized, or None) as the module returns it."""
    item = item or {}
    return {
        "weight": item.get("weight", 0),
        "updated_at": item.get("updated_at"),
        "updated_by": item.get("updated_by"),
        "lock": lock_result(item.get("lock")),
    }


def event_result(event):
    return {
        "at": event.get("at"),
        "kind": event.get("kind"),
        "operator": event.get("operator"),
        "from_weight": event.get("from"),
        "to_weight": event.get("to"),
        "gates": event.get("gates") or [],
        "reason": event.get("reason"),
        "lock_id": event.get("lock_id"),
        "started_at": event.get("started_at"),
    }


def shift(lock):
    return "%s -> %s" % (lock.get("from"), lock.get("to"))


class CutoverState(object):
    """The protocol of the cutover items in one state table.

    ``client`` is a DynamoDB client that takes ``aws_retry`` (as AnsibleAWSModule.client makes them, or
    amazon.aws's RetryingBotoClientWrapper). Refusals raise Refused; AWS errors propagate.
    """

    def __init__(self, client, table, clock=utc_now):
        self.client = client
        self.table = table
        self.clock = clock
        self.key = {"pk": {"S": PK}, "sk": {"S": STATE_SK}}

    # -- reads -------------------------------------------------------------
    def read(self):
        """The state item, deserialized, or None."""
        answer = self.client.get_item(aws_retry=True, TableName=self.table, Key=self.key, ConsistentRead=True)
        return from_dynamodb(answer.get("Item"))

    def latest_result(self, pk):
        """The latest result the health-check or validation function recorded, with its age, or None."""
        key = {"pk": {"S": pk}, "sk": {"S": "latest"}}
        answer = self.client.get_item(aws_retry=True, TableName=self.table, Key=key, ConsistentRead=True)
        result = from_dynamodb(answer.get("Item"))
        if result is None:
            return None
        result.pop("pk", None)
        result.pop("sk", None)
        try:
            at = datetime.datetime.fromisoformat(result["at"])
            result["age_seconds"] = int((self.clock() - at).total_seconds())
        except (KeyError, TypeError, ValueError):
            result["age_seconds"] = None  # no usable time: the gates treat it as too old
        return result

    def history(self, limit):
        events, start = [], {}
        while len(events) < limit:
            page = self.client.query(
                aws_retry=True,
                TableName=self.table,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues={":pk": {"S": PK}, ":prefix": {"S": HISTORY_PREFIX}},
                ScanIndexForward=False,
                ConsistentRead=True,
                Limit=limit - len(events),
                **start,
            )
            events.extend(event_result(from_dynamodb(item)) for item in page.get("Items") or [])
            if not page.get("LastEvaluatedKey"):
                break
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
        return events[:limit]

    # -- checks ------------------------------------------------------------
    def begin_problem(self, item, from_weight, to_weight, cutoff):
        """Why a begin from ``from_weight`` is refused against ``item`` (deserialized), or None."""
        lock = (item or {}).get("lock")
        if lock and not lock.get("started_at", "") < cutoff:
            return (
                "The cutover in %s is locked by %s since %s for the shift %s (lock %s); %s -> %s cannot begin. "
                "Commit or abort that shift first (action=commit or abort with its lock_id), or wait until the lock "
                "is older than lock_timeout_seconds and begin again to take it over."
                % (
                    self.table,
                    lock.get("operator"),
                    lock.get("started_at"),
                    shift(lock),
                    lock.get("id"),
                    from_weight,
                    to_weight,
                )
            )
        weight = (item or {}).get("weight", 0)
        if weight != from_weight:
            return "The cutover phase recorded in %s is %s, not from_weight %s; %s -> %s cannot begin.%s" % (
                self.table,
                weight,
                from_weight,
                from_weight,
                to_weight,
                "" if item else " (There is no state item yet, which means phase 0.)",
            )
        return None

    def not_ours(self, item, lock_id, action):
        lock = (item or {}).get("lock")
        weight = (item or {}).get("weight", 0)
        if not lock:
            return (
                "Cannot %s: the cutover in %s holds no lock (phase %s); lock %s was committed, aborted or taken over "
                "(action=history shows which)." % (action, self.table, weight, lock_id)
            )
        return "Cannot %s: the cutover lock in %s is not %s; it is held by %s since %s for the shift %s (lock %s)." % (
            action,
            self.table,
            lock_id,
            lock.get("operator"),
            lock.get("started_at"),
            shift(lock),
            lock.get("id"),
        )

    # -- writes ------------------------------------------------------------
    def begin(self, operator, from_weight, to_weight, gates, reason, lock_timeout, check_mode=False):
        now = self.clock()
        cutoff = stamp(now - datetime.timedelta(seconds=lock_timeout))
        lock_id = str(uuid.uuid4())
        lock = {"id": lock_id, "operator": operator, "from": from_weight, "to": to_weight, "started_at": stamp(now)}
        if check_mode:
            before = self.read()
            problem = self.begin_problem(before, from_weight, to_weight, cutoff)
            if problem:
                raise Refused(problem, state_result(before))
        else:
            before = self._take(lock, from_weight, to_weight, cutoff)
        after = dict(before or {}, lock=lock, weight=(before or {}).get("weight", 0))
        taken = (before or {}).get("lock")
        result = {"lock_id": lock_id, "state": state_result(after), "taken_over": lock_result(taken)}
        result["diff"] = {"before": state_result(before), "after": result["state"]}
        events = []
        if taken:
            reason_taken = "lock of %s since %s for the shift %s expired after %s s; taken over by lock %s" % (
                taken.get("operator"),
                taken.get("started_at"),
                shift(taken),
                lock_timeout,
                lock_id,
            )
            old = {"id": taken.get("id"), "from": taken.get("from"), "to": taken.get("to")}
            old["started_at"] = taken.get("started_at")
            events.append(self._event("taken_over", now - ONE_MICROSECOND, operator, old, [], reason_taken))
        events.append(self._event("begun", now, operator, lock, gates, reason))
        result["event"] = event_result(events[-1])
        if not check_mode:
            self._record(events, result)
        return result

    def _take(self, lock, from_weight, to_weight, cutoff):
        """The one conditional write of begin; returns the item as it was before (deserialized, or None)."""
        weight_matches = "#weight = :from"
        if from_weight == 0:
            weight_matches = "(attribute_not_exists(#weight) OR #weight = :from)"
        try:
            answer = self.client.update_item(
                aws_retry=True,
                TableName=self.table,
                Key=self.key,
                UpdateExpression="SET #lock = :lock, #weight = if_not_exists(#weight, :zero)",
                ConditionExpression=weight_matches
                + " AND (attribute_not_exists(#lock) OR #lock.#started_at < :cutoff)",
                ExpressionAttributeNames=dict((k, NAMES[k]) for k in ("#weight", "#lock", "#started_at")),
                ExpressionAttributeValues={
                    ":lock": to_dynamodb(lock),
                    ":from": {"N": str(from_weight)},
                    ":zero": {"N": "0"},
                    ":cutoff": {"S": cutoff},
                },
                ReturnValues="ALL_OLD",
            )
        except is_boto3_error_code("ConditionalCheckFailedException"):
            item = self.read()
            if ((item or {}).get("lock") or {}).get("id") == lock["id"]:
                # Our own write, answered too late and sent again: it is ours. What it replaced is unknown.
                return dict(item, lock=None)
            problem = self.begin_problem(item, from_weight, to_weight, cutoff)
            raise Refused(
                problem
                or "The cutover state in %s changed while %s -> %s began; try again."
                % (self.table, from_weight, to_weight),
                state_result(item),
            ) from None
        return from_dynamodb(answer.get("Attributes"))

    def commit(self, operator, lock_id, gates, reason, check_mode=False):
        return self._release("commit", operator, lock_id, gates, reason, check_mode)

    def abort(self, operator, lock_id, gates, reason, check_mode=False):
        return self._release("abort", operator, lock_id, gates, reason, check_mode)

    def _release(self, action, operator, lock_id, gates, reason, check_mode):
        before = self.read()
        lock = (before or {}).get("lock")
        if not lock or lock.get("id") != lock_id:
            raise Refused(self.not_ours(before, lock_id, action), state_result(before))
        now = self.clock()
        after = dict(before, lock=None)
        if action == "commit":
            after.update(weight=lock["to"], updated_at=stamp(now), updated_by=operator)
        if not check_mode:
            self._release_write(action, after, lock_id)
        result = {"state": state_result(after), "diff": {"before": state_result(before), "after": state_result(after)}}
        kind = "committed" if action == "commit" else "aborted"
        event = self._event(kind, now, operator, lock, gates, reason)
        result["event"] = event_result(event)
        if not check_mode:
            self._record([event], result)
        return result

    def _release_write(self, action, after, lock_id):
        parameters = {
            "ConditionExpression": "#lock.#id = :lock_id",
            "ExpressionAttributeNames": dict((k, NAMES[k]) for k in ("#lock", "#id")),
            "ExpressionAttributeValues": {":lock_id": {"S": lock_id}},
            "UpdateExpression": "REMOVE #lock",
        }
        if action == "commit":
            parameters["UpdateExpression"] = "SET #weight = :to, #updated_at = :at, #updated_by = :by REMOVE #lock"
            parameters["ExpressionAttributeNames"].update(
                dict((k, NAMES[k]) for k in ("#weight", "#updated_at", "#updated_by"))
            )
            parameters["ExpressionAttributeValues"].update(
                {
                    ":to": {"N": str(after["weight"])},
                    ":at": {"S": after["updated_at"]},
                    ":by": {"S": after["updated_by"]},
                }
            )
        try:
            self.client.update_item(aws_retry=True, TableName=self.table, Key=self.key, **parameters)
        except is_boto3_error_code("ConditionalCheckFailedException"):
            # Taken over since it was read - or our own commit answered too late and sent again.
            item = self.read()
            ours = action == "commit" and not (item or {}).get("lock")
            ours = ours and (item or {}).get("updated_at") == after["updated_at"]
            if not (ours and item.get("updated_by") == after["updated_by"]):
                raise Refused(self.not_ours(item, lock_id, action), state_result(item)) from None

    def _event(self, kind, moment, operator, lock, gates, reason):
        at = stamp(moment)
        event = {
            "pk": PK,
            "sk": "%s%s#%s#%s" % (HISTORY_PREFIX, at, lock["id"], kind),
            "kind": kind,
            "operator": operator,
            "from": lock["from"],
            "to": lock["to"],
            "gates": gates or [],
            "at": at,
            "started_at": lock["started_at"],
            "lock_id": lock["id"],
        }
        if reason:
            event["reason"] = reason
        return event

    def _record(self, events, result):
        for event in events:
            try:
                self.client.put_item(
                    aws_retry=True,
                    TableName=self.table,
                    Item=dict((k, to_dynamodb(v)) for k, v in event.items()),
                    ConditionExpression="attribute_not_exists(sk)",
                )
            except is_boto3_error_code("ConditionalCheckFailedException"):
                pass  # written by our own request, answered too late and sent again
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                raise HistoryNotWritten(e, result) from e


def default_operator(module):
    """The caller identity's ARN, or the local user when STS does not answer."""
    try:
        sts = module.client("sts", retry_decorator=retry_decorator())
        return sts.get_caller_identity(aws_retry=True)["Arn"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
        try:
            return getpass.getuser()
        except Exception:  # no user name in the environment nor the password database
            return "unknown"


def input_problem(params):
    """Why the options cannot work, checked before any request; or None."""
    if not TABLE_NAME.match(params["table"]):
        return "table must be a DynamoDB table name, 3 to 255 letters, digits and _.- (got %r)" % params["table"]
    if params["action"] == "begin" and params["from_weight"] == params["to_weight"]:
        return "from_weight and to_weight are both %s: a shift must change the phase (one of %s)" % (
            params["from_weight"],
            ", ".join(str(w) for w in WEIGHTS),
        )
    if params["action"] in ("commit", "abort") and not params["lock_id"]:
        return "action=%s needs the lock_id that action=begin returned" % params["action"]
    if params["lock_timeout_seconds"] < 1:
        return "lock_timeout_seconds must be at least 1 (got %s)" % params["lock_timeout_seconds"]
    if params["limit"] < 1:
        return "limit must be at least 1 (got %s)" % params["limit"]
    return None


def publish_weight(module, weight, dimensions):
    """The TrafficWeightAws data point the dashboard draws (namespace envmigrate)."""
    cloudwatch = module.client("cloudwatch", retry_decorator=retry_decorator())
    cloudwatch.put_metric_data(
        aws_retry=True,
        Namespace=METRIC_NAMESPACE,
        MetricData=[
            {
                "MetricName": "TrafficWeightAws",
                "Dimensions": [{"Name": k, "Value": str(v)} for k, v in sorted(dimensions.items())],
                "Value": weight,
                "Unit": "Percent",
            }
        ],
    )


def main():
    argument_spec = dict(
        table=dict(type="str", required=True),
        action=dict(type="str", required=True, choices=["get", "begin", "commit", "abort", "history"]),
        operator=dict(type="str"),
        from_weight=dict(type="int", choices=WEIGHTS),
        to_weight=dict(type="int", choices=WEIGHTS),
        lock_id=dict(type="str"),
        gates=dict(type="list", elements="dict", default=[]),
        reason=dict(type="str"),
        lock_timeout_seconds=dict(type="int", default=3600),
        limit=dict(type="int", default=50),
        metric_dimensions=dict(type="dict", default={}),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[
            ("action", "begin", ("from_weight", "to_weight")),
            ("action", "commit", ("lock_id",)),
            ("action", "abort", ("lock_id",)),
        ],
    )
    params = module.params
    problem = input_problem(params)
    if problem:
        module.fail_json(msg=problem)

    action, table = params["action"], params["table"]
    client = module.client("dynamodb", retry_decorator=retry_decorator(*RETRY_CODES))
    cutover = CutoverState(client, table)
    result = {}
    try:
        if action == "get":
            module.exit_json(
                changed=False,
                state=state_result(cutover.read()),
                latest_health=cutover.latest_result(HEALTH_PK),
                latest_validation=cutover.latest_result(VALIDATION_PK),
            )
        if action == "history":
            module.exit_json(changed=False, history=cutover.history(params["limit"]))
        operator = params["operator"] or default_operator(module)
        gates, reason = params["gates"], params["reason"]
        if action == "begin":
            result = cutover.begin(
                operator,
                params["from_weight"],
                params["to_weight"],
                gates,
                reason,
                params["lock_timeout_seconds"],
                module.check_mode,
            )
        elif action == "commit":
            result = cutover.commit(operator, params["lock_id"], gates, reason, module.check_mode)
            if params["metric_dimensions"] and not module.check_mode:
                publish_weight(module, result["state"]["weight"], params["metric_dimensions"])
        else:
            result = cutover.abort(operator, params["lock_id"], gates, reason, module.check_mode)
    except Refused as refused:
        module.fail_json(msg=str(refused), state=refused.state)
    except HistoryNotWritten as e:
        module.fail_json_aws(
            e.error,
            msg="The cutover state in %s was changed (%s) but its history event could not be written" % (table, action),
            **e.result,
        )
    except is_boto3_error_code("ResourceNotFoundException") as e:
        module.fail_json_aws(
            e,
            msg="DynamoDB table %s does not exist in %s: the cutover state table is made by the storage role - run "
            "site.yml first" % (table, module.region),
        )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Failed to %s the cutover state in DynamoDB table %s" % (action, table))

    module.exit_json(changed=True, **result)


if __name__ == "__main__":
    main()
