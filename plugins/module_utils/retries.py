# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The retry every module of ours wraps its AWS clients in."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# AWSRetry (amazon.aws 10.1.2) retries "Throttling" (the query protocol's code: EC2-style, ELB, RDS)
# but not "ThrottlingException", which the JSON services (CodeDeploy, ECS, ECR, ...) answer when
# they throttle; without it only botocore's own few attempts retry them.
THROTTLING_CODES = ["ThrottlingException"]


def retry_decorator(*extra_error_codes):
    """AWSRetry.jittered_backoff that also retries the JSON services' throttling error (and ``extra_error_codes``)."""
    return AWSRetry.jittered_backoff(catch_extra_error_codes=THROTTLING_CODES + list(extra_error_codes))
