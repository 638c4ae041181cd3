#!/usr/bin/env python3
"""How long site.yml takes: a rerun with nothing to do, and a fresh deploy with AWS's slow resources.

Default mode, per repetition on a fresh emulator (no latency), one run after the other so that the
machine's load hits all alike:

  first           site.yml on an empty account
  rerun           site.yml again, nothing to do, with Mitogen (ansible.cfg's strategy) and botocore's
                  data parsed once per process (speedups/botocore_model_cache.py, made by `make setup`)
  rerun, parse    the same with ENVMIGRATE_BOTOCORE_MODEL_CACHE=0: every module's new boto3 session
                  parses botocore's JSON data again
  rerun linear    with ANSIBLE_STRATEGY=linear, Ansible's plain strategy: a new Python per task (the baseline)

and prints the medians, the ratios rerun / first, the model cache's and Mitogen's, and where the time of each
goes: the sum of the task durations per role (the json callback's start and end of each task;
``preflight`` is playbooks/preflight.yml, ``site.yml`` the playbook's own tasks).

``--latency SCALE``, per repetition: site.yml on a fresh emulator without latency (Ansible's own
time), then on a fresh emulator with ``--latency realistic:SCALE``, where the slow resources stay in
their transitional states for emulator.latency.TYPICAL_SECONDS x SCALE. The time the second run
takes more than the first is what waiting costs ("added"); it, and the second run's whole time ("wall"),
are compared with

  longest chain   the slow resources that must come up one after the other (CHAIN below): the
                  least any order of the playbooks can wait
  site.yml now    what site.yml's order should wait (IN_TURN below): every slow resource is
                  started before the first wait (the VPN gateway and connection, whose modules
                  always wait, are created while the database comes up), so the longest chain
  role by role    each role waiting for its own slow resources before the next role starts, as
                  site.yml did before vpc, ecr_ecs and aurora_dms ran in two halves
  sum             every slow resource waited for on its own, one after the other

``--without-vpn`` deploys without the on-premises VPN peer (onprem_vpn_ip empty): no VPN connection.

The waits poll every aws_poll_delay (1 s in the local inventory), except amazon.aws.ec2_vpc_vgw's for
the VPN gateway's attachment: every 15 s, so at a small SCALE that wait takes 15 s instead of
45 x SCALE. Not part of the test suite: the figures depend on the machine and its load, which is
printed with them.

    .venv/bin/python benchmarks/site_speed.py --repeat 3
    .venv/bin/python benchmarks/site_speed.py --latency 0.1 --repeat 2 [--without-vpn]
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emulator.latency import TYPICAL_SECONDS  # noqa: E402
from tests.harness.emulator import Emulator  # noqa: E402
from tests.harness.playbook import run_playbook  # noqa: E402

SUFFIX = "bench"  # and the local inventory's inputs: onprem_vpn_ip is set, so the VPN connection is built

# The slow resources site.yml creates: their TYPICAL_SECONDS key, their role, and the slow resources
# that must be available before they are created. Everything else they need (subnets, security
# groups, IAM roles, subnet groups) is there within seconds.
CHAIN = {
    # vpc: created as soon as its public subnet, Elastic IP and internet gateway exist.
    "NAT gateway": (("ec2:nat-gateway", "pending"), "vpc", []),
    # vpc: amazon.aws.ec2_vpc_vgw attaches the gateway right after CreateVpnGateway (it waits for the
    # gateway to exist, not to be available), so the attachment starts with the gateway.
    "VPN gateway": (("ec2:vpn-gateway", "pending"), "vpc", []),
    "VPN gateway attachment": (("ec2:vpn-gateway-attachment", "attaching"), "vpc", []),
    # vpc: the connection is created once ec2_vpc_vgw has returned, i.e. the gateway is attached;
    # AWS propagates the connection's routes only through an attached gateway.
    "VPN connection": (("ec2:vpn-connection", "pending"), "vpc", ["VPN gateway attachment"]),
    # ecr_ecs: needs the public subnets and sg-alb only; listeners are added while it provisions.
    "load balancer": (("elbv2:load-balancer", "provisioning"), "ecr_ecs", []),
    # aurora_dms: CreateDBInstance accepts a cluster that is still creating, so the writer starts with it.
    "Aurora cluster": (("rds:db-cluster", "creating"), "aurora_dms", []),
    "Aurora writer": (("rds:db-instance", "creating"), "aurora_dms", []),
    # aurora_dms: needs the private subnets and sg-dms only. The replication task needs it and the
    # Aurora writer available, but the task itself is created in seconds.
    "DMS instance": (("dms:replication-instance", "creating"), "aurora_dms", []),
}

# What site.yml waits for, one group after the other. Its first halves of vpc, ecr_ecs and
# aurora_dms start the NAT gateway, the load balancer, Aurora, its writer and the DMS instance
# without waiting; vpc's second half then creates the VPN gateway and connection (waited for:
# amazon.aws.ec2_vpc_vgw and ec2_vpc_vpn have no way not to, and async tasks hang under Mitogen)
# while the database comes up. So a single group: site.yml's order should wait the longest chain.
IN_TURN = (tuple(CHAIN),)


def chain_figures(scale: float, vpn: bool) -> dict[str, float]:
    """Seconds of waiting at ``scale``: the longest chain, site.yml's order, role by role, the sum."""
    built = [name for name in CHAIN if vpn or name != "VPN connection"]
    seconds = {name: TYPICAL_SECONDS[CHAIN[name][0]] * scale for name in built}

    def available_after(name: str) -> float:  # from the start, when nothing waits for anything else
        return seconds[name] + max((available_after(before) for before in CHAIN[name][2]), default=0.0)

    by_role = collections.defaultdict(float)
    for name in built:
        by_role[CHAIN[name][1]] = max(by_role[CHAIN[name][1]], available_after(name))
    return {
        "longest chain": max(available_after(name) for name in built),
        "site.yml now": sum(max(available_after(name) for name in group if name in built) for group in IN_TURN),
        "role by role": sum(by_role.values()),
        "sum": sum(seconds.values()),
    }


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def print_run(number: int, walls: dict[str, float]) -> None:
    figures = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in walls.items())
    print(f"run {number}: {figures}  (load {load()})", flush=True)


