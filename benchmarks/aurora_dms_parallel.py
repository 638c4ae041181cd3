"""Does role aurora_dms wait for Aurora and the DMS instance at once, or one after the other?

Both take minutes on AWS (see emulator/LATENCY.md), so the role starts both without waiting and
waits where each is first needed. With the emulator's ``--latency realistic:SCALE`` this script
measures, on a fresh emulator per repetition:

* ``aurora``: the Aurora cluster and its Serverless v2 writer created and waited for, alone (boto3
  and botocore's waiters, no Ansible);
* ``dms``: the DMS replication instance created and waited for, alone;
* ``role``: ``aurora_dms`` (state present) after the network is built, as site.yml runs it;
* ``rerun``: the role again, nothing to do: Ansible's own cost of the role's ~30 tasks.

and prints medians and the ratios role / max(aurora, dms) (1.0 = fully overlapped, plus the
Ansible overhead) and role / (aurora + dms) (what waiting one after the other would cost).

    .venv/bin/python benchmarks/aurora_dms_parallel.py --scale 0.1 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.emulator import Emulator  # noqa: E402
from tests.harness.playbook import run_playbook  # noqa: E402

WAIT = {"Delay": 1, "MaxAttempts": 3600}


def timed(action) -> float:
    start = time.monotonic()
    action()
    return time.monotonic() - start


def aurora_alone(emulator: Emulator) -> None:
    rds = emulator.client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier="bench",
        Engine="aurora-postgresql",
        EngineVersion="16.4",
        MasterUsername="dbadmin",
        ManageMasterUserPassword=True,
        ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 4},
    )
    rds.create_db_instance(
        DBInstanceIdentifier="bench-writer",
        DBClusterIdentifier="bench",
        Engine="aurora-postgresql",
        DBInstanceClass="db.serverless",
    )
    rds.get_waiter("db_cluster_available").wait(DBClusterIdentifier="bench", WaiterConfig=WAIT)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier="bench-writer", WaiterConfig=WAIT)


def dms_alone(emulator: Emulator) -> None:
    dms = emulator.client("dms")
    arn = dms.create_replication_instance(
        ReplicationInstanceIdentifier="bench", ReplicationInstanceClass="dms.t3.medium", AllocatedStorage=50
    )["ReplicationInstance"]["ReplicationInstanceArn"]
    dms.get_waiter("replication_instance_available").wait(
        Filters=[{"Name": "replication-instance-arn", "Values": [arn]}], WaiterConfig=WAIT
    )


def role(emulator: Emulator, name: str) -> None:
    result = run_playbook(
        emulator, "benchmarks/playbooks/role.yml", extra_vars={"env_suffix": "bench", "bench_role": name}, timeout=7200
    )
    if result.rc != 0:
        raise SystemExit(f"role {name} failed: {result.failed_task}: {result.failed_message}\n{result.stderr}")


def one_repetition(scale: float) -> dict[str, float]:
    figures = {}
    for name, action in (("aurora", aurora_alone), ("dms", dms_alone)):
        emulator = Emulator("--latency", f"realistic:{scale}")
        try:
            figures[name] = timed(lambda: action(emulator))  # noqa: B023 - called at once
        finally:
            emulator.cleanup()
    emulator = Emulator("--latency", f"realistic:{scale}")
    try:
        role(emulator, "vpc")
        figures["role"] = timed(lambda: role(emulator, "aurora_dms"))
        figures["rerun"] = timed(lambda: role(emulator, "aurora_dms"))
    finally:
        emulator.cleanup()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--scale", type=float, default=0.1, help="emulator latency scale (1.0 = AWS's typical times)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions; medians are reported")
    args = parser.parse_args()

    runs = []
    for number in range(1, args.repeat + 1):
        runs.append(one_repetition(args.scale))
        print(f"run {number}: " + ", ".join(f"{k} {v:.1f} s" for k, v in runs[-1].items()), flush=True)
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    slower, both = max(median["aurora"], median["dms"]), median["aurora"] + median["dms"]
    print(f"\nlatency realistic:{args.scale}, {args.repeat} runs, medians:")
    for key, value in median.items():
        print(f"  {key:<7} {value:7.1f} s")
    print(f"  role / max(aurora, dms) = {median['role'] / slower:.2f}")
    print(f"  role / (aurora + dms)   = {median['role'] / both:.2f}")
    print(f"  (role - rerun) / max    = {(median['role'] - median['rerun']) / slower:.2f}  (Ansible's cost taken out)")


if __name__ == "__main__":
    main()
