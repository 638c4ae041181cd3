"""ELBv2: an application load balancer has every attribute AWS gives it, with AWS's defaults.

DescribeLoadBalancerAttributes on AWS lists all of an ALB's attributes from the start
(``routing.http2.enabled`` true, ``idle_timeout.timeout_seconds`` 60, cross-zone on,
``routing.http.desync_mitigation_mode`` defensive, ...). moto starts with four of them, so
``amazon.aws.elb_application_lb`` fails with a KeyError as soon as it compares one of the
others (for example ``http_drop_invalid_header_fields``).
"""

from __future__ import annotations

import functools

# The answer of DescribeLoadBalancerAttributes for a new internet-facing ALB.
APPLICATION_DEFAULTS = {
    "access_logs.s3.enabled": "false",
    "access_logs.s3.bucket": "",
    "access_logs.s3.prefix": "",
    "client_keep_alive.seconds": "3600",
    "connection_logs.s3.enabled": "false",
    "connection_logs.s3.bucket": "",
    "connection_logs.s3.prefix": "",
    "deletion_protection.enabled": "false",
    "idle_timeout.timeout_seconds": "60",
    "load_balancing.cross_zone.enabled": "true",
    "routing.http.desync_mitigation_mode": "defensive",
    "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.preserve_host_header.enabled": "false",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
    "routing.http.xff_client_port.enabled": "false",
    "routing.http.xff_header_processing.mode": "append",
    "routing.http2.enabled": "true",
    "waf.fail_open.enabled": "false",
    "zonal_shift.config.enabled": "false",
}


def apply(options) -> None:
    from moto.elbv2.models import FakeLoadBalancer

    init = FakeLoadBalancer.__init__

    @functools.wraps(init)
    def init_with_defaults(self, *args, **kwargs):
        init(self, *args, **kwargs)
        if self.type == "application":
            self.attrs = {**APPLICATION_DEFAULTS, **self.attrs, "load_balancing.cross_zone.enabled": "true"}

    FakeLoadBalancer.__init__ = init_with_defaults
