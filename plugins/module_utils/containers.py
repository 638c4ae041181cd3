# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Container images and Fargate task sizes: what the roles check before any AWS call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# The grammar of docker/distribution's reference package (reference/regexp.go), which ECS and
# every registry client use: [registry/]path[:tag][@digest].
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REFERENCE = re.compile(
    r"^(?:(?P<registry>(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
    r"(?::[0-9]+)?)/)?"
    r"(?P<repository>" + _COMPONENT + r"(?:/" + _COMPONENT + r")*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$"
)

# Fargate's CPU units and the memory (MiB) each accepts (ECS Developer Guide, "Task CPU and memory").
FARGATE_SIZES = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4096 + 1, 1024)),
    1024: list(range(2048, 8192 + 1, 1024)),
    2048: list(range(4096, 16384 + 1, 1024)),
    4096: list(range(8192, 30720 + 1, 1024)),
    8192: list(range(16384, 61440 + 1, 4096)),
    16384: list(range(32768, 122880 + 1, 8192)),
}


def parse_image(image):
    """{registry, repository, tag, digest} of an image reference, or None when it does not parse.

    The first path component is a registry only when it looks like a host (a dot, a port or
    localhost), as Docker decides; ``nginx:1.27`` is Docker Hub's ``nginx``.
    """
    if not isinstance(image, str) or not image or len(image) > 255:
        return None
    match = _REFERENCE.match(image)
    if not match:
        return None
    parts = match.groupdict()
    registry = parts["registry"]
    if registry and not ("." in registry or ":" in registry or registry == "localhost"):
        parts["repository"] = registry + "/" + parts["repository"]
        parts["registry"] = None
        if not re.match("^" + _COMPONENT + "$", registry):
            return None
    return parts


def ecr_registry(account_id, region):
    return "{0}.dkr.ecr.{1}.amazonaws.com".format(account_id, region)


def image_problems(image, account_id, region, repository, pull_through_prefix="", allow_external=False):
    """Why an image may not run in the environment; an empty list when it may.

    Allowed: the environment's ECR repository, or a repository under its pull-through cache
    prefix, in its own account and region, by tag or digest. ``allow_external`` lifts the
    registry rule, never the syntax.
    """
    parts = parse_image(image)
    if parts is None:
        return [
            "app_image {0} is not an image reference ([registry/]repository[:tag][@sha256:digest], "
            "lowercase repository)".format(_quoted(image))
        ]
    if not parts["tag"] and not parts["digest"]:
        return ["app_image {0} names no tag or digest; name the exact image to release".format(_quoted(image))]
    if allow_external:
        return []
    registry = ecr_registry(account_id, region)
    ours = [repository] + ([pull_through_prefix + "/"] if pull_through_prefix else [])
    in_ecr = parts["registry"] == registry and (
        parts["repository"] == repository
        or (pull_through_prefix and parts["repository"].startswith(pull_through_prefix + "/"))
    )
    if in_ecr:
        return []
    return [
        "app_image {0} is not in this environment's ECR repository {1}/{2}{3}; push it there, or set "
        "allow_external_image=true".format(
            _quoted(image), registry, repository, " or under " + registry + "/" + ours[1] if len(ours) > 1 else ""
        )
    ]


def fargate_size_problems(cpu, memory):
    """Why a Fargate task size is refused by AWS; an empty list when it is accepted."""
    try:
        cpu, memory = int(cpu), int(memory)
    except (TypeError, ValueError):
        return ["Fargate task size cpu={0} memory={1} is not two whole numbers".format(cpu, memory)]
    if cpu not in FARGATE_SIZES:
        return ["Fargate task cpu {0} is not one of {1}".format(cpu, ", ".join(str(c) for c in sorted(FARGATE_SIZES)))]
    accepted = FARGATE_SIZES[cpu]
    if memory not in accepted:
        return [
            "Fargate task memory {0} MiB does not go with cpu {1}: it takes {2} to {3} MiB in steps of {4}".format(
                memory, cpu, accepted[0], accepted[-1], accepted[1] - accepted[0]
            )
        ]
    return []


def _quoted(value):
    return '"{0}"'.format(value) if isinstance(value, str) else repr(value)
