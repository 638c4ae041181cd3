"""Fixtures shared by every test: the emulator as a real process, one per session.

``emulator`` yields a clean account (moto reset) and a journal window that starts
with the test; ``plain_moto`` is the same process without the emulator's fixes,
for tests that show a fix is still needed.

The schedule: ``make tests`` runs the unit and the integration tests in one session on three
pytest-xdist workers (``--dist loadgroup --no-loadscope-reorder``), so that the unit tests fill
the time the integration tests spend waiting for the emulator's slow resources and for
throttled requests. A work unit goes to one worker whole: each ``xdist_group`` (a shared
deployment, a file with a module-scoped emulator), each unit-test file, every other test alone.
Units start in the order of ``schedule_rank``: the longest first, so that no long one is left
for the end.
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


def pytest_configure(config):
    config.addinivalue_line("markers", "xdist_group(name): tests that run on one worker, one after the other")
    config.addinivalue_line(
        "markers", "deploys(minutes): deploys whole environments on an emulator of its own, for about that long"
    )


def schedule_rank(item) -> tuple[int, float]:
    """0: groups that share a deployment (the longest); 1: whole deploys of their own, longest
    first; 2: other integration tests; 3: unit tests, the short work that evens out the end."""
    group = item.get_closest_marker("xdist_group")
    if group and group.args[0].startswith("deployment"):
        return (0, 0)
    deploys = item.get_closest_marker("deploys")
    if deploys:
        return (1, -deploys.kwargs.get("minutes", 1))
    return (2 if "integration" in item.path.parts else 3, 0)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(items):
    for item in items:
        if "unit" in item.path.parts and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(f"file {item.path.relative_to(ROOT)}"))
    order = {id(item): number for number, item in enumerate(items)}
    items.sort(key=lambda item: (schedule_rank(item), order[id(item)]))


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
