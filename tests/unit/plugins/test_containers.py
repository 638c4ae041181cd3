"""Image references and Fargate task sizes, checked before any AWS call."""

from __future__ import annotations

import pytest

from ansible_collections.envmigrate.aws.plugins.module_utils.containers import (
    fargate_size_problems,
    image_problems,
    parse_image,
)

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("nginx:1.27", {"registry": None, "repository": "nginx", "tag": "1.27", "digest": None}),
        ("library/nginx", {"registry": None, "repository": "library/nginx", "tag": None, "digest": None}),
        (f"{ECR}/ecr-app-dev:v1", {"registry": ECR, "repository": "ecr-app-dev", "tag": "v1", "digest": None}),
        ("localhost:5000/a/b:c", {"registry": "localhost:5000", "repository": "a/b", "tag": "c", "digest": None}),
        (
            f"{ECR}/ecr-app-dev@sha256:" + "a" * 64,
            {"registry": ECR, "repository": "ecr-app-dev", "tag": None, "digest": "sha256:" + "a" * 64},
        ),
    ],
)
def test_parse_image(image, expected):
    assert parse_image(image) == expected


@pytest.mark.parametrize("image", ["", "UPPER/case:1", "nginx:", "a//b:1", ":tag", "nginx@sha256:xyz", None, 42])
def test_unparsable_images(image):
    assert parse_image(image) is None
    assert "is not an image reference" in image_problems(image, "123456789012", "us-east-1", "ecr-app-dev")[0]


def test_images_of_the_environment_are_allowed():
    assert image_problems(f"{ECR}/ecr-app-dev:1.0", "123456789012", "us-east-1", "ecr-app-dev") == []
    pulled = f"{ECR}/ecr-public-dev/nginx/nginx:1.27-alpine"
    assert image_problems(pulled, "123456789012", "us-east-1", "ecr-app-dev", "ecr-public-dev") == []


@pytest.mark.parametrize(
    "image",
    [
        "docker.io/library/nginx:1.27",
        "nginx:1.27",
        f"{ECR}/ecr-app-prod:1.0",  # another environment's repository
        "210987654321.dkr.ecr.us-east-1.amazonaws.com/ecr-app-dev:1.0",  # another account
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-app-dev:1.0",  # another region
        f"{ECR}/ecr-public-devx/nginx:1",  # a prefix that only starts like ours
    ],
)
def test_images_elsewhere_are_refused_unless_allowed(image):
    problems = image_problems(image, "123456789012", "us-east-1", "ecr-app-dev", "ecr-public-dev")
    assert len(problems) == 1 and "allow_external_image=true" in problems[0]
    assert image_problems(image, "123456789012", "us-east-1", "ecr-app-dev", allow_external=True) == []


def test_an_image_needs_a_tag_or_digest():
    assert "names no tag or digest" in image_problems(f"{ECR}/ecr-app-dev", "123456789012", "us-east-1", "x")[0]


@pytest.mark.parametrize(("cpu", "memory"), [(256, 512), ("256", "2048"), (512, 4096), (1024, 8192), (4096, 30720)])
def test_fargate_sizes_accepted(cpu, memory):
    assert fargate_size_problems(cpu, memory) == []


@pytest.mark.parametrize(
    ("cpu", "memory", "expected"),
    [
        (256, 4096, "does not go with cpu 256: it takes 512 to 2048 MiB"),
        (512, 512, "does not go with cpu 512"),
        (8192, 17408, "in steps of 4096"),
        (300, 512, "is not one of 256, 512, 1024"),
        ("x", 512, "is not two whole numbers"),
    ],
)
def test_fargate_sizes_refused(cpu, memory, expected):
    assert expected in fargate_size_problems(cpu, memory)[0]
