"""Assemble the emulator: moto's server with our layers in front of it.

A request passes, outermost first:

1. ``IdentifyAndJournal`` names it (service, operation) and journals the answer;
2. the middleware layers of ``middleware_layers`` (fault injection, ...), each a
   WSGI middleware that either answers itself or passes the request on;
3. moto's ``DomainDispatcherApplication``, which holds the account state, with
   the fixes of ``emulator/fixes/`` applied to moto's models and responses.

Adding behaviour means adding one fix module or one middleware; nothing else
in the chain needs to know.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass

from .journal import IdentifyAndJournal, Journal

DEFAULT_PORT = 4566


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    journal: str | None = None
    # Plain moto, without the fixes: for tests that show a fix is still needed.
    fixes: bool = True
    # SCALE of --latency realistic[:SCALE]: slow resources stay in transition for
    # their typical AWS time times SCALE. None: only until one describe saw it.
    latency: float | None = None
    # Fraction of requests answered with the service's throttling error, and the
    # seed that makes the choice reproducible.
    throttle: float = 0.0
    seed: int | None = None


def configure_moto() -> None:
    """Environment moto reads at import time; must run before moto is imported."""
    # Attaching AWS-managed policies (AmazonECSTaskExecutionRolePolicy, ...)
    # fails with NoSuchEntity unless moto loads them.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


def apply_fixes(options: Options) -> None:
    """Patch moto where it differs from AWS (one module per fix in emulator/fixes/)."""
    if not options.fixes:
        return
    try:
        from . import fixes
    except ImportError:  # no fixes package yet
        return
    fixes.apply_all(options)


def middleware_layers(options: Options) -> list[Callable]:
    """WSGI middlewares between the journal and moto, innermost first."""
    from .faults import FaultRules, Throttle
    from .latency import RequestClock

    # Errors a test asked for come before the clock: an injected error never reaches moto.
    layers: list[Callable] = [RequestClock, FaultRules]
    if options.throttle > 0:
        # Outside the clock: a throttled request never reaches moto, so it sees no state.
        layers.append(functools.partial(Throttle, rate=options.throttle, seed=options.seed))
    return layers


def build_app(options: Options, journal: Journal) -> Callable:
    configure_moto()
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    apply_fixes(options)
    app: Callable = DomainDispatcherApplication(create_backend_app)
    for layer in middleware_layers(options):
        app = layer(app)
    return IdentifyAndJournal(app, journal)


def make_server(options: Options, journal: Journal):
    """A bound (listening) threaded werkzeug server; call ``serve_forever``."""
    configure_moto()
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server as werkzeug_make_server

    os.environ.setdefault("MOTO_PORT", str(options.port))
    app = build_app(options, journal)
    return werkzeug_make_server(options.host, options.port, app, threaded=True, request_handler=MotoRequestHandler)
