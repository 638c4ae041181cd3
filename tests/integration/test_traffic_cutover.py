"""playbooks/traffic_shift.yml and playbooks/cutover.yml on the shared environment: weights, gates, lock, history.

Runs after the other tests of the shared environment (file order): it moves its traffic and starts its DMS task.
"""

from __future__ import annotations

import subprocess

import pytest

from emulator.standins import make_gates_green
from tests.harness.module import run_module
from tests.harness.playbook import run_playbook
from tests.integration.conftest import SUFFIX

# Runs on one worker with the other tests of the shared deployment's group (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("deployment-b")

ZONE = f"{SUFFIX}.envmigrate.example."
RECORD = f"app.{SUFFIX}.envmigrate.example."
TABLE = f"dynamodb-state-{SUFFIX}"
ALARM = f"alarm-alb-5xx-{SUFFIX}"


def _weights(emulator) -> dict:
    route53 = emulator.client("route53")
    (zone,) = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == ZONE]
    records = route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
    return {r["SetIdentifier"].split("-")[0]: r["Weight"] for r in records if r["Name"] == RECORD}


def _recorded(emulator) -> dict:
    return run_module(emulator, "cutover_state", {"table": TABLE, "action": "get"})["state"]


def _history(emulator, limit=50) -> list[dict]:
    return run_module(emulator, "cutover_state", {"table": TABLE, "action": "history", "limit": limit})["history"]


def _shift(emulator, weight, **extra):
    return run_playbook(
        emulator, "playbooks/traffic_shift.yml", extra_vars={"env_suffix": SUFFIX, "traffic_weight": weight, **extra}
    )


@pytest.fixture
def gates_green(site, emulator_process):
    """What the gates want to see: the DMS task replicating with low CDC latency, a passed validation, healthy probes.

    The emulator runs no database, no application and no EventBridge schedule: emulator/standins.py plays those parts.
    """
    make_gates_green(emulator_process.endpoint, SUFFIX)


def test_every_phase_is_applied_in_one_batch_and_recorded(gates_green, emulator_process):
    for weight in (25, 50, 75, 100, 0):
        result = _shift(emulator_process, weight)
        assert result.rc == 0, result.failed_message
        assert _weights(emulator_process) == {"aws": weight, "onprem": 100 - weight}
        batches = [e for e in result.mutating_requests if e["operation"] == "ChangeResourceRecordSets"]
        assert len(batches) == 1, batches
        assert _recorded(emulator_process)["weight"] == weight
    (committed, *_) = [e for e in _history(emulator_process) if e["kind"] == "committed"]
    assert (committed["from_weight"], committed["to_weight"]) == (100, 0)
    # The rollback to 0 skipped the gates; the rise to 100 passed four of them, each named.
    rise = next(e for e in _history(emulator_process) if e["kind"] == "committed" and e["to_weight"] == 100)
    assert [g["name"] for g in rise["gates"]] == [
        "no alarm in ALARM",
        "health check healthy",
        "DMS replicating with low CDC latency",
        "migration validation passed",
    ]
    assert all(g["passed"] for g in rise["gates"])


@pytest.mark.parametrize("weight", ["30", "-25", "125", "abc", ""])
def test_other_weights_are_refused_with_the_valid_ones_before_any_request(emulator_process, weight):
    result = _shift(emulator_process, weight)
    assert result.rc != 0
    assert "use one of 0, 25, 50, 75, 100" in result.failed_message
    assert result.journal == []


def test_a_rerun_of_site_keeps_the_weights(gates_green, emulator_process):
    assert _shift(emulator_process, 50).rc == 0
    rerun = run_playbook(emulator_process, "site.yml", extra_vars={"env_suffix": SUFFIX})
    assert rerun.rc == 0, rerun.failed_message
    assert rerun.mutating_requests == []
    # Only the outputs file changes: it records the weights, now 50/50.
    assert rerun.changed_tasks == ["Write the outputs file outputs/<env_suffix>.json"]
    assert _weights(emulator_process) == {"aws": 50, "onprem": 50}


