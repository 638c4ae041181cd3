"""A free local TCP port, for servers a test starts (an emulator, PostgreSQL) or a port nobody listens on."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port the system just handed out and took back: free unless something takes it first."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
