"""The health-check function (lambdas/health_check) against local HTTP(S) servers and the emulator.

Probes go to real servers on 127.0.0.1 (200, 500, a redirect, too slow, a closed port, self-signed TLS).
Scheduled runs read the target groups and write the item and the metrics in the emulator; the tests read
them back. The CodeDeploy hook's PutLifecycleEventHookExecutionStatus is not in the emulator (moto 5.2.5
answers HTTP 500), so the hook tests hand the function a Stubber-wrapped CodeDeploy client that expects
the exact request.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.envmigrate.aws.plugins.module_utils.retries import retry_decorator
from ansible_collections.envmigrate.aws.plugins.modules import cutover_state
from lambdas.health_check import aws, config, handler, probe
from tests.harness.ports import free_port

TIMEOUT = 0.5  # PROBE_TIMEOUT_SECONDS in these tests
SLOW = 3.0  # the slow path answers after this, well beyond the timeout (and a busy machine's delays)
TABLE = "dynamodb-state-unit"
ENVIRONMENT = "unit"
APP_HOST = "app.unit.envmigrate.example"
DEPLOYMENT_ID = "d-ABCDEFGH1"
EXECUTION_ID = "hook-execution-0001"
HOOK_EVENT = {"DeploymentId": DEPLOYMENT_ID, "LifecycleEventHookExecutionId": EXECUTION_ID}
SCHEDULED_EVENT = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}


# -- local servers ---------------------------------------------------------------------------------


class Site(BaseHTTPRequestHandler):
    """/ok 200, /error 500, /moved 301, /slow 200 after SLOW s, /warming 503 until it has failed enough."""

    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.seen.append((self.path, self.headers.get("Host")))
        if self.path == "/slow":
            time.sleep(SLOW)
        if self.path == "/warming":
            self.server.warming_failures -= 1
            status = 503 if self.server.warming_failures >= 0 else 200
        else:
            status = {"/ok": 200, "/error": 500, "/moved": 301, "/slow": 200}.get(self.path, 404)
        try:
            self.send_response(status)
            if status == 301:
                self.send_header("Location", "/ok")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"hi")
        except OSError:
            pass  # the probe gave up (slow path) and closed the connection

    def log_message(self, *args):
        pass


def serve(tls_context: ssl.SSLContext | None = None):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.seen = []
    server.warming_failures = 0
    if tls_context is not None:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    scheme = "https" if tls_context else "http"
    server.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    return server


@pytest.fixture
def site():
    server = serve()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for localhost and 127.0.0.1 (its own CA), as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture
def tls_site(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = serve(context)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url():
    """A URL on a port nobody listens on: the connection is refused."""
    return f"http://127.0.0.1:{free_port()}/ok"


FUNCTION_VARIABLES = (
    "ENDPOINTS",
    "TEST_ENDPOINT",
    "TARGET_GROUP_ARNS",
    "PROBE_TIMEOUT_SECONDS",
    "EXPECTED_STATUS",
    "STATE_TABLE",
    "METRIC_NAMESPACE",
    "ENVIRONMENT",
    "HOOK_DEADLINE_SECONDS",
    "HOOK_RETRY_INTERVAL_SECONDS",
)


@pytest.fixture(autouse=True)
def function_environment(monkeypatch):
    """Each test starts without the function's variables; it sets those it means."""
    for variable in FUNCTION_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def settings(**environ) -> config.Settings:
    return config.load({"PROBE_TIMEOUT_SECONDS": str(TIMEOUT), **environ})


def endpoint(url: str, name: str = "alb", **options) -> config.Endpoint:
    return config.Endpoint(name=name, url=url, **options)


# -- probes ----------------------------------------------------------------------------------------


def test_a_200_is_ok_and_the_host_header_is_the_one_configured(site):
    result = probe.probe(endpoint(site.url + "/ok", host=APP_HOST), settings())
    assert (result.name, result.ok, result.status, result.error) == ("alb", True, 200, None)
    assert 0 < result.latency_ms < TIMEOUT * 1000
    assert site.seen == [("/ok", APP_HOST)]


