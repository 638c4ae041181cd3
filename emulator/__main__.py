"""Command line of the local AWS emulator (``scripts/aws-emulator``)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from .journal import Journal
from .server import DEFAULT_PORT, Options, make_server


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
    args = parser.parse_args(argv)
    return Options(host=args.host, port=args.port, journal=args.journal, fixes=not args.plain_moto)


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