def site(emulator: Emulator, env: dict | None = None, vpn: bool = True):
    """Run site.yml; its wall time in seconds and the json callback's document."""
    extra_vars = {"env_suffix": SUFFIX, **({} if vpn else {"onprem_vpn_ip": ""})}
    start = time.monotonic()
    result = run_playbook(emulator, "site.yml", extra_vars=extra_vars, env=env, timeout=7200)
    wall = time.monotonic() - start
    if result.rc != 0:
        raise SystemExit(f"site.yml failed: {result.failed_task}: {result.failed_message}\n{result.stderr[-3000:]}")
    return wall, result


def per_role(output: dict) -> dict[str, float]:
    """Sum of the task durations per role (``preflight``: the first play; ``site.yml``: no role)."""
    spent = collections.Counter()
    for number, play in enumerate(output.get("plays", [])):
        for task in play["tasks"]:
            path = task["task"].get("path") or ""
            if number == 0 and len(output["plays"]) > 1:
                where = "preflight"
            elif "/roles/" in path:
                where = path.split("/roles/")[1].split("/")[0]
            else:
                where = "site.yml"
            duration = task["task"]["duration"]
            spent[where] += _seconds(duration["end"]) - _seconds(duration["start"])
    return dict(spent)


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


# -- no-op rerun ------------------------------------------------------------------------------------


def rerun_repetition(vpn: bool) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    emulator = Emulator()
    try:
        walls, roles = {}, {}
        runs = (
            ("first", None),
            ("rerun", None),
            ("rerun, parse", {"ENVMIGRATE_BOTOCORE_MODEL_CACHE": "0"}),
            ("rerun linear", {"ANSIBLE_STRATEGY": "linear"}),
        )
        for name, env in runs:
            walls[name], result = site(emulator, env, vpn)
            roles[name] = per_role(result.output)
            if name != "first" and result.changed:
                raise SystemExit(f"{name} changed something: {result.changed_tasks}")
        return walls, roles
    finally:
        emulator.cleanup()


