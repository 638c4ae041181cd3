"""The role reference (docs/variables.md) is current, and the argument specs it is made from describe every variable.

A role's meta/argument_specs.yml is where its variables are documented and what Ansible validates them
against; defaults/main.yml is where they get their values. A variable in the second and not the first is
undocumented and unvalidated, and a literal default written differently in the two is documented wrong.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import subprocess
import sys

import pytest
import yaml

from tests.harness.emulator import ROOT

SCRIPT = ROOT / "scripts" / "roles-reference"
ROLES = sorted(path.parent for path in (ROOT / "roles").glob("*/tasks"))


def load_script():
    """scripts/roles-reference as a module (it has no .py suffix, so import it by path)."""
    loader = importlib.machinery.SourceFileLoader("roles_reference", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


roles_reference = load_script()


def test_variables_md_is_what_the_specs_give():
    result = subprocess.run([sys.executable, SCRIPT, "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_check_fails_on_a_stale_reference(tmp_path, monkeypatch):
    stale = tmp_path / "variables.md"
    stale.write_text(roles_reference.render().replace("| `vpc_cidr` |", "| `vpc_block` |"))
    monkeypatch.setattr(roles_reference, "OUTPUT", stale)
    assert roles_reference.main(["--check"]) == 1
    assert "| `vpc_block` |" in stale.read_text()  # --check changes nothing


def test_markup_becomes_markdown():
    text = "V(present) builds, O(vpc_state=absent) removes C(vpc-<suffix>) via M(amazon.aws.ec2_vpc_net); a|b <x> _y_"
    assert roles_reference.markup(text) == (
        "`present` builds, `vpc_state=absent` removes `vpc-<suffix>` via `amazon.aws.ec2_vpc_net`; a|b \\<x\\> \\_y\\_"
    )


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name)
def test_every_default_is_described_in_the_argument_spec(role):
    specs = roles_reference.load_specs(role)
    assert specs, f"roles/{role.name} has no meta/argument_specs.yml"
    assert "main" in specs, f"roles/{role.name}: argument_specs has no entry point main"
    options = specs["main"].get("options") or {}
    defaults_file = role / "defaults" / "main.yml"
    defaults = yaml.safe_load(defaults_file.read_text()) if defaults_file.exists() else {}
    gaps = []
    for name, value in (defaults or {}).items():
        option = options.get(name)
        if option is None:
            gaps.append(f"{name}: not in argument_specs")
            continue
        missing = [key for key in ("type", "description") if not option.get(key)]
        if "default" not in option and not option.get("required"):
            missing.append("default")
        if missing:
            gaps.append(f"{name}: no {', '.join(missing)}")
        elif "default" in option and not is_template(value) and option["default"] != value:
            gaps.append(f"{name}: the spec says {option['default']!r}, defaults/main.yml {value!r}")
    assert not gaps, "\n".join(gaps)


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name)
def test_every_documented_default_is_set_by_the_role(role):
    # Ansible validates a role's variables against the spec but does not apply the spec's defaults:
    # a default documented there and missing from defaults/main.yml leaves the variable undefined.
    options = ((roles_reference.load_specs(role) or {}).get("main") or {}).get("options") or {}
    defaults_file = role / "defaults" / "main.yml"
    defaults = (yaml.safe_load(defaults_file.read_text()) or {}) if defaults_file.exists() else {}
    unset = [name for name, option in options.items() if "default" in option and name not in defaults]
    assert not unset, f"documented defaults that roles/{role.name}/defaults/main.yml does not set: {unset}"


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name)
def test_every_default_is_one_of_the_choices(role):
    wrong = []
    for entry_point, spec in (roles_reference.load_specs(role) or {}).items():
        for name, option in roles_reference.flatten((spec or {}).get("options") or {}):
            if "default" in option and option.get("choices"):
                default = option["default"]
                values = default if isinstance(default, list) else [default]
                if not set(values) <= set(option["choices"]):
                    wrong.append(f"{entry_point}: {name}: {default!r} not in {option['choices']!r}")
    assert not wrong, "\n".join(wrong)


def is_template(value) -> bool:
    """Whether a defaults/main.yml value is computed by Jinja when the role runs (and so has no literal value)."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, dict):
        return any(is_template(v) for v in value.values())
    if isinstance(value, list):
        return any(is_template(v) for v in value)
    return False
