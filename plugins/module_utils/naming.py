# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Naming rules of envmigrate.aws: what `env_suffix` may be, and how resources are named.

Every resource is called ``<resource-type>-<env_suffix>``, so the suffix must
satisfy the tightest rule of every AWS name it ends up in. Each rule below
names the AWS limit it comes from, so a refusal tells the user why.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Target group names are at most 32 characters, and "tg-green-" is the longest
# prefix placed in front of the suffix under that limit.
LONGEST_32_CHARACTER_PREFIX = "tg-green-"
ENV_SUFFIX_MAX_LENGTH = 32 - len(LONGEST_32_CHARACTER_PREFIX)

_ALLOWED_CHARACTERS = re.compile(r"^[a-z0-9-]+$")

RULE_REQUIRED = "env_suffix is required: pass it with -e env_suffix=NAME (for example dev)"
RULE_LENGTH = "at most %d characters, because ALB and target group names (%s<env_suffix>) are limited to 32" % (
    ENV_SUFFIX_MAX_LENGTH,
    LONGEST_32_CHARACTER_PREFIX,
)
RULE_CHARACTERS = (
    "only lowercase ASCII letters a-z, digits and hyphens, because S3 bucket names are lowercase and "
    "ALB, target group and DMS names allow only letters, digits and hyphens"
)
RULE_HYPHEN_ENDS = (
    "no hyphen at the start or end, because target group, ALB and DMS names may not end with a hyphen "
    "and a leading one would make a double hyphen after the prefix"
)
RULE_DOUBLE_HYPHEN = "no two consecutive hyphens, because DMS and RDS identifiers may not contain '--'"


def env_suffix_problems(value):
    """Return the rules `value` breaks, as messages naming the rule and the value; [] when valid."""
    if value is None or (hasattr(value, "strip") and value == ""):
        return [RULE_REQUIRED]
    if not isinstance(value, str):
        return ["env_suffix %r is invalid: it must be a string of %s" % (value, RULE_CHARACTERS)]
    broken = []
    if len(value) > ENV_SUFFIX_MAX_LENGTH:
        broken.append(RULE_LENGTH + " (it has %d)" % len(value))
    if not _ALLOWED_CHARACTERS.match(value):
        broken.append(RULE_CHARACTERS)
    if value.startswith("-") or value.endswith("-"):
        broken.append(RULE_HYPHEN_ENDS)
    if "--" in value:
        broken.append(RULE_DOUBLE_HYPHEN)
    return ["env_suffix %r is invalid: it must have %s" % (value, rule) for rule in broken]


def resource_name(resource_type, env_suffix):
    """The name of a resource of this environment, for example ``resource_name('vpc', 'dev') == 'vpc-dev'``."""
    return "%s-%s" % (resource_type, env_suffix)


def standard_tags(env_suffix, name=None):
    """The tags every taggable resource carries (and `Name` where the resource has no name of its own)."""
    tags = {"Environment": env_suffix, "Project": "envmigrate", "ManagedBy": "ansible"}
    if name:
        tags["Name"] = name
    return tags
