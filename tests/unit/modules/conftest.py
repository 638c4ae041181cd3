"""Fixtures the DMS module tests share (an instance, endpoints, a task in the emulator)."""

from tests.unit.modules.dms_fixtures import dms, endpoints, instance_arn, subnet_group, task_arn  # noqa: F401
