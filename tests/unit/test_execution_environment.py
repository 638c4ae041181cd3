"""execution-environment.yml gives ansible-builder a build context that installs what the collection runs with.

The image build itself needs podman or docker and Galaxy, neither of which is here; `ansible-builder create`
writes everything that build would use (Containerfile, requirement files, the collection tarball), and these
tests read it. The versions it installs must be the ones the tests run against: ansible-core, amazon.aws and
community.aws as the pinned `ansible` package bundles them, and every Python package as requirements.txt pins it.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import tarfile
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from tests.harness.emulator import ROOT
from tests.harness.playbook import ANSIBLE_PLAYBOOK

BIN = Path(ANSIBLE_PLAYBOOK).parent
EE_FILE = ROOT / "execution-environment.yml"
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
TARBALL = f"{GALAXY['namespace']}-{GALAXY['name']}-{GALAXY['version']}.tar.gz"


def pins(path: Path) -> dict[str, str]:
    """{canonical name: version} of every `name==version` line of a requirements file."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            found[canonical(requirement.name)] = specifier.version
    return found


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture(scope="module")
def context(tmp_path_factory) -> Path:
    """The build context, made as `make ee` makes it, from a copy of the EE file beside a fresh tarball."""
    work = tmp_path_factory.mktemp("ee")
    shutil.copy(EE_FILE, work / EE_FILE.name)
    subprocess.run(
        [BIN / "ansible-galaxy", "collection", "build", "--output-path", work / ".cache" / "build", "--force"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [BIN / "ansible-builder", "create", "--file", work / EE_FILE.name, "--context", work / "context"]
        + ["--output-filename", "Containerfile"],
        check=True,
        capture_output=True,
    )
    return work / "context"


def test_the_context_holds_the_collection_tarball_the_galaxy_stage_installs(context):
    tarball = context / "_build" / "collections" / TARBALL
    with tarfile.open(tarball) as archive:
        manifest = json.load(archive.extractfile("MANIFEST.json"))["collection_info"]
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == (
        GALAXY["namespace"],
        GALAXY["name"],
        GALAXY["version"],
    )
    collections = yaml.safe_load((context / "_build" / "requirements.yml").read_text())["collections"]
    # The galaxy stage copies _build/ to /build/, so that is where the tarball is inside the image.
    assert {"name": f"/build/collections/{TARBALL}", "type": "file"} in collections


def test_amazon_and_community_aws_are_the_versions_the_tests_run_against(context):
    collections = yaml.safe_load((context / "_build" / "requirements.yml").read_text())["collections"]
    versions = {entry["name"]: entry.get("version") for entry in collections}
    for name, required in GALAXY["dependencies"].items():
        bundled = bundled_collection_version(name)
        assert versions[name] == bundled, f"{name}: the EE installs {versions[name]}, the tests run {bundled}"
        assert bundled in SpecifierSet(required), f"galaxy.yml wants {name} {required}"


def bundled_collection_version(name: str) -> str:
    """The version of a collection installed by the pinned `ansible` package."""
    import ansible_collections

    namespace, collection = name.split(".")
    for root in ansible_collections.__path__:
        manifest = Path(root) / namespace / collection / "MANIFEST.json"
        if manifest.is_file() and ".venv" in manifest.parts:
            return json.loads(manifest.read_text())["collection_info"]["version"]
    raise AssertionError(f"{name} is not installed in .venv")


def test_python_requirements_are_pinned_as_requirements_txt_pins_them(context):
    ee_pins = pins(context / "_build" / "requirements.txt")
    project_pins = pins(ROOT / "requirements.txt")
    assert {"boto3", "botocore"} <= ee_pins.keys()
    assert {name: version for name, version in ee_pins.items() if project_pins.get(name) != version} == {}


def test_ansible_core_is_the_pinned_one(context):
    containerfile = (context / "Containerfile").read_text()
    (refs,) = re.findall(r'^ARG ANSIBLE_INSTALL_REFS="([^"]*)"', containerfile, re.MULTILINE)
    assert f"ansible-core=={pins(ROOT / 'requirements.txt')['ansible-core']}" in refs.split()


def test_the_collections_development_pins_stay_out_of_the_image(context):
    # The tarball carries requirements.txt with every development pin (moto, pytest, ...); ansible-builder
    # would install those from the collection unless told not to.
    excluded = (context / "_build" / "exclude-collections.txt").read_text().split()
    assert f"{GALAXY['namespace']}.{GALAXY['name']}" in excluded


def test_the_containerfile_installs_the_requirement_files(context):
    containerfile = (context / "Containerfile").read_text()
    for step in (
        "COPY _build /build",
        "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml",
        "COPY _build/requirements.txt requirements.txt",
        "--user-pip=requirements.txt --exclude-collection-reqs=exclude-collections.txt",
        "RUN /output/scripts/assemble",
        "RUN /output/scripts/install-from-bindep",
    ):
        assert step in containerfile


def test_every_package_the_plugins_import_is_in_the_image():
    """A module runs in the EE (hosts: localhost): whatever it imports must be installed there."""
    ee = yaml.safe_load(EE_FILE.read_text())["dependencies"]
    installed = {canonical(Requirement(line).name) for line in ee["python"]}
    installed |= requirement_closure("ansible-core")  # Jinja2, PyYAML, cryptography, packaging, ...
    distributions = metadata.packages_distributions()
    missing = {}
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        for name in third_party_imports(path):
            provided_by = {canonical(d) for d in distributions.get(name, [name])}
            if not provided_by & installed:
                missing.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert missing == {}


def test_what_the_lambdas_vendor_is_in_the_image():
    """lambda_package copies a function's dependencies from the Python that runs it, which in AWX is the EE's."""
    ee = yaml.safe_load(EE_FILE.read_text())["dependencies"]
    installed = {canonical(Requirement(line).name) for line in ee["python"]}
    functions = yaml.safe_load((ROOT / "roles" / "lambdas" / "vars" / "main.yml").read_text())["lambdas_functions"]
    vendored = {name for function in functions.values() for name in function.get("requirements") or []}
    assert vendored, "no function vendors anything: this test has nothing to check"
    needed = set().union(*(requirement_closure(name) for name in vendored))
    assert needed - installed == set()


def third_party_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("ansible", "ansible_collections")}


def requirement_closure(name: str) -> set[str]:
    """The distribution and everything it requires, transitively (extras and other platforms left out)."""
    seen, pending = set(), [name]
    while pending:
        current = canonical(pending.pop())
        if current in seen:
            continue
        seen.add(current)
        for line in metadata.distribution(current).requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return seen
