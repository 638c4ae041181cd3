"""The operating docs in docs/ say what the code does.

- docs/architecture.svg is exactly what scripts/render-diagram makes of docs/architecture.dot today, and the
  diagram's legend names every role of the collection;
- every variable name the docs show (in backticks, or passed with ``-e name=value``) is one the code knows: a key
  of a role's defaults, vars or argument specs, of a playbook's vars, of an inventory, or an extra variable a role
  or playbook reads (``name | default(...)``);
- every ``ansible-playbook`` command in the docs names a playbook that exists, and gives the cutover and
  migration variables only values their playbook accepts;
- the cost table's total is the sum of its lines.

HTML comments (``<!-- verify: ... -->``) are notes for maintainers about what the docs could not check yet; they
are left out, so a name that does not exist yet may appear there and only there.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
OPERATING_DOCS = ["architecture.md", "runbook-cutover.md", "runbook-teardown.md", "cost.md"]
RUNBOOKS = ["runbook-cutover.md", "runbook-teardown.md"]

# Backticked snake_case words in the docs that are names of things, not variables.
NOT_VARIABLES = {
    "dms_writer": "the login role DMS writes to Aurora with (the value of aurora_dms_target_username)",
    "rds_superuser": "the Aurora role dms_writer is a member of",
}

# A variable-like word: lowercase snake_case with at least one underscore (dns_ttl, aurora_dms_max_acu).
SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
EXTRA_VARIABLE = re.compile(r"-e\s+([a-z][a-z0-9_]*)=(\S*)")
READ_WITH_DEFAULT = re.compile(r"(?<![.\w])([a-z][a-z0-9_]*)\s*\|\s*default\(")


def strip_comments(text: str) -> str:
    return re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)


def doc_text(name: str) -> str:
    """The doc without its HTML comments (maintainers' notes)."""
    return strip_comments((DOCS / name).read_text())


def yaml_keys(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text()) or {}
    return set(data) if isinstance(data, dict) else set()


def argument_spec_options(path: Path) -> set[str]:
    specs = (yaml.safe_load(path.read_text()) or {}).get("argument_specs", {})
    return {option for entry in specs.values() for option in (entry or {}).get("options", {})}


def play_vars(path: Path) -> set[str]:
    plays = yaml.safe_load(path.read_text()) or []
    return {name for play in plays if isinstance(play, dict) for name in (play.get("vars") or {})}


@cache
def known_variables() -> frozenset[str]:
    """Every variable name the roles, playbooks and inventories define or read."""
    names: set[str] = set()
    for defaults in ROOT.glob("roles/*/defaults/main.yml"):
        names |= yaml_keys(defaults)
    for role_vars in ROOT.glob("roles/*/vars/main.yml"):
        names |= yaml_keys(role_vars)
    for specs in ROOT.glob("roles/*/meta/argument_specs.yml"):
        names |= argument_spec_options(specs)
    for playbook in ROOT.glob("playbooks/*.yml"):
        names |= play_vars(playbook)
    for shared in ROOT.glob("playbooks/vars/*.yml"):
        names |= yaml_keys(shared)
    for group_vars in ROOT.glob("inventories/*/group_vars/**/*.yml"):
        names |= yaml_keys(group_vars)
    # Extra variables: what a role or playbook reads with a default (dns_ttl, migration_action, rollback_to, ...).
    for source in [*ROOT.glob("roles/**/*.yml"), *ROOT.glob("playbooks/**/*.yml")]:
        names |= set(READ_WITH_DEFAULT.findall(source.read_text()))
    return frozenset(names)


def backticked(text: str) -> list[str]:
    """The contents of inline code spans and of fenced code blocks' lines."""
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
    blocks = [line for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.DOTALL) for line in block.split("\n")]
    return spans + blocks


def role_names() -> set[str]:
    return {path.name for path in (ROOT / "roles").iterdir() if path.is_dir()}


def variable_mentions(text: str) -> set[str]:
    """Backticked snake_case words and -e names, less the roles' names and the names of things."""
    names = {code for code in backticked(text) if SNAKE_CASE.fullmatch(code)}
    names |= {name for name, _ in EXTRA_VARIABLE.findall(text)}
    return names - set(NOT_VARIABLES) - role_names()


def playbook_commands(text: str) -> list[str]:
    """Every ansible-playbook command line of the doc, without its trailing shell comment."""
    commands = []
    for code in backticked(text):
        start = code.find("ansible-playbook ")
        if start >= 0:
            commands.append(code[start:].split(" #", 1)[0].strip())
    return commands


