"""The env_suffix rules: each bad value is refused with a message naming the rule and the value."""

from __future__ import annotations

import pytest

from ansible_collections.envmigrate.aws.plugins.filter.naming import FilterModule
from ansible_collections.envmigrate.aws.plugins.module_utils import naming


@pytest.mark.parametrize("value", ["dev", "demo", "prod-eu", "a", "team1-blue", "1abc", "a" * 23])
def test_valid_suffixes(value):
    assert naming.env_suffix_problems(value) == []


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("UPPER", naming.RULE_CHARACTERS),
        ("a_b", naming.RULE_CHARACTERS),
        ("dev.1", naming.RULE_CHARACTERS),
        ("dév", naming.RULE_CHARACTERS),  # non-ASCII
        ("ｄｅｖ", naming.RULE_CHARACTERS),  # full-width letters are letters to str.isalpha, not to AWS
        ("a b", naming.RULE_CHARACTERS),
        ("a--b", naming.RULE_DOUBLE_HYPHEN),
        ("-a", naming.RULE_HYPHEN_ENDS),
        ("a-", naming.RULE_HYPHEN_ENDS),
        ("a" * 24, naming.RULE_LENGTH),
    ],
)
def test_invalid_suffixes_name_the_rule_and_the_value(value, rule):
    problems = naming.env_suffix_problems(value)
    assert any(rule in message for message in problems)
    assert all(repr(value) in message for message in problems)


@pytest.mark.parametrize("value", [None, ""])
def test_missing_suffix(value):
    assert naming.env_suffix_problems(value) == [naming.RULE_REQUIRED]


def test_non_string_is_refused():
    (message,) = naming.env_suffix_problems(42)
    assert "42" in message


def test_several_broken_rules_are_all_reported():
    problems = naming.env_suffix_problems("-A--")
    assert len(problems) == 3  # characters, hyphen ends, double hyphen


def test_length_limit_comes_from_the_longest_32_character_name():
    longest = naming.resource_name("tg-green", "a" * naming.ENV_SUFFIX_MAX_LENGTH)
    assert len(longest) == 32


def test_resource_name_and_tags():
    assert naming.resource_name("vpc", "dev") == "vpc-dev"
    assert naming.standard_tags("dev", name="nat-dev") == {
        "Environment": "dev",
        "Project": "envmigrate",
        "ManagedBy": "ansible",
        "Name": "nat-dev",
    }


def test_filter_is_exposed():
    assert FilterModule().filters()["env_suffix_problems"]("dev") == []
