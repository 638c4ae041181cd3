"""Bad inputs stop every playbook before the first AWS request (the journal stays empty)."""

from __future__ import annotations

import pytest

from tests.harness.playbook import run_playbook

PLAYBOOKS = ["site.yml", "teardown.yml"]
PREFLIGHT_TASK = "Check env_suffix against the naming rules of every resource it ends up in"

BAD_SUFFIXES = [
    ("", "is required"),
    ("UPPER", "only lowercase ASCII letters"),
    ("a_b", "only lowercase ASCII letters"),
    ("a--b", "no two consecutive hyphens"),
    ("-a", "no hyphen at the start or end"),
    ("a-", "no hyphen at the start or end"),
    ("a" * 24, "at most 23 characters"),
    ("dév", "only lowercase ASCII letters"),
]


@pytest.mark.parametrize("playbook", PLAYBOOKS)
@pytest.mark.parametrize(("suffix", "rule"), BAD_SUFFIXES)
def test_bad_env_suffix_is_refused_before_any_request(emulator_process, playbook, suffix, rule):
    result = run_playbook(emulator_process, playbook, extra_vars={"env_suffix": suffix})
    assert result.rc != 0
    assert result.failed_task == PREFLIGHT_TASK
    assert rule in result.failed_message
    if suffix:
        assert repr(suffix) in result.failed_message
    assert result.journal == []


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_missing_env_suffix_is_refused_before_any_request(emulator_process, playbook):
    result = run_playbook(emulator_process, playbook)
    assert result.rc != 0
    assert result.failed_task == PREFLIGHT_TASK
    assert "env_suffix is required" in result.failed_message
    assert result.journal == []


def test_emulator_inventory_refuses_a_remote_endpoint(emulator_process):
    result = run_playbook(
        emulator_process,
        "site.yml",
        extra_vars={"env_suffix": "dev"},
        env={"AWS_ENDPOINT_URL": "https://ec2.amazonaws.com"},
    )
    assert result.rc != 0
    assert result.failed_task == "Keep an emulator inventory on this machine"
    assert "not a loopback address" in result.failed_message
    assert result.journal == []
