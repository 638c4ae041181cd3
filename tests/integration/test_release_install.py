"""The released collection: what ``ansible-galaxy collection build`` makes, installed as a user does.

A user installs the tarball with ``ansible-galaxy collection install --offline`` into a collections
path of their own and runs ``ansible-playbook envmigrate.aws.site`` from a folder of their own,
with nothing of this checkout: no ansible.cfg, no .collections link, the inventory shipped in the
collection (inventories/local). These tests do the same, in a temporary folder, with
ANSIBLE_COLLECTIONS_PATH naming only the install (amazon.aws and community.aws come from the
``ansible`` package, which ansible finds on its own).

A fresh deployment and its teardown take minutes (about 5 and 4.5 on a loaded 2-core machine), so
the installed site.yml runs against the shared deployment ``it`` instead: every role of the
release runs its whole present path (every template, vars file, module, filter and the lambdas'
sources, from the tarball) and must find nothing to change, and must write the same outputs as the
checkout did. The installed teardown.yml runs for an environment that does not exist: every role's
absent path, without one request that changes anything (so nothing of ``it`` either).
"""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

from tests.harness.emulator import ROOT
from tests.harness.playbook import ANSIBLE_PLAYBOOK
from tests.integration.conftest import SUFFIX

# Runs on one worker with the other tests of the shared deployment's group (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("deployment-a")

BIN = Path(ANSIBLE_PLAYBOOK).parent
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
COLLECTION = f"{GALAXY['namespace']}.{GALAXY['name']}"
# What a collection's tarball must carry for its playbooks to run, beside galaxy's own manifest.
SHIPPED_FOLDERS = ["meta", "playbooks", "plugins", "roles", "lambdas", "inventories"]
# What stays in the checkout: development tools, tests and their leftovers.
DEVELOPMENT_ONLY = {"tests", "emulator", "scripts", "benchmarks", "outputs", ".venv", ".collections", ".cache"}


