"""envmigrate.aws.cloudwatch_dashboard against the emulator: dashboards read back from CloudWatch."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from botocore.exceptions import ClientError

from ansible_collections.envmigrate.aws.plugins.modules import cloudwatch_dashboard
from tests.harness.module import run_module

MODULE = "cloudwatch_dashboard"
NAME = "dashboard-dev"
ARN = "arn:aws:cloudwatch::123456789012:dashboard/dashboard-dev"
TITLE = {"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": {"markdown": "# envmigrate dev"}}
REQUESTS = {
    "type": "metric",
    "x": 0,
    "y": 2,
    "width": 12,
    "height": 6,
    "properties": {
        "title": "Requests",
        "region": "us-east-1",
        "stat": "Sum",
        "period": 60,
        "metrics": [["envmigrate", "Requests", "Environment", "dev"]],
    },
}
BODY = {"start": "-PT3H", "widgets": [TITLE, REQUESTS]}
WANTED = {"name": NAME, "body": BODY}
ABSENT = {"name": NAME, "state": "absent"}
TAGS = {"Environment": "dev", "Project": "envmigrate"}
# botocore retries nothing itself, so the module's AWSRetry is what retries.
NO_BOTOCORE_RETRIES = {"aws_config": {"retries": {"max_attempts": 1}}}


@pytest.fixture
def cw(emulator):
    return emulator.client("cloudwatch")


@pytest.fixture
def created(emulator):
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is True, result
    emulator.mark()
    return result


@pytest.fixture
def dashboard_tagging(emulator, cw):
    """Marks the test xfail while the emulator cannot tag dashboards (moto 5.2.5 tags alarms only)."""
    cw.put_dashboard(DashboardName="tagging-probe", DashboardBody=json.dumps(BODY))
    arn = cw.get_dashboard(DashboardName="tagging-probe")["DashboardArn"]
    try:
        cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "probe", "Value": "yes"}])
    except cw.exceptions.ResourceNotFoundException:
        pytest.xfail("the emulator cannot tag dashboards: moto's TagResource accepts only alarm ARNs")
    finally:
        cw.delete_dashboards(DashboardNames=["tagging-probe"])
    emulator.mark()


def stored_text(cw, name: str = NAME) -> str | None:
    """The body exactly as CloudWatch keeps it, or None when there is no such dashboard."""
    try:
        return cw.get_dashboard(DashboardName=name)["DashboardBody"]
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceNotFound":
            raise
        return None


def stored_body(cw, name: str = NAME) -> dict | None:
    text = stored_text(cw, name)
    return None if text is None else json.loads(text)


def tags(cw, arn: str = ARN) -> dict:
    return {tag["Key"]: tag["Value"] for tag in cw.list_tags_for_resource(ResourceARN=arn)["Tags"]}


def operations(emulator) -> list[str]:
    return [entry["operation"] for entry in emulator.mutating_requests()]


def reordered(value):
    """The same JSON value with every object's keys in reverse order (list order kept)."""
    if isinstance(value, dict):
        return {key: reordered(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reordered(item) for item in value]
    return value


# -- create --------------------------------------------------------------------------------------


def test_creates_a_dashboard(emulator, cw):
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED)
    assert result["changed"] is True
    assert operations(emulator) == ["PutDashboard"]
    assert stored_body(cw) == BODY
    (entry,) = cw.list_dashboards(DashboardNamePrefix=NAME)["DashboardEntries"]
    dashboard = result["dashboard"]
    assert dashboard == {
        "name": NAME,
        "arn": ARN,
        "body": BODY,
        "size": entry["Size"],
        "last_modified": dashboard["last_modified"],
        "tags": {},
    }
    assert datetime.fromisoformat(dashboard["last_modified"]) == entry["LastModified"]


def test_a_json_string_is_sent_as_written(emulator, cw):
    text = json.dumps(BODY, indent=2)
    result = run_module(emulator, MODULE, {"name": NAME, "body": "\n" + text + "\n"})
    assert result["changed"] is True
    assert stored_text(cw) == text  # Ansible strips the string; the layout is kept
    assert result["dashboard"]["body"] == BODY
    assert result["dashboard"]["size"] == len(text)


