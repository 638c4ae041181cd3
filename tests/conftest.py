"""Fixtures shared by every test: the emulator as a real process, one per session.

``emulator`` yields a clean account (moto reset) and a journal window that starts
with the test; ``plain_moto`` is the same process without the emulator's fixes,
for tests that show a fix is still needed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `emulator` and `tests.harness` import from the checkout
# ansible_collections.envmigrate.aws.* imports from the checkout through the link `make setup` makes.
sys.path.insert(0, str(ROOT / ".collections"))

from tests.harness.emulator import Emulator  # noqa: E402


@pytest.fixture(scope="session")
def emulator_process():
    process = Emulator()
    yield process
    process.cleanup()


@pytest.fixture(scope="session")
def plain_moto_process():
    process = Emulator("--plain-moto")
    yield process
    process.cleanup()


@pytest.fixture
def emulator(emulator_process):
    emulator_process.reset()
    return emulator_process


@pytest.fixture
def plain_moto(plain_moto_process):
    plain_moto_process.reset()
    return plain_moto_process
