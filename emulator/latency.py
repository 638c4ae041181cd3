"""Resource states that take time, as on AWS: ``pending`` before ``available``.

On AWS a NAT gateway, an Aurora cluster or a DMS replication instance spends
minutes in a transitional state; botocore waiters and the modules built on
them poll until it ends. moto makes everything final at once, so those
waiters return on their first poll and a playbook that forgets to wait passes
against the emulator and fails against AWS.

A ``Lifecycle`` replaces a moto model's state attribute (``state`` or
``status``). When moto assigns a final value the attribute reports the
transitional one instead, until both

* a request after the one that started the transition has read it, so every
  waiter sees the transitional state at least once, and
* the resource's typical duration (``TYPICAL_SECONDS`` times the SCALE of
  ``--latency realistic[:SCALE]``; zero without the option) has passed.

Each resource keeps its own transition, so "first describe pending, the next
one available" holds per resource, not per request type. Requests are
numbered by the ``RequestClock`` middleware.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# How long each transitional state typically lasts on AWS, in seconds, keyed by
# (resource kind, transitional state). Sources and ranges: emulator/LATENCY.md.
TYPICAL_SECONDS: dict[tuple[str, str], float] = {
    ("ec2:nat-gateway", "pending"): 120,
    ("ec2:nat-gateway", "deleting"): 60,
    ("ec2:vpn-gateway", "pending"): 30,
    ("ec2:vpn-gateway", "deleting"): 60,
    ("ec2:vpn-gateway-attachment", "attaching"): 45,
    ("ec2:vpn-gateway-attachment", "detaching"): 45,
    ("ec2:vpn-connection", "pending"): 300,
    ("ec2:vpn-connection", "deleting"): 120,
    ("elbv2:load-balancer", "provisioning"): 180,
    ("rds:db-cluster", "creating"): 300,
    ("rds:db-cluster", "starting"): 300,
    ("rds:db-cluster", "stopping"): 180,
    ("rds:db-cluster", "deleting"): 120,
    ("rds:db-instance", "creating"): 540,
    ("rds:db-instance", "starting"): 300,
    ("rds:db-instance", "stopping"): 180,
    ("rds:db-instance", "deleting"): 420,
    ("dms:replication-instance", "creating"): 720,
    ("dms:replication-instance", "deleting"): 300,
}

NEW = "<new>"  # "previous state" of a resource moto has just created
ANY = "<any>"  # a rule that applies whatever the previous state was
GONE = None  # final state of a resource AWS stops listing once it is deleted


def parse_latency(text: str) -> float:
    """SCALE of ``realistic[:SCALE]`` (``realistic`` alone means 1.0)."""
    name, _, scale = text.partition(":")
    try:
        value = float(scale) if scale else 1.0
    except ValueError:
        value = math.nan
    if name != "realistic" or not math.isfinite(value) or value <= 0:
        raise ValueError(f"expected realistic or realistic:SCALE with SCALE a positive number, got {text!r}")
    return value


# -- request clock ---------------------------------------------------------

_serials = itertools.count(1)
_current = threading.local()


def current_request() -> int:
    """Serial number of the request this thread is answering (0 outside requests)."""
    return getattr(_current, "serial", 0)


class RequestClock:
    """WSGI middleware: numbers each request, so a transition knows which request saw it first."""

    def __init__(self, app: Callable):
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        # werkzeug answers each request in its own thread, and moto renders the
        # whole body inside this call, so a thread-local is enough.
        _current.serial = next(_serials)
        try:
            return self.app(environ, start_response)
        finally:
            _current.serial = 0


# -- transitions -----------------------------------------------------------


@dataclass
class Transition:
    shown: str  # what AWS reports meanwhile, e.g. "pending"
    final: str | None  # what it reports afterwards; GONE: it disappears
    seconds: float
    started: float = field(default_factory=time.monotonic)
    started_in: int = field(default_factory=current_request)
    seen_in: int | None = None  # first later request that read it

    def done(self, request: int) -> bool:
        return self.seen_in is not None and request > self.seen_in and time.monotonic() - self.started >= self.seconds


@dataclass(frozen=True)
class Rule:
    previous: str  # NEW, ANY or a state name
    assigned: str  # the value moto assigns
    shown: str
    final: str | None


class Lifecycle:
    """Data descriptor for a moto model's state attribute; see the module docstring."""

    def __init__(self, attribute: str, kind: str, rules: list[Rule], scale: float):
        self.slot = f"_lifecycle_{attribute}"  # where the value lives in the instance's __dict__
        self.rules = {(rule.previous, rule.assigned): rule for rule in rules}
        self.seconds = {rule.shown: TYPICAL_SECONDS[(kind, rule.shown)] * scale for rule in rules}

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__.get(self.slot)
        if not isinstance(value, Transition):
            return value
        request = current_request()
        if not value.done(request):
            if value.seen_in is None and request > value.started_in:
                value.seen_in = request
            return value.shown
        # Settle for good, so copies moto makes later do not share the record.
        obj.__dict__[self.slot] = value.shown if value.final is GONE else value.final
        return obj.__dict__[self.slot]

    def __set__(self, obj, value) -> None:
        current = obj.__dict__.get(self.slot, NEW)
        if isinstance(current, Transition):
            if value in (current.shown, current.final):
                return  # moto re-asserting where the resource is heading (ELB activate, RDS modify)
            current = current.final
        rule = self.rules.get((current, value)) or self.rules.get((ANY, value))
        if rule is None:
            obj.__dict__[self.slot] = value
        else:
            obj.__dict__[self.slot] = Transition(rule.shown, rule.final, self.seconds[rule.shown])

    def settled(self, obj) -> bool:
        """Whether ``obj`` has finished its transition, as the current request sees it."""
        value = obj.__dict__.get(self.slot)
        return not isinstance(value, Transition) or value.done(current_request())
