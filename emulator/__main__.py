"""Command line of the local AWS emulator (``scripts/aws-emulator``)."""

from __future__ import annotations

import argparse
import logging
import math
import random
import signal
import sys

from .journal import Journal
from .latency import parse_latency
from .server import DEFAULT_PORT, Options, make_server


def _latency(text: str) -> float:
    try:
        return parse_latency(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 1:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}")
    return value


def _seed(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return int(text)


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="aws-emulator",
        description="Local AWS for envmigrate.aws: moto server plus what moto lacks.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)"
    )
    parser.add_argument("--journal", metavar="FILE", help="append one JSON line per request to FILE")
    parser.add_argument(
        "--plain-moto", action="store_true", help="serve moto without the emulator's fixes (to show a fix is needed)"
    )
    parser.add_argument(
        "--latency",
        metavar="realistic[:SCALE]",
        type=_latency,
        help="keep slow resources (NAT gateways, Aurora, DMS, ALBs, VPN) creating/deleting for their typical "
        "AWS time times SCALE (default 1.0; see emulator/LATENCY.md). Without it they change state after one "
        "describe has seen the transitional state",
    )
    parser.add_argument(
        "--throttle",
        metavar="RATE",
        type=_rate,
        default=0.0,
        help="answer this fraction (0..1) of AWS requests with the service's own throttling error",
    )
    parser.add_argument(
        "--seed",
        metavar="N",
        type=_seed,
        help="seed for --throttle, to replay a run (default: random, printed at startup)",
    )
    args = parser.parse_args(argv)
    if args.plain_moto and args.latency is not None:
        parser.error("--latency needs the emulator's fixes; it cannot be combined with --plain-moto")
    seed = args.seed
    if args.throttle > 0 and seed is None:
        seed = random.SystemRandom().randrange(2**32)
    return Options(
        host=args.host,
        port=args.port,
        journal=args.journal,
        fixes=not args.plain_moto,
        latency=args.latency,
        throttle=args.throttle,
        seed=seed,
    )


def _stop(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    # One line per request already goes to the journal; keep the console for what matters.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    journal = Journal(options.journal)
    server = make_server(options, journal)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if options.throttle > 0:
        print(f"aws-emulator: throttling {options.throttle:.0%} of requests; --seed {options.seed} replays", flush=True)
    # The socket is bound and listening once make_server returns, so "ready"
    # is true from here on; the port line lets callers use --port 0.
    print(f"aws-emulator ready on http://{options.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        journal.close()
    print("aws-emulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