def test_only_the_named_dashboard_is_read(emulator, cw):
    # ListDashboards takes a name prefix: dashboard-dev-old also matches it.
    cw.put_dashboard(DashboardName="dashboard-dev-old", DashboardBody=json.dumps({"widgets": []}))
    result = run_module(emulator, MODULE, WANTED)
    assert result["dashboard"]["name"] == NAME
    assert result["dashboard"]["size"] == len(stored_text(cw))
    assert stored_body(cw, "dashboard-dev-old") == {"widgets": []}


# -- no-op and update ----------------------------------------------------------------------------


def test_rerun_with_the_same_body_in_another_order_is_a_no_op(emulator, created):
    assert list(reordered(BODY)) == ["widgets", "start"]  # really another key order
    result = run_module(emulator, MODULE, {"name": NAME, "body": reordered(BODY)})
    assert result["changed"] is False
    as_text = run_module(emulator, MODULE, {"name": NAME, "body": json.dumps(reordered(BODY), indent=4)})
    assert as_text["changed"] is False
    assert emulator.mutating_requests() == []
    assert result["dashboard"] == created["dashboard"] == as_text["dashboard"]


def test_a_changed_body_is_put(emulator, cw, created):
    errors = dict(REQUESTS, properties=dict(REQUESTS["properties"], title="Errors"))
    changed = dict(BODY, widgets=[TITLE, REQUESTS, errors])
    result = run_module(emulator, MODULE, {"name": NAME, "body": changed})
    assert (result["changed"], operations(emulator)) == (True, ["PutDashboard"])
    assert stored_body(cw) == changed == result["dashboard"]["body"]
    assert result["dashboard"]["size"] == len(stored_text(cw))

    emulator.mark()
    assert run_module(emulator, MODULE, {"name": NAME, "body": changed})["changed"] is False
    assert emulator.mutating_requests() == []


@pytest.mark.parametrize(
    "body",
    [
        dict(BODY, widgets=[REQUESTS, TITLE]),  # list order is the widget order
        dict(BODY, start="-PT6H"),
        {"widgets": [TITLE, REQUESTS]},  # a key less
        dict(BODY, widgets=[TITLE, dict(REQUESTS, width=12.5)]),
    ],
)
def test_any_difference_of_value_or_list_order_is_put(emulator, cw, created, body):
    result = run_module(emulator, MODULE, {"name": NAME, "body": body})
    assert (result["changed"], operations(emulator)) == (True, ["PutDashboard"])
    assert stored_body(cw) == body


def test_a_body_changed_outside_is_put_back(emulator, cw, created):
    cw.put_dashboard(DashboardName=NAME, DashboardBody=json.dumps({"widgets": [TITLE]}))
    emulator.mark()
    result = run_module(emulator, MODULE, WANTED, diff=True)
    assert (result["changed"], operations(emulator)) == (True, ["PutDashboard"])
    assert result["diff"]["before"]["body"] == {"widgets": [TITLE]}
    assert stored_body(cw) == BODY


# -- delete --------------------------------------------------------------------------------------


def test_delete_and_delete_again(emulator, cw, created):
    result = run_module(emulator, MODULE, ABSENT, diff=True)
    assert (result["changed"], result["dashboard"]) == (True, {})
    assert operations(emulator) == ["DeleteDashboards"]
    assert stored_text(cw) is None
    assert result["diff"] == {"before": {"name": NAME, "body": BODY, "tags": {}}, "after": {}}

    emulator.mark()
    again = run_module(emulator, MODULE, ABSENT)
    assert again == {"failed": False, "changed": False, "dashboard": {}, "diff": {"before": {}, "after": {}}}
    never = run_module(emulator, MODULE, {"name": "never-made", "state": "absent"})
    assert never["changed"] is False
    assert emulator.mutating_requests() == []


def test_delete_ignores_the_body(emulator, cw, created):
    result = run_module(emulator, MODULE, dict(ABSENT, body="not even JSON"))
    assert (result["changed"], operations(emulator)) == (True, ["DeleteDashboards"])
    assert stored_text(cw) is None


# -- check mode and diff -------------------------------------------------------------------------


def test_check_mode_create_sends_nothing(emulator, cw):
    emulator.mark()
    result = run_module(emulator, MODULE, dict(WANTED, tags=TAGS), check_mode=True, diff=True)
    assert result["changed"] is True
    assert emulator.mutating_requests() == []
    assert stored_text(cw) is None
    assert result["dashboard"] == {"name": NAME, "body": BODY, "tags": TAGS}
    assert result["diff"] == {"before": {}, "after": {"name": NAME, "body": BODY, "tags": TAGS}}