def playbook_of(command: str) -> str:
    """The playbook a command runs: its first argument ending in .yml that is no option's value."""
    words = shlex.split(command)
    for before, word in zip(["ansible-playbook", *words], words, strict=False):
        if word.endswith(".yml") and before not in ("-i", "--inventory", "-e", "--extra-vars"):
            return word
    raise AssertionError(f"no playbook in: {command}")


@cache
def accepted_values() -> dict[str, set[str]]:
    """The values the playbooks accept for the cutover and migration variables."""
    phases = {str(w) for w in yaml.safe_load((ROOT / "playbooks/vars/traffic.yml").read_text())["traffic_weights"]}
    (migration_play,) = [p for p in yaml.safe_load((ROOT / "playbooks/migration.yml").read_text()) if "vars" in p]
    return {
        "traffic_weight": phases,
        "cutover_target": phases,
        "rollback_to": phases,
        "migration_action": set(migration_play["vars"]["migration_actions"]),
        "skip_gates": {"true", "false"},
        "rollback": {"true", "false"},
    }


@pytest.mark.parametrize("name", OPERATING_DOCS)
def test_the_doc_exists_and_names_only_variables_the_code_knows(name):
    mentioned = variable_mentions(doc_text(name))
    assert mentioned, f"docs/{name} names no variable at all"
    unknown = sorted(mentioned - known_variables())
    assert unknown == [], f"docs/{name} names variables no role, playbook or inventory defines or reads: {unknown}"


@pytest.mark.parametrize("name", RUNBOOKS)
def test_every_command_of_a_runbook_runs_an_existing_playbook_with_accepted_values(name):
    commands = playbook_commands(doc_text(name))
    assert commands, f"docs/{name} has no ansible-playbook command"
    for command in commands:
        playbook = playbook_of(command)
        assert (ROOT / playbook).is_file(), f"docs/{name}: {playbook} does not exist ({command})"
        for variable, value in EXTRA_VARIABLE.findall(command):
            allowed = accepted_values().get(variable)
            assert allowed is None or value in allowed, f"docs/{name}: {variable}={value} is refused: {command}"


def test_the_checks_catch_what_a_wrong_doc_would_say():
    # The checks above are only as good as these parsers: a wrong line must be seen as wrong.
    text = strip_comments(
        "Run `ansible-playbook -i inventories/x playbooks/nope.yml -e env_suffix=prod -e traffic_weight=30`, "
        "then set `made_up_knob`. <!-- verify: `not_yet_a_knob` -->"
    )
    (command,) = playbook_commands(text)
    assert playbook_of(command) == "playbooks/nope.yml"
    assert not (ROOT / playbook_of(command)).is_file()
    assert ("traffic_weight", "30") in EXTRA_VARIABLE.findall(command)
    assert "30" not in accepted_values()["traffic_weight"]
    assert variable_mentions(text) - known_variables() == {"made_up_knob"}


@pytest.mark.parametrize("name", OPERATING_DOCS)
def test_the_links_between_docs_resolve(name):
    targets = re.findall(r"\]\(([^)#:]+?)(?:#[^)]*)?\)", doc_text(name))
    missing = [target for target in targets if not (DOCS / target).exists()]
    assert missing == [], f"docs/{name} links to files that do not exist: {missing}"


def test_the_committed_diagram_is_the_rendering_of_its_source(tmp_path):
    fresh = tmp_path / "architecture.svg"
    result = subprocess.run(
        [str(ROOT / "scripts/render-diagram"), str(fresh)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"scripts/render-diagram failed: {result.stderr}"
    committed = (DOCS / "architecture.svg").read_bytes()
    assert fresh.read_bytes() == committed, "docs/architecture.svg is stale: run scripts/render-diagram and commit it"


def test_the_diagram_names_every_role_and_the_architecture_doc_shows_it():
    source = (DOCS / "architecture.dot").read_text()
    legend = set(re.findall(r'legend_\w+ \[label = "([a-z0-9_]+)"', source))
    roles = role_names()
    assert roles - legend == set(), f"roles missing from the diagram's legend: {sorted(roles - legend)}"
    assert "(architecture.svg)" in doc_text("architecture.md")


def money(cell: str) -> Decimal:
    return Decimal(cell.strip().strip("*").lstrip("$").replace(",", ""))


def test_the_cost_total_is_the_sum_of_its_lines():
    # The default-profile table: rows "| item | assumption | source | $X.XX |", closed by a "**Total**" row.
    table = doc_text("cost.md").split('<a id="default-total"></a>')[0].rsplit("| Line item", 1)[1]
    rows = [row.split("|")[1:-1] for row in table.strip().splitlines()[2:] if row.startswith("|")]
    lines = [money(cells[-1]) for cells in rows if "Total" not in cells[0]]
    (total,) = [money(cells[-1]) for cells in rows if "Total" in cells[0]]
    assert len(lines) >= 15
    assert sum(lines) == total
