"""Ansible's ``linear`` strategy run by Mitogen, for playbooks run from this checkout (ansible.cfg).

Most of a no-op ``site.yml`` run went into starting a Python process per task and importing boto3
and amazon.aws' module_utils in it (about 0.3 s of CPU each, ~300 tasks). Mitogen keeps one
interpreter per host and reuses its imports, which halves the run; ``benchmarks/site_speed.py``
measures it against the plain ``linear`` strategy. The package is pinned in requirements.txt; this
file only puts its strategy on ansible's plugin path, which has to be a folder.
Run without it: ``ANSIBLE_STRATEGY=linear ansible-playbook ...``.
"""

from ansible_mitogen.plugins.strategy.mitogen_linear import StrategyModule

__all__ = ["StrategyModule"]