def test_without_a_host_the_url_names_the_host(site):
    probe.probe(endpoint(site.url + "/ok"), settings())
    assert site.seen == [("/ok", site.url.removeprefix("http://"))]


def test_a_500_is_a_failed_result_with_its_status(site):
    result = probe.probe(endpoint(site.url + "/error"), settings())
    assert (result.ok, result.status, result.error) == (False, 500, "HTTP 500, expected 200-399")
    assert result.latency_ms is not None  # an answer came, however bad


def test_an_answer_later_than_the_timeout_fails_within_the_timeout(site):
    started = time.monotonic()
    result = probe.probe(endpoint(site.url + "/slow"), settings())
    elapsed = time.monotonic() - started
    assert result.to_dict() == {
        "name": "alb",
        "ok": False,
        "status": None,
        "latency_ms": None,
        "error": "no answer within 0.5 s",
    }
    assert TIMEOUT <= elapsed < SLOW - 1  # gave up long before the answer


def test_a_refused_connection_is_a_failed_result(closed_port_url):
    result = probe.probe(endpoint(closed_port_url, name="onprem"), settings())
    assert (result.name, result.ok, result.status, result.error) == ("onprem", False, None, "connection refused")


def test_a_redirect_is_judged_by_expected_status_and_not_followed(site):
    assert probe.probe(endpoint(site.url + "/moved"), settings()).ok is True  # 301 is within 200-399
    strict = probe.probe(endpoint(site.url + "/moved"), settings(EXPECTED_STATUS="200"))
    assert (strict.ok, strict.status, strict.error) == (False, 301, "HTTP 301, expected 200")
    assert [path for path, _ in site.seen] == ["/moved", "/moved"]  # never /ok


def test_a_self_signed_certificate_fails_verification(tls_site):
    result = probe.probe(endpoint(tls_site.url + "/ok"), settings())
    assert (result.ok, result.status) == (False, None)
    assert result.error.startswith("TLS certificate not accepted: self")  # OpenSSL: "self-signed certificate"
    assert "signed" in result.error
    assert tls_site.seen == []  # no request went over the untrusted connection


def test_verify_tls_false_accepts_the_self_signed_certificate(tls_site):
    result = probe.probe(endpoint(tls_site.url + "/ok", verify_tls=False, host=APP_HOST), settings())
    assert (result.ok, result.status, result.error) == (True, 200, None)
    assert tls_site.seen == [("/ok", APP_HOST)]


def test_tls_verifies_the_host_header_name_not_the_address_connected_to(tls_site, certificate, monkeypatch):
    # Trust the certificate as a CA (create_default_context reads SSL_CERT_FILE): now only the name counts.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    assert probe.probe(endpoint(tls_site.url + "/ok", host="localhost"), settings()).ok is True
    assert probe.probe(endpoint(tls_site.url + "/ok"), settings()).ok is True  # 127.0.0.1 is in the certificate
    wrong_name = probe.probe(endpoint(tls_site.url + "/ok", host=APP_HOST), settings())
    assert wrong_name.ok is False
    assert "Hostname mismatch" in wrong_name.error


def test_endpoints_are_probed_at_the_same_time(site):
    names = ["alb", "onprem", "third", "fourth"]
    started = time.monotonic()
    results = probe.probe_all([endpoint(site.url + "/slow", name=name) for name in names], settings())
    assert time.monotonic() - started < 3 * TIMEOUT  # about one timeout; one after the other would take four
    assert [(result.name, result.ok) for result in results] == [(name, False) for name in names]


# -- settings --------------------------------------------------------------------------------------


def test_settings_defaults():
    loaded = config.load({})
    assert loaded.endpoints == ()
    assert loaded.test_endpoint is None
    assert loaded.target_groups == {}
    assert (loaded.timeout_seconds, loaded.expected_status_text, loaded.metric_namespace) == (
        5,
        "200-399",
        "envmigrate",
    )
    assert (loaded.hook_deadline_seconds, loaded.hook_retry_interval_seconds) == (60, 5)
    assert [loaded.status_expected(status) for status in (199, 200, 399, 400)] == [False, True, True, False]