def rerun_mode(repeat: int, vpn: bool) -> None:
    print(f"load before: {load()}", flush=True)
    walls, roles = [], []
    for number in range(1, repeat + 1):
        wall, role = rerun_repetition(vpn)
        walls.append(wall)
        roles.append(role)
        print_run(number, wall)
    median = {key: statistics.median(run[key] for run in walls) for key in walls[0]}
    print(f"\nsite.yml against the emulator, {repeat} runs, medians (load after: {load()}):")
    for key, value in median.items():
        print(f"  {key:<14} {value:7.1f} s")
    print(f"  rerun / first          = {median['rerun'] / median['first']:.2f}")
    print(f"  rerun linear / first   = {median['rerun linear'] / median['first']:.2f}")
    print(f"  cache / parse          = {median['rerun'] / median['rerun, parse']:.2f}  (no-op reruns)")
    print(f"  mitogen / linear       = {median['rerun'] / median['rerun linear']:.2f}  (no-op reruns)")
    print_per_role(roles)


def print_per_role(roles: list[dict[str, dict[str, float]]]) -> None:
    runs = list(roles[0])
    names = sorted({name for run in roles for kind in run.values() for name in kind})
    median = {
        (run, name): statistics.median(repetition[run].get(name, 0.0) for repetition in roles)
        for run in runs
        for name in names
    }
    print("\nwhere the time goes: sum of task durations per role, s, medians")
    print(f"  {'':<16}" + "".join(f"{run:>14}" for run in runs))
    for name in sorted(names, key=lambda n: -median[(runs[-1], n)]):
        print(f"  {name:<16}" + "".join(f"{median[(run, name)]:14.1f}" for run in runs))
    print(f"  {'total':<16}" + "".join(f"{sum(median[(run, n)] for n in names):14.1f}" for run in runs))


# -- fresh deploy with latency ----------------------------------------------------------------------


def latency_repetition(scale: float, vpn: bool) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    walls, roles = {}, {}
    for name, args in (("no latency", ()), ("latency", ("--latency", f"realistic:{scale}"))):
        emulator = Emulator(*args)
        try:
            walls[name], result = site(emulator, vpn=vpn)
            roles[name] = per_role(result.output)
        finally:
            emulator.cleanup()
    walls["added"] = walls["latency"] - walls["no latency"]
    return walls, roles


def latency_mode(scale: float, repeat: int, vpn: bool) -> None:
    print(f"load before: {load()}", flush=True)
    walls, roles = [], []
    for number in range(1, repeat + 1):
        wall, role = latency_repetition(scale, vpn)
        walls.append(wall)
        roles.append(role)
        print_run(number, wall)
    median = {key: statistics.median(run[key] for run in walls) for key in walls[0]}
    figures = chain_figures(scale, vpn)
    what = "with" if vpn else "without"
    print(f"\nfresh site.yml {what} the VPN connection, latency realistic:{scale}, {repeat} runs, medians")
    print(f"(load after: {load()}):")
    print(f"  first run without latency   {median['no latency']:7.1f} s")
    print(f"  first run with latency      {median['latency']:7.1f} s")
    print(f"  added by the waits          {median['added']:7.1f} s")
    print(f"\n  waits at scale {scale}      seconds   added / it   wall / it")
    for name, seconds in figures.items():
        print(f"  {name:<22} {seconds:9.1f}   {median['added'] / seconds:10.2f}   {median['latency'] / seconds:9.2f}")
    print_per_role(roles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--latency", type=float, metavar="SCALE", help="fresh deploys with realistic:SCALE instead")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions; medians are reported")
    parser.add_argument("--without-vpn", action="store_true", help="onprem_vpn_ip empty: no VPN connection")
    args = parser.parse_args()
    if args.latency is None:
        rerun_mode(args.repeat, vpn=not args.without_vpn)
    else:
        latency_mode(args.latency, args.repeat, vpn=not args.without_vpn)


if __name__ == "__main__":
    main()
