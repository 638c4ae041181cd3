"""Run one of our modules in-process against the emulator, as Ansible would, and return its result."""

from __future__ import annotations

import importlib
from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args


class ModuleExit(Exception):
    def __init__(self, result: dict):
        super().__init__(result.get("msg", ""))
        self.result = result


def _exit_json(self, **result):
    raise ModuleExit({"failed": False, **result})


def _fail_json(self, msg, **result):
    raise ModuleExit({"failed": True, "msg": msg, **result})


def run_module(emulator, name: str, args: dict, *, check_mode: bool = False, diff: bool = False) -> dict:
    """Call ``envmigrate.aws.<name>`` against the emulator; returns what it passed to exit_json or fail_json."""
    connection = {"endpoint_url": emulator.endpoint, "access_key": "testing", "secret_key": "testing"}
    return run_local_module(name, {**connection, "region": "us-east-1", **args}, check_mode=check_mode, diff=diff)


def run_local_module(name: str, args: dict, *, check_mode: bool = False, diff: bool = False) -> dict:
    """Call ``envmigrate.aws.<name>`` with exactly ``args`` (a module that calls no AWS API takes no endpoint)."""
    module = importlib.import_module(f"ansible_collections.envmigrate.aws.plugins.modules.{name}")
    arguments = {**args, "_ansible_check_mode": check_mode, "_ansible_diff": diff}
    with (
        patch_module_args(arguments),
        mock.patch.object(basic.AnsibleModule, "exit_json", _exit_json),
        mock.patch.object(basic.AnsibleModule, "fail_json", _fail_json),
    ):
        try:
            module.main()
        except ModuleExit as done:
            return done.result
    raise AssertionError(f"{name} returned without exit_json or fail_json")