def test_settings_parse_every_variable():
    loaded = config.load(
        {
            "ENDPOINTS": json.dumps(
                [
                    {"name": "alb", "url": "http://alb-unit.example/health", "host": APP_HOST},
                    {"name": "onprem", "url": "https://onprem.example/", "verify_tls": False},
                ]
            ),
            "TEST_ENDPOINT": json.dumps({"name": "test-listener", "url": "http://alb-unit.example:8080/"}),
            "TARGET_GROUP_ARNS": json.dumps({"blue": "arn:blue", "green": ""}),
            "PROBE_TIMEOUT_SECONDS": "2.5",
            "EXPECTED_STATUS": "200,204, 301-302",
            "STATE_TABLE": TABLE,
            "METRIC_NAMESPACE": "custom",
            "ENVIRONMENT": ENVIRONMENT,
            "HOOK_DEADLINE_SECONDS": "30",
            "HOOK_RETRY_INTERVAL_SECONDS": "2",
        }
    )
    assert loaded.endpoints == (
        config.Endpoint("alb", "http://alb-unit.example/health", APP_HOST, True),
        config.Endpoint("onprem", "https://onprem.example/", None, False),
    )
    assert loaded.test_endpoint == config.Endpoint("test-listener", "http://alb-unit.example:8080/")
    assert loaded.target_groups == {"blue": "arn:blue"}  # an empty ARN is an absent colour
    assert (loaded.timeout_seconds, loaded.state_table, loaded.metric_namespace) == (2.5, TABLE, "custom")
    assert (loaded.environment, loaded.hook_deadline_seconds, loaded.hook_retry_interval_seconds) == ("unit", 30, 2)
    assert [s for s in range(199, 305) if loaded.status_expected(s)] == [200, 204, 301, 302]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ENDPOINTS", "[{", "ENDPOINTS is not valid JSON"),
        ("ENDPOINTS", '{"name": "alb"}', "ENDPOINTS must be a JSON list"),
        ("ENDPOINTS", '[{"name": "alb"}]', "endpoint 'alb' needs an http:// or https:// url"),
        ("ENDPOINTS", '[{"name": "alb", "url": "ftp://x/"}]', "needs an http:// or https:// url"),
        ("ENDPOINTS", '[{"url": "http://x/"}]', "an endpoint needs a name"),
        ("ENDPOINTS", '[{"name": "a", "url": "http://x/", "path": "/"}]', "unknown keys ['path']"),
        ("ENDPOINTS", '[{"name": "a", "url": "http://x/", "verify_tls": "no"}]', "verify_tls must be true or false"),
        ("ENDPOINTS", '[{"name": "a", "url": "http://x/"}, {"name": "a", "url": "http://y/"}]', "repeated: a"),
        ("TEST_ENDPOINT", '[{"name": "a", "url": "http://x/"}]', "TEST_ENDPOINT: each endpoint is an object"),
        ("TARGET_GROUP_ARNS", '{"red": "arn"}', "keys blue and/or green"),
        ("EXPECTED_STATUS", "2xx", "EXPECTED_STATUS must be codes or ranges"),
        ("EXPECTED_STATUS", "399-200", "run low-high"),
        ("EXPECTED_STATUS", "700", "within 100-599"),
        ("PROBE_TIMEOUT_SECONDS", "five", "PROBE_TIMEOUT_SECONDS must be a number"),
        ("PROBE_TIMEOUT_SECONDS", "0", "PROBE_TIMEOUT_SECONDS must be a finite number above 0"),
        ("HOOK_DEADLINE_SECONDS", "nan", "HOOK_DEADLINE_SECONDS must be a finite number above 0"),
    ],
)
def test_a_malformed_variable_is_refused_by_name(variable, value, message):
    with pytest.raises(config.ConfigError) as raised:
        config.load({variable: value})
    assert message in str(raised.value)


# -- scheduled runs against the emulator -----------------------------------------------------------


