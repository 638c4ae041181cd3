"""scripts/demo's pure parts: the progress it reads from ansible-playbook's output and the summary it prints.

The samples are excerpts of real runs against the emulator (site.yml, cutover.yml, a failing deploy_app.yml),
shortened; the whole `make demo` runs against the emulator and is not part of the unit tests.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys

from tests.harness.emulator import ROOT

SCRIPT = ROOT / "scripts" / "demo"


def load_script():
    """scripts/demo as a module (it has no .py suffix, so import it by path)."""
    loader = importlib.machinery.SourceFileLoader("demo_script", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    sys.modules[loader.name] = module  # dataclasses look their module up there
    loader.exec_module(module)
    return module


demo = load_script()

SITE_LOG = """
PLAY [Check inputs before any AWS call] ****************************************

TASK [Check env_suffix against the naming rules of every resource it ends up in] ***
ok: [localhost]

TASK [envmigrate.aws.vpc : Check vpc_cidr] *************************************
ok: [localhost]

TASK [envmigrate.aws.monitoring : Check the alarm thresholds] ******************
ok: [localhost]

PLAY [Build the environment] ***************************************************

TASK [Identify the account] ****************************************************
ok: [localhost]

TASK [Network] *****************************************************************
included: envmigrate.aws.vpc for localhost

TASK [envmigrate.aws.vpc : Check the ports] ************************************
ok: [localhost] => (item=vpc_app_port)
ok: [localhost] => (item=vpc_alb_test_port)

TASK [envmigrate.aws.vpc : Create the VPC] *************************************
changed: [localhost]

TASK [envmigrate.aws.vpc : Create the public subnets] **************************
changed: [localhost] => (item=us-east-1a 10.0.0.0/19)
changed: [localhost] => (item=us-east-1b 10.0.32.0/19)
changed: [localhost] => (item=us-east-1c 10.0.64.0/19)

