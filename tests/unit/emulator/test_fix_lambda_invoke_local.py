"""emulator/fixes/lambda_invoke_local.py: Invoke runs a zip-packaged Python function's handler."""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile

import pytest

TRUST_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}

ECHO = """
import os

def handler(event, context):
    print("echoing", event)
    return {
        "event": event,
        "greeting": os.environ["GREETING"],
        "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
        "region": os.environ["AWS_REGION"],
        "context": {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
        },
    }
"""

BOOM = """
def handler(event, context):
    raise ValueError("boom: " + event["why"])
"""

SLEEPY = """
import time

def handler(event, context):
    print("going to sleep")
    time.sleep(30)
    return "woke up"
"""

CHATTY = """
def handler(event, context):
    for number in range(500):
        print(f"line {number:04d} " + "x" * 40)
    return None
"""

# Writes an item to the table named in its environment, with boto3 against whatever AWS_ENDPOINT_URL says,
# noting who it called as.
WRITER = """
import os
import boto3

def handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
    caller = boto3.client("sts").get_caller_identity()["Arn"]
    key = {"pk": event["pk"], "sk": "written-by-lambda"}
    table.put_item(Item={**key, "request": context.aws_request_id, "caller": caller})
    return table.get_item(Key=key)["Item"]
"""


def zipped(source: str, module: str = "app") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{module}.py", source)
    return buffer.getvalue()


def create_function(session, name: str, source: str, handler: str = "app.handler", **settings) -> dict:
    iam = session.client("iam")
    try:
        role = iam.get_role(RoleName="lambda-exec-dev")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName="lambda-exec-dev", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))["Role"][
            "Arn"
        ]
    return session.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler=handler,
        Code={"ZipFile": zipped(source)},
        **settings,
    )


def invoke(session, name: str, event=None, **options) -> tuple[dict, object]:
    """The Invoke answer and its payload, decoded as JSON when there is one."""
    answer = session.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event or {}), **options)
    body = answer["Payload"].read()
    return answer, (json.loads(body) if body else None)


def state_table(session, name: str = "dynamodb-state-dev") -> None:
    session.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def item(session, pk: str, table: str = "dynamodb-state-dev") -> dict | None:
    key = {"pk": {"S": pk}, "sk": {"S": "written-by-lambda"}}
    return session.client("dynamodb").get_item(TableName=table, Key=key).get("Item")


# -- RequestResponse ---------------------------------------------------------------------------------------


def test_request_response_runs_the_handler_with_its_environment_and_context(emulator):
    function = create_function(
        emulator, "lambda-echo-dev", ECHO, Timeout=7, MemorySize=256, Environment={"Variables": {"GREETING": "hello"}}
    )
    answer, payload = invoke(emulator, "lambda-echo-dev", {"answer": 42})
    assert answer["StatusCode"] == 200
    assert "FunctionError" not in answer and "LogResult" not in answer
    assert answer["ExecutedVersion"] == "$LATEST"
    assert payload["event"] == {"answer": 42}
    assert payload["greeting"] == "hello"
    assert payload["endpoint"] == emulator.endpoint
    assert payload["region"] == "us-east-1"
    context = payload["context"]
    assert context["function_name"] == "lambda-echo-dev"
    assert context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"] == function["FunctionArn"]
    assert context["memory_limit_in_mb"] == "256"  # a string, as in AWS's runtime
    assert context["log_group_name"] == "/aws/lambda/lambda-echo-dev"
    assert "[$LATEST]" in context["log_stream_name"]
    assert 0 < context["remaining_ms"] <= 7000
    assert len(context["aws_request_id"]) == 36


def test_each_invocation_gets_its_own_request_id(emulator):
    create_function(emulator, "lambda-echo-dev", ECHO, Environment={"Variables": {"GREETING": "hi"}})
    ids = {invoke(emulator, "lambda-echo-dev")[1]["context"]["aws_request_id"] for _ in range(2)}
    assert len(ids) == 2


def test_log_type_tail_answers_the_log(emulator):
    create_function(emulator, "lambda-echo-dev", ECHO, Environment={"Variables": {"GREETING": "hi"}})
    answer, payload = invoke(emulator, "lambda-echo-dev", {"answer": 42}, LogType="Tail")
    log = base64.b64decode(answer["LogResult"]).decode()
    request_id = payload["context"]["aws_request_id"]
    lines = log.splitlines()
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert "echoing {'answer': 42}" in lines
    assert lines[-2] == f"END RequestId: {request_id}"
    assert lines[-1].startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    assert "\tMemory Size: 128 MB\tMax Memory Used: " in lines[-1]


def test_log_result_is_the_last_4_kb(emulator):
    create_function(emulator, "lambda-chatty-dev", CHATTY)
    answer = emulator.client("lambda").invoke(FunctionName="lambda-chatty-dev", LogType="Tail")
    assert answer["Payload"].read() == b"null"  # what the handler's None marshals to
    log = base64.b64decode(answer["LogResult"])
    assert len(log) == 4096
    text = log.decode()
    assert "line 0499 " in text and "line 0000 " not in text
    assert text.splitlines()[-1].startswith("REPORT RequestId: ")