@pytest.fixture
def account(emulator, monkeypatch):
    """The state table, and the environment the function runs with, pointed at the emulator."""
    for variable, value in {
        "AWS_ENDPOINT_URL": emulator.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "STATE_TABLE": TABLE,
        "ENVIRONMENT": ENVIRONMENT,
        "PROBE_TIMEOUT_SECONDS": str(TIMEOUT),
    }.items():
        monkeypatch.setenv(variable, value)
    emulator.client("dynamodb").create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in ("pk", "sk")],
        BillingMode="PAY_PER_REQUEST",
    )
    emulator.mark()


@pytest.fixture
def target_groups(emulator, account):
    """Two target groups of ip targets in a VPC: blue with two registered targets, green empty.

    Only the tests that read target health take it: the emulator's first EC2 call after a reset
    costs seconds (moto builds the region's default VPC and catalogues).
    """
    vpc_id = emulator.client("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    elbv2 = emulator.client("elbv2")
    arns = {}
    for colour in ("blue", "green"):
        group = elbv2.create_target_group(
            Name=f"tg-{colour}-{ENVIRONMENT}", Protocol="HTTP", Port=80, VpcId=vpc_id, TargetType="ip"
        )
        arns[colour] = group["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=arns["blue"], Targets=[{"Id": "10.0.1.10"}, {"Id": "10.0.1.11"}])
    emulator.mark()
    return arns


def set_endpoints(monkeypatch, *endpoints: dict) -> None:
    monkeypatch.setenv("ENDPOINTS", json.dumps(list(endpoints)))


def latest_item(emulator) -> dict | None:
    answer = emulator.client("dynamodb").get_item(
        TableName=TABLE, Key={"pk": {"S": "health-check"}, "sk": {"S": "latest"}}, ConsistentRead=True
    )
    return cutover_state.from_dynamodb(answer.get("Item"))


def published(emulator) -> dict:
    """{(metric name, ((dimension, value), ...)): sum of the values} of the namespace envmigrate."""
    cloudwatch = emulator.client("cloudwatch")
    now = datetime.datetime.now(datetime.UTC)
    sums = {}
    for metric in cloudwatch.list_metrics(Namespace="envmigrate")["Metrics"]:
        points = cloudwatch.get_metric_statistics(
            Namespace="envmigrate",
            MetricName=metric["MetricName"],
            Dimensions=metric["Dimensions"],
            StartTime=now - datetime.timedelta(minutes=10),
            EndTime=now + datetime.timedelta(minutes=10),
            Period=60,
            Statistics=["Sum"],
        )["Datapoints"]
        dimensions = tuple(sorted((d["Name"], d["Value"]) for d in metric["Dimensions"]))
        sums[(metric["MetricName"], dimensions)] = sum(point["Sum"] for point in points)
    return sums


def operations(emulator) -> list[str]:
    return sorted(entry["operation"] for entry in emulator.journal())


ENV = ("Environment", ENVIRONMENT)


def test_a_healthy_run_records_the_latest_result_and_publishes_the_metrics(emulator, target_groups, site, monkeypatch):
    set_endpoints(
        monkeypatch,
        {"name": "alb", "url": site.url + "/ok", "host": APP_HOST},
        {"name": "onprem", "url": site.url + "/ok"},
    )
    monkeypatch.setenv("TARGET_GROUP_ARNS", json.dumps(target_groups))

    result = handler.handler(SCHEDULED_EVENT, None)
    # The run's own requests, before the test's reads: one PutMetricData carries every metric.
    assert operations(emulator) == ["DescribeTargetHealth", "DescribeTargetHealth", "PutItem", "PutMetricData"]

    assert json.loads(json.dumps(result)) == result
    assert result["mode"] == "scheduled"
    assert result["healthy"] is True
    assert result["targets"] == {"blue": 2, "green": 0}
    assert result["target_errors"] == {}
    assert [(e["name"], e["ok"], e["status"], e["error"]) for e in result["endpoints"]] == [
        ("alb", True, 200, None),
        ("onprem", True, 200, None),
    ]
    at = datetime.datetime.fromisoformat(result["at"])
    assert at.utcoffset() == datetime.timedelta(0)
    assert abs((datetime.datetime.now(datetime.UTC) - at).total_seconds()) < 5
    assert ("/ok", APP_HOST) in site.seen

    item = latest_item(emulator)
    assert item == {"pk": "health-check", "sk": "latest", **{k: v for k, v in result.items() if k != "mode"}}

    assert published(emulator) == {
        ("EndpointSuccess", (("Endpoint", "alb"), ENV)): 1,
        ("EndpointSuccess", (("Endpoint", "onprem"), ENV)): 1,
        ("EndpointLatency", (("Endpoint", "alb"), ENV)): pytest.approx(result["endpoints"][0]["latency_ms"]),
        ("EndpointLatency", (("Endpoint", "onprem"), ENV)): pytest.approx(result["endpoints"][1]["latency_ms"]),
        ("HealthyTargets", (ENV, ("TargetGroup", "blue"))): 2,
        ("HealthyTargets", (ENV, ("TargetGroup", "green"))): 0,
        ("HealthCheckFailed", (ENV,)): 0,
    }


def test_the_cutover_gate_reads_the_result_as_healthy_and_fresh(emulator, account, site, monkeypatch):
    set_endpoints(monkeypatch, {"name": "alb", "url": site.url + "/ok"})
    handler.handler(SCHEDULED_EVENT, None)
    gate = cutover_state.CutoverState(RetryingBotoClientWrapper(emulator.client("dynamodb"), retry_decorator()), TABLE)
    latest = gate.latest_result(cutover_state.HEALTH_PK)
    assert latest["healthy"] is True
    assert 0 <= latest["age_seconds"] < 5


def test_failing_endpoints_are_an_unhealthy_result_not_an_exception(
    emulator, account, site, closed_port_url, monkeypatch
):
    set_endpoints(
        monkeypatch,
        {"name": "alb", "url": closed_port_url, "host": APP_HOST},
        {"name": "onprem", "url": site.url + "/error"},
    )

    result = handler.handler(SCHEDULED_EVENT, None)

    assert result["healthy"] is False
    assert [(e["name"], e["ok"], e["status"], e["error"]) for e in result["endpoints"]] == [
        ("alb", False, None, "connection refused"),
        ("onprem", False, 500, "HTTP 500, expected 200-399"),
    ]
    assert latest_item(emulator)["healthy"] is False
    metrics = published(emulator)
    assert metrics[("HealthCheckFailed", (ENV,))] == 1
    assert metrics[("EndpointSuccess", (("Endpoint", "alb"), ENV))] == 0
    assert metrics[("EndpointSuccess", (("Endpoint", "onprem"), ENV))] == 0
    # The 500 came with a latency; the refused connection has none to report.
    assert ("EndpointLatency", (("Endpoint", "onprem"), ENV)) in metrics
    assert ("EndpointLatency", (("Endpoint", "alb"), ENV)) not in metrics


@pytest.mark.parametrize(
    ("probes_ok", "target_groups", "counts", "healthy"),
    [
        ([True, True], {}, {}, True),  # no target group configured: the probes decide
        ([True, False], {}, {}, False),
        ([True], {"blue": "arn:b", "green": "arn:g"}, {"blue": 0, "green": 2}, True),  # green serves now
        ([True], {"blue": "arn:b", "green": "arn:g"}, {"blue": 0, "green": 0}, False),
        ([True], {"blue": "arn:b", "green": "arn:g"}, {}, False),  # neither group could be read
        ([False], {"blue": "arn:b"}, {"blue": 3}, False),
    ],
)
def test_healthy_needs_every_probe_ok_and_a_healthy_target_when_groups_are_configured(
    probes_ok, target_groups, counts, healthy
):
    results = [probe.ProbeResult(f"e{i}", ok, None, None, None) for i, ok in enumerate(probes_ok)]
    assert handler.is_healthy(results, target_groups, counts) is healthy


def test_without_target_groups_the_probes_decide_and_elbv2_is_not_asked(emulator, account, site, monkeypatch):
    set_endpoints(monkeypatch, {"name": "alb", "url": site.url + "/ok"})

    result = handler.handler(SCHEDULED_EVENT, None)

    assert (result["healthy"], result["targets"], result["target_errors"]) == (True, {}, {})
    assert "DescribeTargetHealth" not in operations(emulator)
    assert not [name for name, _ in published(emulator) if name == "HealthyTargets"]


def test_an_unreadable_target_group_is_reported_and_the_other_still_counts(emulator, target_groups, site, monkeypatch):
    set_endpoints(monkeypatch, {"name": "alb", "url": site.url + "/ok"})
    gone = target_groups["green"].replace("tg-green-unit", "tg-gone-unit")
    monkeypatch.setenv("TARGET_GROUP_ARNS", json.dumps({"blue": target_groups["blue"], "green": gone}))

    result = handler.handler(SCHEDULED_EVENT, None)

    assert (result["healthy"], result["targets"]) == (True, {"blue": 2})
    assert list(result["target_errors"]) == ["green"]
    assert result["target_errors"]["green"].startswith("TargetGroupNotFound")
    assert latest_item(emulator)["target_errors"] == result["target_errors"]


def test_a_later_run_replaces_the_latest_result(emulator, account, site, monkeypatch):
    set_endpoints(monkeypatch, {"name": "alb", "url": site.url + "/ok"})
    assert handler.handler(SCHEDULED_EVENT, None)["healthy"] is True
    set_endpoints(monkeypatch, {"name": "alb", "url": site.url + "/error"})
    assert handler.handler(SCHEDULED_EVENT, None)["healthy"] is False

    items = emulator.client("dynamodb").scan(TableName=TABLE)["Items"]
    assert len(items) == 1
    assert latest_item(emulator)["endpoints"][0]["status"] == 500


def test_a_scheduled_run_without_its_settings_sends_no_request(emulator, account, monkeypatch):
    monkeypatch.delenv("STATE_TABLE")
    with pytest.raises(config.ConfigError, match="a scheduled run needs ENDPOINTS, STATE_TABLE"):
        handler.handler(SCHEDULED_EVENT, None)
    assert emulator.journal() == []


def test_only_healthy_targets_count():
    elbv2 = boto3.client("elbv2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    states = ["healthy", "unhealthy", "initial", "draining", "healthy", "unused"]
    with Stubber(elbv2) as stubber:
        stubber.add_response(
            "describe_target_health",
            {
                "TargetHealthDescriptions": [
                    {"Target": {"Id": f"10.0.0.{i}"}, "TargetHealth": {"State": s}} for i, s in enumerate(states)
                ]
            },
            {"TargetGroupArn": "arn:blue"},
        )
        assert aws.healthy_target_counts(elbv2, {"blue": "arn:blue"}) == ({"blue": 2}, {})


# -- the CodeDeploy lifecycle hook -----------------------------------------------------------------


@pytest.fixture
def codedeploy():
    """A CodeDeploy client whose answers the test queues (the emulator lacks the operation)."""
    client = boto3.client("codedeploy", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_status(stubber: Stubber, status: str) -> None:
    stubber.add_response(
        "put_lifecycle_event_hook_execution_status",
        {"lifecycleEventHookExecutionId": EXECUTION_ID},
        {"deploymentId": DEPLOYMENT_ID, "lifecycleEventHookExecutionId": EXECUTION_ID, "status": status},
    )


def set_test_endpoint(monkeypatch, url: str, **environ) -> None:
    monkeypatch.setenv("TEST_ENDPOINT", json.dumps({"name": "test-listener", "url": url, "host": APP_HOST}))
    monkeypatch.setenv("HOOK_RETRY_INTERVAL_SECONDS", "0.1")
    monkeypatch.setenv("PROBE_TIMEOUT_SECONDS", str(TIMEOUT))
    for variable, value in environ.items():
        monkeypatch.setenv(variable, value)


class LambdaContext:
    def __init__(self, remaining_seconds: float):
        self.deadline = time.monotonic() + remaining_seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self.deadline - time.monotonic()) * 1000)


def test_the_hook_reports_succeeded_and_writes_nothing(emulator, account, site, codedeploy, monkeypatch):
    client, stubber = codedeploy
    set_test_endpoint(monkeypatch, site.url + "/ok")
    expect_status(stubber, "Succeeded")

    result = handler.handler(HOOK_EVENT, LambdaContext(60), aws.Clients(codedeploy=client))

    assert json.loads(json.dumps(result)) == result
    assert {k: v for k, v in result.items() if k != "probe"} == {
        "mode": "hook",
        "deployment_id": DEPLOYMENT_ID,
        "lifecycle_event_hook_execution_id": EXECUTION_ID,
        "status": "Succeeded",
        "attempts": 1,
        "error": None,
    }
    assert (result["probe"]["name"], result["probe"]["ok"], result["probe"]["status"]) == ("test-listener", True, 200)
    assert site.seen == [("/ok", APP_HOST)]
    assert emulator.journal() == []  # no item, no metric: the hook only answers CodeDeploy
    assert latest_item(emulator) is None


def test_the_hook_retries_while_the_new_tasks_warm_up(site, codedeploy, monkeypatch):
    client, stubber = codedeploy
    set_test_endpoint(monkeypatch, site.url + "/warming", HOOK_DEADLINE_SECONDS="5")
    site.warming_failures = 2
    expect_status(stubber, "Succeeded")

    result = handler.handler(HOOK_EVENT, None, aws.Clients(codedeploy=client))

    assert (result["status"], result["attempts"], result["probe"]["status"]) == ("Succeeded", 3, 200)


def test_the_hook_reports_failed_when_the_deadline_passes(site, codedeploy, monkeypatch):
    client, stubber = codedeploy
    set_test_endpoint(monkeypatch, site.url + "/error", HOOK_DEADLINE_SECONDS="1")
    expect_status(stubber, "Failed")

    started = time.monotonic()
    result = handler.handler(HOOK_EVENT, None, aws.Clients(codedeploy=client))

    assert time.monotonic() - started < 2.5  # the deadline (1 s) and a margin for a busy machine
    assert result["status"] == "Failed"
    assert result["attempts"] >= 2
    assert result["error"] == "HTTP 500, expected 200-399"
    assert len(site.seen) == result["attempts"]


def test_the_hook_keeps_time_to_report_before_the_function_times_out(site, codedeploy, monkeypatch):
    client, stubber = codedeploy
    # 60 s allowed by HOOK_DEADLINE_SECONDS, but the function has 6 s left: it probes for about 1 s.
    set_test_endpoint(monkeypatch, site.url + "/slow")
    expect_status(stubber, "Failed")

    started = time.monotonic()
    result = handler.handler(HOOK_EVENT, LambdaContext(6), aws.Clients(codedeploy=client))

    assert time.monotonic() - started < 4  # well before the 6 s the function has, let alone the 60 s
    assert (result["status"], result["error"]) == ("Failed", "no answer within 0.5 s")


def test_the_hook_fails_the_deployment_when_it_has_nothing_to_probe(codedeploy, monkeypatch):
    client, stubber = codedeploy
    monkeypatch.delenv("TEST_ENDPOINT", raising=False)
    expect_status(stubber, "Failed")

    result = handler.handler(HOOK_EVENT, None, aws.Clients(codedeploy=client))

    assert (result["status"], result["attempts"], result["probe"]) == ("Failed", 0, None)
    assert "TEST_ENDPOINT is not set" in result["error"]


def test_a_hook_event_without_its_execution_id_is_refused(codedeploy):
    client, _ = codedeploy  # no answer queued: any CodeDeploy call would fail the test
    with pytest.raises(ValueError, match="no LifecycleEventHookExecutionId"):
        handler.handler({"DeploymentId": DEPLOYMENT_ID}, None, aws.Clients(codedeploy=client))


def test_a_refused_status_report_is_an_error_of_the_function(site, codedeploy, monkeypatch):
    client, stubber = codedeploy
    set_test_endpoint(monkeypatch, site.url + "/ok")
    stubber.add_client_error(
        "put_lifecycle_event_hook_execution_status",
        service_error_code="LifecycleEventAlreadyCompletedException",
        expected_params={
            "deploymentId": DEPLOYMENT_ID,
            "lifecycleEventHookExecutionId": EXECUTION_ID,
            "status": "Succeeded",
        },
    )
    with pytest.raises(ClientError, match="LifecycleEventAlreadyCompletedException"):
        handler.handler(HOOK_EVENT, None, aws.Clients(codedeploy=client))


def test_hook_seconds_is_the_deadline_or_what_the_function_has_left_minus_the_margin():
    loaded = settings(HOOK_DEADLINE_SECONDS="30")
    assert handler.hook_seconds(loaded, None) == 30
    assert handler.hook_seconds(loaded, LambdaContext(600)) == 30
    assert handler.hook_seconds(loaded, LambdaContext(20)) == pytest.approx(15, abs=0.1)
    assert handler.hook_seconds(loaded, LambdaContext(3)) == 0  # still one probe, see probe_until_ok


# -- the DMS task's status --------------------------------------------------------------------------


def _dms_task(emulator) -> str:
    """A DMS task in the emulator (stopped on creation: "ready")."""
    dms = emulator.client("dms")
    endpoints = [
        dms.create_endpoint(EndpointIdentifier=f"{kind}-{ENVIRONMENT}", EndpointType=kind, EngineName="postgres")[
            "Endpoint"
        ]["EndpointArn"]
        for kind in ("source", "target")
    ]
    instance = dms.create_replication_instance(
        ReplicationInstanceIdentifier=f"dms-{ENVIRONMENT}", ReplicationInstanceClass="dms.t3.micro"
    )["ReplicationInstance"]["ReplicationInstanceArn"]
    return dms.create_replication_task(
        ReplicationTaskIdentifier=f"dms-task-{ENVIRONMENT}",
        SourceEndpointArn=endpoints[0],
        TargetEndpointArn=endpoints[1],
        ReplicationInstanceArn=instance,
        MigrationType="full-load-and-cdc",
        TableMappings=json.dumps({"rules": []}),
    )["ReplicationTask"]["ReplicationTaskArn"]


def test_the_dms_task_status_is_recorded_and_feeds_dms_task_failed(emulator, account, site, monkeypatch):
    set_endpoints(monkeypatch, {"name": "onprem", "url": site.url + "/ok"})
    monkeypatch.setenv("DMS_TASK_ARN", _dms_task(emulator))

    result = handler.handler(SCHEDULED_EVENT, None)

    assert result["dms_task"]["status"] and result["dms_task"]["failed"] is False
    assert latest_item(emulator)["dms_task"]["failed"] is False
    assert published(emulator)[("DmsTaskFailed", (ENV,))] == 0


def test_an_unknown_dms_task_is_reported_without_a_metric(emulator, account, site, monkeypatch):
    set_endpoints(monkeypatch, {"name": "onprem", "url": site.url + "/ok"})
    monkeypatch.setenv("DMS_TASK_ARN", "arn:aws:dms:us-east-1:123456789012:task:MISSING")

    result = handler.handler(SCHEDULED_EVENT, None)

    assert result["healthy"] is True
    assert "not found" in result["dms_task"]["error"]
    assert not any(name == "DmsTaskFailed" for name, _ in published(emulator))


def test_a_failed_dms_task_counts_as_failed():
    from lambdas.health_check import aws as health_aws

    class FailedTask:
        def describe_replication_tasks(self, **_):
            return {"ReplicationTasks": [{"Status": "failed", "StopReason": "Last Error ..."}]}

    class FatalStop:
        def describe_replication_tasks(self, **_):
            return {"ReplicationTasks": [{"Status": "stopped", "StopReason": "Stop Reason FATAL_ERROR ..."}]}

    class NormalStop:
        def describe_replication_tasks(self, **_):
            return {"ReplicationTasks": [{"Status": "stopped", "StopReason": "Stop Reason NORMAL"}]}

    assert health_aws.dms_task_state(FailedTask(), "arn")["failed"] is True
    assert health_aws.dms_task_state(FatalStop(), "arn")["failed"] is True
    assert health_aws.dms_task_state(NormalStop(), "arn")["failed"] is False
