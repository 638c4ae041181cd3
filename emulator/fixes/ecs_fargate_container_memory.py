"""ECS: RunTask works for a Fargate task definition whose containers set no memory.

On Fargate the task-level ``memory`` is enough; AWS runs such a task (and the
task sets of a CodeDeploy blue/green service). moto adds up the containers'
``memory`` to place the task, meets ``None`` and answers HTTP 500.
"""

from __future__ import annotations

import copy
import functools

MEMORY_KEYS = ("memory", "memoryReservation", "Memory", "MemoryReservation")


def apply(options) -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    requirements = EC2ContainerServiceBackend._calculate_task_resource_requirements

    def has_memory(container) -> bool:
        return any(container.get(key) is not None for key in MEMORY_KEYS)

    @functools.wraps(requirements)
    def _calculate_task_resource_requirements(task_definition):
        containers = task_definition.container_definitions
        if all(has_memory(container) for container in containers):
            return requirements(task_definition)
        # Count what the task reserves as a whole, not per container (a copy: the task definition stays as registered).
        counted = copy.copy(task_definition)
        counted.container_definitions = [
            container if has_memory(container) else {**container, "memory": 0} for container in containers
        ]
        return requirements(counted)

    EC2ContainerServiceBackend._calculate_task_resource_requirements = staticmethod(
        _calculate_task_resource_requirements
    )
