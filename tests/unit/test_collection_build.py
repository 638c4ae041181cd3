"""`ansible-galaxy collection build` makes a tarball that holds the collection and nothing else."""

from __future__ import annotations

import subprocess
import tarfile

from tests.harness.emulator import ROOT
from tests.harness.playbook import ANSIBLE_PLAYBOOK

ANSIBLE_GALAXY = ANSIBLE_PLAYBOOK.replace("ansible-playbook", "ansible-galaxy")
NOT_IN_THE_COLLECTION = (".venv/", ".collections/", ".cache/", ".emulator/", "emulator/", "tests/", "outputs/", ".git/")


def test_build_holds_only_the_collection(tmp_path):
    subprocess.run(
        [ANSIBLE_GALAXY, "collection", "build", "--output-path", str(tmp_path), "--force"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (tarball,) = tmp_path.glob("envmigrate-aws-*.tar.gz")
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert {"MANIFEST.json", "FILES.json", "meta/runtime.yml", "playbooks/site.yml", "README.md"} <= set(names)
    assert "plugins/module_utils/naming.py" in names
    offending = [n for n in names if n.startswith(NOT_IN_THE_COLLECTION) or "__pycache__" in n or n.endswith(".pyc")]
    assert offending == []