TASK [envmigrate.aws.vpc : Allocate the NAT gateway's Elastic IP (or take the one an interrupted run left)] ***
changed: [localhost]

TASK [Aurora PostgreSQL and the DMS migration into it] *************************
included: envmigrate.aws.aurora_dms for localhost

TASK [envmigrate.aws.aurora_dms : Check that the engine version can pause at 0 ACU] ***
ok: [localhost]

TASK [envmigrate.aws.aurora_dms : Create the cluster] **************************
skipping: [localhost]

TASK [Collect the outputs of every role] ***************************************
ok: [localhost] => (item=vpc)
ok: [localhost] => (item=aurora_dms)

PLAY RECAP *********************************************************************
localhost                  : ok=10   changed=3    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0
"""

CUTOVER_LOG = """
PLAY [Walk the cutover] ********************************************************

TASK [Say where the cutover stands] ********************************************
ok: [localhost] =>
    msg: 'demo: AWS share 0 percent; phases to walk: 25, 50, each held 0 s'

TASK [Check the gates before the AWS share becomes 25] *************************
included: /work/main/playbooks/tasks/traffic_gates.yml for localhost

TASK [Report each gate] ********************************************************
ok: [localhost] => (item=no alarm in ALARM) =>
    msg: 'PASS no alarm in ALARM: none of the 16 alarms of the environment in ALARM'
ok: [localhost] => (item=health check healthy) =>
    msg: 'PASS health check healthy: healthy 2 s ago'

TASK [Set both weights in one change batch and wait for INSYNC] ****************
changed: [localhost]

TASK [Check the gates before the AWS share becomes 50] *************************
included: /work/main/playbooks/tasks/traffic_gates.yml for localhost

TASK [Report each gate] ********************************************************
ok: [localhost] => (item=no alarm in ALARM) =>
    msg: 'PASS no alarm in ALARM: none of the 16 alarms of the environment in ALARM'
ok: [localhost] => (item=DMS replicating with low CDC latency) =>
    msg: FAIL DMS replicating with low CDC latency: task stopped, CDC latency not reported

TASK [Report the cutover] ******************************************************
ok: [localhost]

PLAY RECAP *********************************************************************
"""

FAILED_RELEASE_LOG = """
PLAY [Release the application] *************************************************

TASK [Check app_image] *********************************************************
ok: [localhost]

TASK [Check that the image comes from this environment's ECR] ******************
[ERROR]: Task failed: Action failed: app_image "nginx:latest" is not in this environment's ECR repository
Origin: /work/main/playbooks/deploy_app.yml:77:7

77     - name: Check that the image comes from this environment's ECR
         ^ column 7

fatal: [localhost]: FAILED! =>
    assertion: deploy_app_problems | length == 0
    changed: false
    evaluated_to: false
    msg: app_image "nginx:latest" is not in this environment's ECR repository
        123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-app-demo or under
        123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-public-demo/;
        push it there, or set allow_external_image=true

PLAY RECAP *********************************************************************
localhost                  : ok=1    changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0
"""


def read(log: str, part_of=demo.role_part):
    """Feed a log one line per second (line i at t=i); return the parser and the tallies in the order finished."""
    progress = demo.PlaybookProgress(part_of)
    finished = []
    lines = log.splitlines()
    for second, line in enumerate(lines):
        finished += progress.feed(line, float(second))
    finished += progress.close(float(len(lines)))
    return progress, finished


def by_name(tallies):
    return {tally.name: tally for tally in tallies}


def test_site_progress_has_a_line_per_role_and_per_play():
    _, finished = read(SITE_LOG, demo.site_part)
    assert [(t.name, t.is_play) for t in finished] == [
        ("Check inputs before any AWS call", True),  # its role tasks only check inputs: no role lines
        ("vpc", False),
        ("aurora_dms", False),
        ("Build the environment", True),
    ]
    tallies = by_name(finished)
    assert (tallies["vpc"].tasks, tallies["vpc"].changed) == (4, 3)  # the loop's three changed items: one task
    assert (tallies["aurora_dms"].tasks, tallies["aurora_dms"].changed) == (2, 0)
    build = tallies["Build the environment"]
    assert (build.tasks, build.changed) == (10, 3)  # the include_role and outputs tasks count in the play only
    assert tallies["Check inputs before any AWS call"].tasks == 3


def test_a_role_lasts_from_its_first_task_to_the_next_task_outside_it():
    lines = SITE_LOG.splitlines()
    first_vpc = lines.index("TASK [envmigrate.aws.vpc : Check the ports] ************************************")
    next_outside = lines.index("TASK [Aurora PostgreSQL and the DMS migration into it] *************************")
    _, finished = read(SITE_LOG, demo.site_part)
    vpc = by_name(finished)["vpc"]
    assert (vpc.started, vpc.ended) == (first_vpc, next_outside)
    assert vpc.seconds == next_outside - first_vpc


def test_parts_are_announced_as_soon_as_they_finish():
    progress = demo.PlaybookProgress(demo.site_part)
    announced = {}
    for second, line in enumerate(SITE_LOG.splitlines()):
        for tally in progress.feed(line, float(second)):
            announced[tally.name] = line
    assert announced["vpc"].startswith("TASK [Aurora PostgreSQL")
    assert announced["aurora_dms"].startswith("TASK [Collect the outputs")
    assert announced["Build the environment"].startswith("PLAY RECAP")


HALVES_LOG = """
PLAY [Build the environment] ***************************************************

TASK [Network, with the NAT gateway started but not waited for] ****************
included: vpc for localhost

TASK [envmigrate.aws.vpc : Start the NAT gateway] ******************************
changed: [localhost]

TASK [Aurora PostgreSQL and the DMS replication instance started but not waited for] ***
included: aurora_dms for localhost

TASK [envmigrate.aws.aurora_dms : Start the Aurora PostgreSQL cluster] *********
changed: [localhost]

TASK [VPN to on-premises, then wait for the NAT gateway and route the private subnets through it] ***
included: vpc for localhost

TASK [envmigrate.aws.vpc : Create the VPN gateway and attach it to the VPC] ****
changed: [localhost]

TASK [envmigrate.aws.vpc : Wait for the NAT gateway, the private subnets' way out] ***
ok: [localhost]

PLAY RECAP *********************************************************************
"""


def test_a_role_run_in_two_halves_has_a_line_for_each_and_one_row_in_the_summary():
    _, finished = read(HALVES_LOG, demo.site_part)
    parts = [tally for tally in finished if not tally.is_play]
    assert [(t.name, t.resumed) for t in parts] == [("vpc", False), ("aurora_dms", False), ("vpc", True)]
    assert demo.progress_line(parts[2]).split()[:3] == ["vpc", "(second", "half)"]
    totals = demo.role_totals(parts)
    assert list(totals) == ["vpc", "aurora_dms"]
    vpc = totals["vpc"]
    assert (vpc.tasks, vpc.changed, vpc.seconds) == (3, 2, parts[0].seconds + parts[2].seconds)


def test_a_part_is_resumed_only_within_its_play():
    _, finished = read(HALVES_LOG + HALVES_LOG, demo.site_part)
    second_play = [tally for tally in finished if not tally.is_play][3:]
    assert [(t.name, t.resumed) for t in second_play] == [("vpc", False), ("aurora_dms", False), ("vpc", True)]


def test_cutover_progress_has_a_line_per_phase_with_its_gates():
    progress, finished = read(CUTOVER_LOG, demo.phase_part)
    tallies = by_name(finished)
    assert [t.name for t in finished] == ["phase 25", "phase 50", "Walk the cutover"]
    assert (tallies["phase 25"].gates_passed, tallies["phase 25"].gates_failed, tallies["phase 25"].changed) == (
        1 + 1,
        0,
        1,
    )
    assert (tallies["phase 50"].gates_passed, tallies["phase 50"].gates_failed) == (1, 1)
    assert (tallies["Walk the cutover"].gates_passed, tallies["Walk the cutover"].gates_failed) == (3, 1)
    assert "gates 1 passed, 1 FAILED" in demo.progress_line(tallies["phase 50"])
    assert progress.failure is None


def test_the_failing_task_and_its_message_are_read_from_the_result():
    progress, _ = read(FAILED_RELEASE_LOG)
    assert progress.failure.task == "Check that the image comes from this environment's ECR"
    assert progress.failure.message == (
        'app_image "nginx:latest" is not in this environment\'s ECR repository '
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-app-demo or under "
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-public-demo/; push it there, or set allow_external_image=true"
    )


def test_an_ignored_failure_is_not_the_failure():
    log = """
PLAY [Release the application] *************************************************

TASK [Probe something optional] ************************************************
[ERROR]: Task failed: Action failed: not there
fatal: [localhost]: FAILED! =>
    changed: false
    msg: not there
...ignoring

TASK [Carry on] ****************************************************************
ok: [localhost]
"""
    progress, _ = read(log)
    assert progress.failure is None


def test_an_error_without_a_failed_result_is_the_failure():
    progress, finished = read("[ERROR]: the playbook: nonexist.yml could not be found\n")
    assert progress.failure == demo.Failure("", "the playbook: nonexist.yml could not be found")
    assert finished == []


def test_a_failed_loop_item_reports_its_msg():
    log = """
TASK [Loop fail] ***************************************************************
failed: [localhost] (item=1) =>
    ansible_loop_var: item
    changed: true
    cmd:
    - 'false'
    msg: non-zero return code
    rc: 1
"""
    progress, _ = read(log)
    assert progress.failure == demo.Failure("Loop fail", "non-zero return code")


def test_progress_line():
    tally = demo.Tally("route53_weights", started=10.0, ended=20.25, tasks=38, changed=2)
    assert demo.progress_line(tally).split() == ["route53_weights", "38", "tasks", "2", "changed", "10.2", "s"]
    play = demo.Tally("Build the environment", 0.0, 5.0, tasks=3, is_play=True)
    assert demo.progress_line(play).split()[:4] == ["play:", "Build", "the", "environment"]


def test_next_tag():
    assert demo.next_tag([]) == "1.0.1"
    assert demo.next_tag(["latest", "1.0.1"]) == "1.0.2"
    assert demo.next_tag(["1.0.9", "1.0.10", "0.9.99"]) == "1.0.11"  # by number, not text


OUTPUTS = {
    "account_id": "123456789012",
    "endpoint_url": "http://127.0.0.1:4566",
    "env_suffix": "demo",
    "region": "us-east-1",
    "roles": {
        "aurora_dms": {
            "cluster_identifier": "aurora-demo",
            "replication_instance_arn": "arn:aws:dms:us-east-1:123456789012:rep:dms-demo",
            "replication_task_arn": "arn:aws:dms:us-east-1:123456789012:task:dms-task-demo",
            "summary": "Aurora aurora-demo (16.4, 0.5-4 ACU); DMS dms-demo, task dms-task-demo (full-load-and-cdc)",
        },
        "codedeploy": {
            "alarms": ["alarm-alb-5xx-demo", "alarm-target-5xx-demo"],
            "application_name": "codedeploy-app-demo",
            "deployment_config_name": "CodeDeployDefault.ECSCanary10Percent5Minutes",
            "deployment_group_name": "codedeploy-dg-demo",
        },
        "ecr_ecs": {
            "alb_name": "alb-demo",
            "cluster_name": "ecs-cluster-demo",
            "repository_name": "ecr-app-demo",
            "service_name": "svc-app-demo",
            "target_groups": {"blue": "tg-blue-demo", "green": "tg-green-demo"},
        },
        "lambdas": {
            "health_function": "lambda-health-demo",
            "health_schedule": "rate(1 minute)",
            "validator_function": "lambda-validator-demo",
        },
        "monitoring": {
            "alarms": [f"alarm-{n}-demo" for n in range(16)],
            "dashboard": "dashboard-demo",
            "topic_arn": "arn:aws:sns:us-east-1:123456789012:sns-alarms-demo",
        },
        "route53_weights": {
            "alias_target": {"dns_name": "alb-demo-1.us-east-1.elb.amazonaws.com"},
            "onprem_endpoint": "app.onprem.example",
            "record_name": "app.demo.envmigrate.example.",
            "record_type": "CNAME",
            "set_identifiers": {"aws": "aws-demo", "onprem": "onprem-demo"},
            "weights": {"aws": 0, "onprem": 100},  # as site.yml left them, before the cutover
            "zone_name": "demo.envmigrate.example.",
        },
        "storage": {"bucket_name": "s3-data-demo-123456789012", "table_name": "dynamodb-state-demo"},
        "vpc": {
            "cidr": "10.0.0.0/16",
            "private_subnet_ids": ["subnet-1", "subnet-2", "subnet-3"],
            "public_subnet_ids": ["subnet-4", "subnet-5", "subnet-6"],
            "security_group_ids": {"alb": "sg-1", "app": "sg-2", "db": "sg-3", "dms": "sg-4", "lambda": "sg-5"},
            "vpc_id": "vpc-ea2538bc773a7f070",
            "vpn_connection_id": "vpn-c6b37cf08deaef5af",
        },
    },
}

SITE_ORDER = ["vpc", "aurora_dms", "ecr_ecs", "codedeploy", "route53_weights", "storage", "lambdas", "monitoring"]


def sample_run(**changes):
    roles = [
        demo.Tally(name, started=0.0, ended=10.0 + i, tasks=20 + i, changed=i) for i, name in enumerate(SITE_ORDER)
    ]
    run = demo.DemoRun(
        suffix="demo",
        outputs_path=ROOT / "outputs" / "demo.json",
        outputs=OUTPUTS,
        weights={"aws": 100, "onprem": 0},  # read from Route53 after the cutover
        scheme="http",
        image="123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-app-demo:1.0.2",
        deployment={"id": "75f80cfa-0547-4735-b8f7-43d141f4ff85", "status": "Succeeded"},
        roles=roles,
        steps={"emulator": 1.2, "deploy": 170.4, "stand-ins": 0.3, "cutover": 35.6, "release": 10.9},
    )
    for name, value in changes.items():
        setattr(run, name, value)
    return run


def summary_line(summary: str, start: str) -> str:
    (line,) = [line for line in summary.splitlines() if line.startswith(start)]
    return line


def test_summary_fits_one_screen():
    lines = demo.render_summary(sample_run()).splitlines()
    assert len(lines) <= 24
    assert max(map(len, lines)) <= 120, max(lines, key=len)


def test_summary_entry_url_weights_and_release():
    summary = demo.render_summary(sample_run())
    assert "http://app.demo.envmigrate.example/" in summary_line(summary, "Entry URL")
    weights = summary_line(summary, "Weights")
    assert "aws 100 -> alb-demo-1.us-east-1.elb.amazonaws.com" in weights  # the live weights, not the outputs file's
    assert "onprem 0 -> app.onprem.example" in weights
    assert "(100% of users on AWS)" in weights
    release = summary_line(summary, "Release")
    assert "ecr-app-demo:1.0.2" in release
    assert "deployment 75f80cfa-0547-4735-b8f7-43d141f4ff85 Succeeded" in release


def test_summary_weights_share():
    summary = demo.render_summary(sample_run(weights={"aws": 25, "onprem": 75}))
    assert "(25% of users on AWS)" in summary_line(summary, "Weights")
    summary = demo.render_summary(sample_run(weights={"aws": 0, "onprem": 0}))
    assert "(50% of users on AWS)" in summary_line(summary, "Weights")  # Route53 splits evenly


def test_summary_has_each_role_in_site_order_with_timing_and_resources():
    lines = demo.render_summary(sample_run()).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("role "))
    rows = [line.split() for line in lines[header + 1 : header + 1 + len(SITE_ORDER)]]
    assert [row[0] for row in rows] == SITE_ORDER
    assert rows[0][1:4] == ["10.0s", "20", "0"]
    assert rows[7][1:4] == ["17.0s", "27", "7"]
    text = "\n".join(lines)
    assert "vpc-ea2538bc773a7f070 10.0.0.0/16: 3 public + 3 private subnets, NAT, VPN, 5 SGs" in text
    assert "Aurora aurora-demo, DMS dms-demo with task dms-task-demo" in text
    assert "codedeploy-app-demo/codedeploy-dg-demo, ECSCanary10Percent5Minutes, 2 stop alarms" in text
    assert "svc-app-demo on ecs-cluster-demo, alb-demo with 2 target groups, ECR ecr-app-demo" in text
    assert "weighted CNAMEs aws-demo + onprem-demo" in text
    assert "bucket s3-data-demo-123456789012, state table dynamodb-state-demo" in text
    assert "lambda-validator-demo, lambda-health-demo every rate(1 minute)" in text
    assert "16 alarms to sns-alarms-demo, dashboard dashboard-demo" in text


def test_summary_says_where_things_are_and_how_to_end():
    summary = demo.render_summary(sample_run())
    assert summary_line(summary, "Outputs").split() == ["Outputs", "outputs/demo.json"]
    assert "release 11 s; total 218 s" in summary_line(summary, "Steps")
    assert summary_line(summary, "Tear down").endswith(".venv/bin/ansible-playbook teardown.yml -e env_suffix=demo")
    assert summary_line(summary, "Stop").endswith("make emulator-stop")


def test_a_role_without_timing_or_known_outputs_still_shows():
    outputs = {**OUTPUTS, "roles": {**OUTPUTS["roles"], "extra": {"summary": "a bucket   and\n a queue"}}}
    vpc_only = [demo.Tally("vpc", 0.0, 5.0, tasks=3)]
    lines = demo.render_summary(sample_run(outputs=outputs, roles=vpc_only)).splitlines()
    assert lines[lines.index(next(line for line in lines if line.startswith("role "))) + 1].startswith("vpc ")
    assert summary_line("\n".join(lines), "extra").split() == [
        "extra",
        "-",
        "-",
        "-",
        "a",
        "bucket",
        "and",
        "a",
        "queue",
    ]
    assert demo.resources("aurora_dms", {"summary": "Aurora x"}) == "Aurora x"  # keys missing: the role's summary
