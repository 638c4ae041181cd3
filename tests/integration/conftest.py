"""Integration tests run the playbooks against the emulator; they are slow by nature."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.slow)
