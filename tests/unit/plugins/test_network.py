"""The network plan: VPC CIDR checks and the subnet layout."""

from __future__ import annotations

import ipaddress

import pytest

from ansible_collections.envmigrate.aws.plugins.module_utils.network import subnet_layout, vpc_cidr_problems

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "172.20.0.0/16", "192.168.0.0/20", "10.8.0.0/18"])
def test_acceptable_cidrs(cidr):
    assert vpc_cidr_problems(cidr, ["192.0.2.0/24", "198.51.100.0/24"]) == []


@pytest.mark.parametrize(
    ("cidr", "onprem", "expected"),
    [
        ("not-a-cidr", [], "not an IPv4 network in CIDR notation"),
        ("10.0.0.1/16", [], "not an IPv4 network in CIDR notation"),  # host bits set
        ("10.0.0.0/24", [], "smaller than /20"),
        ("10.0.0.0/21", [], "smaller than /20"),
        ("10.0.0.0/8", [], "larger than /16"),
        ("8.8.0.0/16", [], "not a private"),
        ("10.0.0.0/16", ["10.0.5.0/24"], "overlaps the on-premises network 10.0.5.0/24"),
        ("10.0.0.0/16", ["10.0.0.0/8"], "overlaps"),
        ("10.0.0.0/16", ["nonsense"], "onprem_cidrs entry 'nonsense'"),
        ("fd00::/56", [], "not an IPv4 network"),
    ],
)
def test_refused_cidrs_say_why(cidr, onprem, expected):
    problems = vpc_cidr_problems(cidr, onprem)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "172.20.0.0/16", "10.1.0.0/20"])
def test_layout_gives_six_disjoint_subnets_inside_the_vpc(cidr):
    plan = subnet_layout(cidr, ZONES)
    subnets = [ipaddress.ip_network(s["cidr"]) for s in plan["public"] + plan["private"]]
    assert len(subnets) == 6
    vpc = ipaddress.ip_network(cidr)
    assert all(s.subnet_of(vpc) for s in subnets)
    assert all(not a.overlaps(b) for i, a in enumerate(subnets) for b in subnets[i + 1 :])
    assert [s["az"] for s in plan["public"]] == ZONES == [s["az"] for s in plan["private"]]


def test_layout_of_the_default_cidr():
    plan = subnet_layout("10.0.0.0/16", ZONES)
    assert [s["cidr"] for s in plan["public"]] == ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]
    assert [s["cidr"] for s in plan["private"]] == ["10.0.128.0/19", "10.0.160.0/19", "10.0.192.0/19"]


def test_layout_refuses_more_zones_than_fit():
    with pytest.raises(ValueError):
        subnet_layout("10.0.0.0/16", ZONES + ["d", "e"])