@pytest.fixture(scope="module")
def tarball(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    _run([BIN / "ansible-galaxy", "collection", "build", str(ROOT), "--output-path", str(out)], cwd=out)
    (built,) = out.glob("*.tar.gz")
    return built


@pytest.fixture(scope="module")
def installed(tarball, tmp_path_factory) -> dict:
    """The tarball installed offline into an empty collections path: its path and the install's output."""
    path = tmp_path_factory.mktemp("collections")
    output = _run(
        [BIN / "ansible-galaxy", "collection", "install", str(tarball), "--offline", "-p", str(path)],
        cwd=path,
        env=_user_environment(path),
    )
    return {"path": path, "root": path / "ansible_collections" / GALAXY["namespace"] / GALAXY["name"], "log": output}


@pytest.fixture
def workdir(tmp_path) -> Path:
    """A folder of the user's own, outside the checkout."""
    assert not tmp_path.is_relative_to(ROOT)
    return tmp_path


def _user_environment(collections_path: Path, **extra) -> dict:
    """This process's environment without any ANSIBLE_* setting (make exports ANSIBLE_CONFIG, which
    would load the checkout's ansible.cfg and with it the checkout's collection)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    return {**clean, "ANSIBLE_COLLECTIONS_PATH": str(collections_path), "ANSIBLE_NOCOLOR": "1", **extra}


def _run(command: list, cwd: Path, env: dict | None = None) -> str:
    completed = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def _run_installed_playbook(installed, emulator, workdir: Path, playbook: str, suffix: str) -> dict:
    """``ansible-playbook envmigrate.aws.<playbook>`` from ``workdir``, as a user's shell starts it."""
    emulator.mark()
    inventory = installed["root"] / "inventories" / "local"
    environment = _user_environment(
        installed["path"],
        PWD=str(workdir),  # a shell sets it; site.yml writes outputs/ under it
        AWS_ENDPOINT_URL=emulator.endpoint,
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
    )
    completed = subprocess.run(
        [ANSIBLE_PLAYBOOK, "-i", str(inventory), f"{COLLECTION}.{playbook}", "-e", f"env_suffix={suffix}"],
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = json.loads(completed.stdout[completed.stdout.find("{") :]) if "{" in completed.stdout else {}
    assert completed.returncode == 0, _failures(output) or completed.stdout + completed.stderr
    return output


def _tasks(output: dict) -> list[dict]:
    return [task for play in output.get("plays", []) for task in play["tasks"]]


def _failures(output: dict) -> list[str]:
    return [
        f"{task['task']['name']}: {result.get('msg', '')}"
        for task in _tasks(output)
        for result in task["hosts"].values()
        if result.get("failed")
    ]


def _changed_tasks(output: dict) -> list[str]:
    return [t["task"]["name"] for t in _tasks(output) if any(r.get("changed") for r in t["hosts"].values())]


# -- the tarball and its install ------------------------------------------------------------------


def test_tarball_carries_every_file_the_playbooks_need(tarball):
    with tarfile.open(tarball) as archive:
        members = {m.name for m in archive.getmembers() if m.isfile()}
    needed = {
        str(path.relative_to(ROOT))
        for folder in SHIPPED_FOLDERS
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and not _is_leftover(path.relative_to(ROOT))
    }
    assert sorted(needed - members) == []
    assert {"MANIFEST.json", "FILES.json", "meta/runtime.yml", "playbooks/site.yml"} <= members


def test_tarball_carries_no_development_files_nor_leftovers(tarball):
    with tarfile.open(tarball) as archive:
        names = [m.name for m in archive.getmembers()]
    assert sorted({n.split("/")[0] for n in names} & DEVELOPMENT_ONLY) == []
    assert [n for n in names if _is_leftover(Path(n))] == []


def _is_leftover(path: Path) -> bool:
    """Caches and what a run leaves behind: __pycache__, .ansible/tmp, ~user folders ansible made
    from a ``~user`` path of a user this machine does not have."""
    return any(part in {"__pycache__", ".ansible"} or part.startswith("~") for part in path.parts) or (
        path.suffix == ".pyc"
    )


def test_offline_install_takes_the_dependencies_from_the_ansible_package(installed):
    skipped = [line for line in installed["log"].splitlines() if line.endswith("is already installed, skipping.")]
    for dependency in GALAXY["dependencies"]:
        assert any(line.startswith(f"'{dependency}:") for line in skipped), installed["log"]
    # Nothing was fetched: the collections path holds this collection only.
    assert sorted(p.name for p in (installed["path"] / "ansible_collections").iterdir()) == [GALAXY["namespace"]]


def test_ansible_finds_the_collection_only_in_the_install(installed, workdir):
    listed = _run(
        [BIN / "ansible-galaxy", "collection", "list", COLLECTION, "--format", "json"],
        cwd=workdir,
        env=_user_environment(installed["path"]),
    )
    places = {path for path, collections in json.loads(listed).items() if COLLECTION in collections}
    assert places == {str(installed["path"] / "ansible_collections")}


# -- its playbooks, from outside the checkout -----------------------------------------------------


def test_installed_site_converges_the_shared_environment_and_writes_the_same_outputs(
    site, emulator_process, installed, workdir
):
    output = _run_installed_playbook(installed, emulator_process, workdir, "site", SUFFIX)
    # Every task came from the install, none from the checkout.
    paths = {t["task"]["path"].split(":")[0] for t in _tasks(output) if t["task"].get("path")}
    assert paths and all(Path(p).is_relative_to(installed["root"]) for p in paths), sorted(paths)
    # The user's folder is new: its outputs/ is made, then written. Nothing in the account changes.
    changes = [(e["service"], e["operation"]) for e in emulator_process.mutating_requests()]
    assert _changed_tasks(output) == [
        "Create the outputs folder",
        "Write the outputs file outputs/<env_suffix>.json",
    ], changes
    assert changes == []
    released = json.loads((workdir / "outputs" / f"{SUFFIX}.json").read_text())["roles"]
    checkout = json.loads(site.outputs_file.read_text())["roles"]
    assert _without_traffic_split(released) == _without_traffic_split(checkout)


def _without_traffic_split(roles: dict) -> dict:
    """The outputs but the weights, which the traffic tests move whether they run before or after."""
    moved = {"weights", "aws_share_percent", "summary"}
    return {**roles, "route53_weights": {k: v for k, v in roles["route53_weights"].items() if k not in moved}}


def test_installed_teardown_of_an_absent_environment_changes_nothing(site, emulator_process, installed, workdir):
    output = _run_installed_playbook(installed, emulator_process, workdir, "teardown", "rel")
    assert _changed_tasks(output) == []
    # amazon.aws.rds_subnet_group deletes without looking first; AWS answers NotFound and nothing changes.
    succeeded = [e for e in emulator_process.mutating_requests() if not e.get("error")]
    assert succeeded == []