def test_an_exception_in_the_handler_is_an_unhandled_function_error(emulator):
    create_function(emulator, "lambda-boom-dev", BOOM)
    answer, payload = invoke(emulator, "lambda-boom-dev", {"why": "testing"}, LogType="Tail")
    assert answer["StatusCode"] == 200
    assert answer["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "ValueError"
    assert payload["errorMessage"] == "boom: testing"
    assert len(payload["requestId"]) == 36
    (frame,) = payload["stackTrace"]
    assert frame.startswith('  File "') and 'app.py", line 3, in handler' in frame
    assert "[ERROR] ValueError: boom: testing" in base64.b64decode(answer["LogResult"]).decode()


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        (
            "missing.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'missing': No module named 'missing'",
        ),
        ("app.absent", "Runtime.HandlerNotFound", "Handler 'absent' missing on module 'app'"),
        ("app", "Runtime.MalformedHandlerName", "Bad handler 'app': not enough values to unpack (expected 2, got 1)"),
    ],
    ids=["no-module", "no-function", "malformed"],
)
def test_a_handler_that_cannot_be_loaded_answers_the_runtime_error(emulator, handler, error_type, message):
    create_function(emulator, "lambda-broken-dev", BOOM, handler=handler)
    answer, payload = invoke(emulator, "lambda-broken-dev")
    assert answer["FunctionError"] == "Unhandled"
    assert (payload["errorType"], payload["errorMessage"]) == (error_type, message)


def test_a_function_running_past_its_timeout_is_killed(emulator):
    create_function(emulator, "lambda-sleepy-dev", SLEEPY, Timeout=1)
    started = time.monotonic()
    answer, payload = invoke(emulator, "lambda-sleepy-dev", LogType="Tail")
    assert time.monotonic() - started < 10
    assert answer["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Sandbox.Timedout"
    assert payload["errorMessage"].endswith("Task timed out after 1.00 seconds")
    log = base64.b64decode(answer["LogResult"]).decode()
    assert "going to sleep" in log and "Task timed out after 1.00 seconds" in log
    assert log.splitlines()[-1].endswith("\tStatus: timeout")


def test_a_payload_that_is_not_json_is_refused(emulator):
    create_function(emulator, "lambda-echo-dev", ECHO, Environment={"Variables": {"GREETING": "hi"}})
    lambda_ = emulator.client("lambda")
    with pytest.raises(lambda_.exceptions.InvalidRequestContentException):
        lambda_.invoke(FunctionName="lambda-echo-dev", Payload=b"{not json")


# -- the function talks to the emulator ----------------------------------------------------------------------


def test_a_function_writes_to_dynamodb_in_the_emulator(emulator):
    state_table(emulator)
    create_function(
        emulator, "lambda-writer-dev", WRITER, Timeout=30, Environment={"Variables": {"TABLE": "dynamodb-state-dev"}}
    )
    answer, payload = invoke(emulator, "lambda-writer-dev", {"pk": "sync"})
    assert "FunctionError" not in answer, payload
    assert payload["pk"] == "sync"
    assert item(emulator, "sync")["request"]["S"] == payload["request"]
    # The function's calls are made with a session of its execution role, as on AWS.
    assert payload["caller"] == "arn:aws:sts::123456789012:assumed-role/lambda-exec-dev/lambda-writer-dev"


def test_event_invocation_answers_202_and_runs_in_the_background(emulator):
    state_table(emulator)
    create_function(
        emulator, "lambda-writer-dev", WRITER, Timeout=30, Environment={"Variables": {"TABLE": "dynamodb-state-dev"}}
    )
    answer, payload = invoke(emulator, "lambda-writer-dev", {"pk": "async"}, InvocationType="Event")
    assert answer["StatusCode"] == 202 and payload is None
    deadline = time.monotonic() + 20
    while item(emulator, "async") is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert item(emulator, "async") is not None


def test_dry_run_answers_204_and_runs_nothing(emulator):
    state_table(emulator)
    create_function(
        emulator, "lambda-writer-dev", WRITER, Timeout=30, Environment={"Variables": {"TABLE": "dynamodb-state-dev"}}
    )
    answer, payload = invoke(emulator, "lambda-writer-dev", {"pk": "dry"}, InvocationType="DryRun")
    assert answer["StatusCode"] == 204 and payload is None
    time.sleep(1.5)  # long enough for a function that had been started to write
    assert item(emulator, "dry") is None


def test_the_log_goes_to_an_existing_log_group(emulator):
    logs = emulator.client("logs")
    create_function(emulator, "lambda-echo-dev", ECHO, Environment={"Variables": {"GREETING": "hi"}})
    invoke(emulator, "lambda-echo-dev")
    assert logs.describe_log_groups()["logGroups"] == []  # not created by the emulator

    logs.create_log_group(logGroupName="/aws/lambda/lambda-echo-dev")
    _, payload = invoke(emulator, "lambda-echo-dev", {"answer": 42})
    (stream,) = logs.describe_log_streams(logGroupName="/aws/lambda/lambda-echo-dev")["logStreams"]
    assert stream["logStreamName"] == payload["context"]["log_stream_name"]
    events = logs.get_log_events(logGroupName="/aws/lambda/lambda-echo-dev", logStreamName=stream["logStreamName"])
    messages = [event["message"] for event in events["events"]]
    assert "echoing {'answer': 42}" in messages
    assert messages[0].startswith("START RequestId: ") and messages[-1].startswith("REPORT RequestId: ")


# -- plain moto ----------------------------------------------------------------------------------------------


def test_plain_moto_needs_docker_to_run_a_function(plain_moto):
    create_function(plain_moto, "lambda-echo-dev", ECHO, Environment={"Variables": {"GREETING": "hi"}})
    answer = plain_moto.client("lambda", retries={"max_attempts": 1}).invoke(FunctionName="lambda-echo-dev")
    assert answer["FunctionError"] == "Handled"
    assert answer["Payload"].read().startswith(b"error running docker")