def test_check_mode_update_and_delete_send_nothing(emulator, cw, created):
    changed = {"widgets": [TITLE]}
    result = run_module(emulator, MODULE, {"name": NAME, "body": changed, "tags": TAGS}, check_mode=True)
    assert result["changed"] is True
    assert result["dashboard"] == {"name": NAME, "arn": ARN, "body": changed, "tags": TAGS}
    deleted = run_module(emulator, MODULE, ABSENT, check_mode=True)
    assert (deleted["changed"], deleted["dashboard"]) == (True, {})
    assert emulator.mutating_requests() == []
    assert stored_body(cw) == BODY
    assert tags(cw) == {}


def test_check_mode_without_a_difference_reports_no_change(emulator, created):
    result = run_module(emulator, MODULE, {"name": NAME, "body": reordered(BODY)}, check_mode=True)
    assert (result["changed"], result["dashboard"]) == (False, created["dashboard"])
    assert emulator.mutating_requests() == []


def test_diff_shows_the_parsed_bodies(emulator):
    diff = run_module(emulator, MODULE, WANTED, diff=True)["diff"]
    assert diff == {"before": {}, "after": {"name": NAME, "body": BODY, "tags": {}}}

    changed = {"widgets": [REQUESTS]}
    diff = run_module(emulator, MODULE, {"name": NAME, "body": json.dumps(changed)}, diff=True)["diff"]
    assert diff == {
        "before": {"name": NAME, "body": BODY, "tags": {}},
        "after": {"name": NAME, "body": changed, "tags": {}},
    }
    diff = run_module(emulator, MODULE, {"name": NAME, "body": changed}, diff=True)["diff"]
    assert diff["before"] == diff["after"] == {"name": NAME, "body": changed, "tags": {}}


# -- tags ----------------------------------------------------------------------------------------


def test_empty_tags_on_an_untagged_dashboard_are_a_no_op(emulator, created):
    assert run_module(emulator, MODULE, dict(WANTED, tags={}))["changed"] is False
    assert run_module(emulator, MODULE, dict(WANTED, tags={}, purge_tags=False))["changed"] is False
    assert emulator.mutating_requests() == []


def test_creates_with_tags(emulator, cw, dashboard_tagging):
    result = run_module(emulator, MODULE, dict(WANTED, tags=TAGS))
    assert result["changed"] is True
    assert operations(emulator) == ["PutDashboard", "TagResource"]
    assert tags(cw) == TAGS == result["dashboard"]["tags"]

    emulator.mark()
    assert run_module(emulator, MODULE, dict(WANTED, tags=TAGS))["changed"] is False
    assert emulator.mutating_requests() == []


def test_tags_are_updated_and_purged_without_putting_the_body(emulator, cw, dashboard_tagging):
    run_module(emulator, MODULE, dict(WANTED, tags=TAGS))
    emulator.mark()
    kept = run_module(emulator, MODULE, dict(WANTED, tags={"Owner": "platform"}, purge_tags=False))
    assert (kept["changed"], operations(emulator)) == (True, ["TagResource"])
    assert tags(cw) == dict(TAGS, Owner="platform") == kept["dashboard"]["tags"]

    emulator.mark()
    purged = run_module(emulator, MODULE, dict(WANTED, tags={"Owner": "platform"}), diff=True)
    assert (purged["changed"], operations(emulator)) == (True, ["UntagResource"])
    assert tags(cw) == {"Owner": "platform"} == purged["dashboard"]["tags"]
    assert purged["diff"]["before"]["tags"] == dict(TAGS, Owner="platform")

    emulator.mark()
    assert run_module(emulator, MODULE, WANTED)["changed"] is False  # tags not given: left alone
    assert run_module(emulator, MODULE, dict(WANTED, tags={}))["changed"] is True
    assert operations(emulator) == ["UntagResource"]
    assert tags(cw) == {}


