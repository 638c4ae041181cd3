"""site.yml and teardown.yml against the emulator: outputs file, summary, no-op rerun, check mode."""

from __future__ import annotations

import json

from tests.harness.emulator import ROOT
from tests.harness.playbook import run_playbook


def test_site_writes_outputs_and_summary(emulator, tmp_path):
    result = run_playbook(emulator, "site.yml", extra_vars={"env_suffix": "found", "outputs_dir": str(tmp_path)})
    assert result.rc == 0, result.failed_message or result.stderr
    outputs = json.loads((tmp_path / "found.json").read_text())
    assert outputs["env_suffix"] == "found"
    assert outputs["account_id"] == "123456789012"
    assert outputs["region"] == "us-east-1"
    (summary,) = result.task_results("Summary")
    assert any("Environment found in account 123456789012" in line for line in summary["msg"])
    # Every request went to the emulator, signed for us-east-1.
    assert result.journal and {e["region"] for e in result.journal} == {"us-east-1"}


def test_site_rerun_changes_nothing(emulator, tmp_path):
    extra = {"env_suffix": "again", "outputs_dir": str(tmp_path)}
    assert run_playbook(emulator, "site.yml", extra_vars=extra).rc == 0
    second = run_playbook(emulator, "site.yml", extra_vars=extra)
    assert second.rc == 0
    assert second.changed == 0
    assert second.mutating_requests == []


def test_check_mode_sends_no_mutating_request_and_writes_nothing(emulator, tmp_path):
    result = run_playbook(
        emulator, "site.yml", extra_vars={"env_suffix": "dry", "outputs_dir": str(tmp_path)}, check=True
    )
    assert result.rc == 0, result.failed_message
    assert result.mutating_requests == []
    assert not (tmp_path / "dry.json").exists()


def test_teardown_removes_the_outputs_file_and_is_repeatable(emulator, tmp_path):
    extra = {"env_suffix": "gone", "outputs_dir": str(tmp_path)}
    assert run_playbook(emulator, "site.yml", extra_vars=extra).rc == 0
    for _ in range(2):
        result = run_playbook(emulator, "teardown.yml", extra_vars=extra)
        assert result.rc == 0, result.failed_message
        assert not (tmp_path / "gone.json").exists()


def test_playbooks_run_from_the_playbooks_folder_too(emulator, tmp_path):
    result = run_playbook(
        emulator,
        str(ROOT / "playbooks" / "site.yml"),
        extra_vars={"env_suffix": "direct", "outputs_dir": str(tmp_path)},
    )
    assert result.rc == 0, result.failed_message