def test_two_operators_shifting_at_once_cannot_both_win(gates_green, emulator_process):
    assert _shift(emulator_process, 50).rc == 0
    # Both start from the recorded 50: whoever commits first wins; the other is refused by the lock
    # (who holds it, for what) or by the phase it finds recorded.
    commands = [
        _command(emulator_process, 75, operator="alice"),
        _command(emulator_process, 100, operator="bob"),
    ]
    runs = [
        subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for c, env in commands
    ]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    codes = [run.returncode for run in runs]
    assert sorted(codes) == [0, 2], outputs
    loser = outputs[codes.index(2)]
    assert "is locked by" in loser or "The cutover phase recorded in" in loser, loser
    winner = (75, 100)[codes.index(0)]
    assert _recorded(emulator_process)["weight"] == winner
    assert _weights(emulator_process) == {"aws": winner, "onprem": 100 - winner}


def _command(emulator, weight, operator):
    from tests.harness.playbook import _command_and_environment

    extra = {"env_suffix": SUFFIX, "traffic_weight": weight}
    command, env = _command_and_environment(emulator, "playbooks/traffic_shift.yml", extra, False, False, [], {})
    # Ansible expands ~ of its temp folder for USER; an absolute one keeps ~alice out of the checkout.
    temp = f"/tmp/envmigrate-ansible-{operator}"
    env = dict(env, USER=operator, ANSIBLE_LOCAL_TEMP=temp, ANSIBLE_REMOTE_TMP=temp)
    return command, env


def test_a_failed_gate_during_the_cutover_rolls_back_and_names_the_alarm(gates_green, emulator_process):
    assert _shift(emulator_process, 50).rc == 0
    cloudwatch = emulator_process.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName=ALARM,
        Namespace="AWS/ApplicationELB",
        MetricName="HTTPCode_ELB_5XX_Count",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=10,
        ComparisonOperator="GreaterThanThreshold",
    )
    cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="test: 5xx from the ALB")
    try:
        result = run_playbook(
            emulator_process, "playbooks/cutover.yml", extra_vars={"env_suffix": SUFFIX, "phase_soak_seconds": 0}
        )
    finally:
        cloudwatch.delete_alarms(AlarmNames=[ALARM])
    assert result.rc != 0
    assert ALARM in result.failed_message and "went back from 50 to 25 percent" in result.failed_message
    assert _recorded(emulator_process)["weight"] == 25
    assert _weights(emulator_process) == {"aws": 25, "onprem": 75}
    rollback = next(e for e in _history(emulator_process) if e["kind"] == "committed")
    assert (rollback["from_weight"], rollback["to_weight"]) == (50, 25)
    assert rollback["reason"].startswith("rollback: no alarm in ALARM: in ALARM: " + ALARM)

    # Resumable: with the alarm gone, the next run continues from the recorded 25.
    resumed = run_playbook(
        emulator_process,
        "playbooks/cutover.yml",
        extra_vars={"env_suffix": SUFFIX, "phase_soak_seconds": 0, "cutover_target": 75},
    )
    assert resumed.rc == 0, resumed.failed_message
    assert _recorded(emulator_process)["weight"] == 75


def test_the_whole_cutover_walks_five_phases_into_the_history(gates_green, emulator_process):
    assert _shift(emulator_process, 0).rc == 0
    result = run_playbook(
        emulator_process, "playbooks/cutover.yml", extra_vars={"env_suffix": SUFFIX, "phase_soak_seconds": 0}
    )
    assert result.rc == 0, result.failed_message
    assert _weights(emulator_process) == {"aws": 100, "onprem": 0}
    committed = [e for e in _history(emulator_process) if e["kind"] == "committed"][:4]
    phases = [committed[-1]["from_weight"]] + [e["to_weight"] for e in reversed(committed)]
    assert phases == [0, 25, 50, 75, 100]
    # Run again at 100: nothing left to walk, nothing changed; a shift to where it is, the same.
    for playbook, extra in (
        ("playbooks/cutover.yml", {"phase_soak_seconds": 0}),
        ("playbooks/traffic_shift.yml", {"traffic_weight": 100}),
    ):
        again = run_playbook(emulator_process, playbook, extra_vars={"env_suffix": SUFFIX, **extra})
        assert again.rc == 0, again.failed_message
        assert (again.changed, again.mutating_requests) == (0, []), again.changed_tasks