# -- refusals and AWS errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{'widgets': []}", "body is not valid JSON: Expecting property name enclosed in double quotes"),
        ('{"widgets": [}', "body is not valid JSON: "),
        ("[]", "body must be a JSON object with a widgets list, got a JSON list"),
        ([TITLE], "body must be a JSON object with a widgets list, got a JSON list"),
        ({"start": "-PT3H"}, "body must have a widgets list (the dashboard's widgets), got null"),
        ({"widgets": {"a": TITLE}}, "body must have a widgets list (the dashboard's widgets), got {"),
        ({"widgets": [TITLE, "text", 3]}, "every widget of the body must be a JSON object; widgets 1, 2 are not"),
    ],
)
def test_a_bad_body_is_refused_before_any_request(emulator, body, message):
    emulator.mark()
    result = run_module(emulator, MODULE, {"name": NAME, "body": body})
    assert result["failed"] is True
    assert result["msg"].startswith(message), result["msg"]
    assert emulator.journal() == []


def test_present_without_a_body_is_refused_before_any_request(emulator):
    emulator.mark()
    result = run_module(emulator, MODULE, {"name": NAME})
    assert result["failed"] is True
    assert result["msg"] == "state is present but all of the following are missing: body"
    assert emulator.journal() == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "name must be 1 to 255 characters long (got 0)"),
        ("a" * 256, "name must be 1 to 255 characters long (got 256)"),
        ("dashboard dev/1", "has characters CloudWatch refuses (' ' '/')"),
        ("dashboard.dev", "has characters CloudWatch refuses ('.')"),
    ],
)
def test_a_bad_name_is_refused_before_any_request(emulator, name, message):
    emulator.mark()
    result = run_module(emulator, MODULE, {"name": name, "body": BODY})
    assert result["failed"] is True
    assert message in result["msg"]
    assert emulator.journal() == []


@pytest.mark.parametrize("name", ["a", "a" * 255, "Dashboard_dev-2"])
def test_names_cloudwatch_accepts(name):
    assert cloudwatch_dashboard.name_problem(name) is None


def test_a_body_cloudwatch_refuses_fails_and_changes_nothing(emulator, cw, created):
    message = "The dashboard body is invalid, there are 1 validation errors"
    emulator.inject_fault("cloudwatch", "PutDashboard", "InvalidParameterInput", message)
    result = run_module(emulator, MODULE, {"name": NAME, "body": {"widgets": [{"type": "metric"}]}})
    assert result["failed"] is True
    assert result["msg"].startswith("CloudWatch refused the body of dashboard dashboard-dev. Nothing was changed: ")
    assert message in result["msg"]
    assert result["error"]["code"] == "InvalidParameterInput"
    assert stored_body(cw) == BODY


def test_validation_messages_name_the_data_path():
    messages = [
        {"DataPath": "/widgets/0/properties", "Message": "Should have required property 'region'"},
        {"Message": "The dashboard has no widgets"},
    ]
    assert cloudwatch_dashboard.validation_messages(messages) == [
        "/widgets/0/properties: Should have required property 'region'",
        "The dashboard has no widgets",
    ]
    assert cloudwatch_dashboard.validation_messages(None) == []


def test_access_denied_is_reported(emulator, cw):
    emulator.mark()
    emulator.inject_fault("cloudwatch", "GetDashboard", "AccessDenied", "User is not authorized", 403)
    result = run_module(emulator, MODULE, WANTED)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to manage CloudWatch dashboard dashboard-dev: ")
    assert result["error"]["code"] == "AccessDenied"
    assert emulator.mutating_requests() == []
    assert stored_text(cw) is None


def test_access_denied_on_delete_is_reported(emulator, cw, created):
    emulator.inject_fault("cloudwatch", "DeleteDashboards", "AccessDenied", "User is not authorized", 403)
    result = run_module(emulator, MODULE, ABSENT)
    assert result["failed"] is True
    assert result["error"]["code"] == "AccessDenied"
    assert stored_body(cw) == BODY


def test_throttling_is_retried(emulator, cw, created):
    emulator.inject_fault("cloudwatch", "GetDashboard", "Throttling", "Rate exceeded", 400, count=1)
    emulator.inject_fault("cloudwatch", "PutDashboard", "Throttling", "Rate exceeded", 400, count=1)
    changed = {"widgets": [TITLE]}
    result = run_module(emulator, MODULE, {"name": NAME, "body": changed, **NO_BOTOCORE_RETRIES})
    assert result["changed"] is True, result
    calls = [(e["operation"], e.get("error")) for e in emulator.journal()]
    assert [call for call in calls if call[0] in ("GetDashboard", "PutDashboard")][:4] == [
        ("GetDashboard", "Throttling"),
        ("GetDashboard", None),
        ("PutDashboard", "Throttling"),
        ("PutDashboard", None),
    ]
    assert stored_body(cw) == changed
