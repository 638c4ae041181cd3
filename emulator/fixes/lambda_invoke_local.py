"""Lambda: Invoke runs the handler of a zip-packaged Python function, as AWS does.

moto 5.2.5 runs functions only in Docker. Without Docker (this machine, CI) Invoke answers
HTTP 200 with ``X-Amz-Function-Error: Handled`` and the payload ``error running docker: Error
while fetching server API version: ...``, for every invocation type: even a DryRun (which AWS
never runs) and an Event invocation try Docker first. moto's ``lambda_simple`` backend, the
other choice, never runs the code: it echoes the event or a canned answer. So a function that
calls other services, or a CodeDeploy hook that reports its result, could not be tried locally.

Here Invoke of a function with ``PackageType`` ``Zip`` and a ``python3.x`` runtime runs the real
handler in a child process of the emulator's own Python (``sys.executable``):

- The code is the zip moto keeps on the function (``code_bytes``), extracted once per
  ``CodeSha256`` into a cache directory that plays ``/var/task`` (the working directory and the
  first entry of ``sys.path``). Layers are not extracted.
- ``BOOTSTRAP`` below stands in for the runtime: it imports the ``Handler`` module and function,
  reads the event from stdin, builds a context (``function_name``, ``function_version``,
  ``invoked_function_arn``, ``memory_limit_in_mb``, ``aws_request_id``, ``log_group_name``,
  ``log_stream_name``, ``get_remaining_time_in_millis()`` counting down from ``Timeout``) and
  writes the result to a file, so that whatever the handler prints goes to the log only.
- The environment is the function's ``Environment.Variables`` plus what Lambda sets
  (``AWS_LAMBDA_FUNCTION_NAME``, ``AWS_REGION``, ``_HANDLER``, ``LAMBDA_TASK_ROOT``, ...), the
  function role's credentials (an STS session of the role, so calls land in the function's
  account) and ``AWS_ENDPOINT_URL`` pointing at this emulator, so boto3 in the function talks to
  it. Nothing of the emulator's own environment leaks in (``~/.aws`` neither). The emulator's
  Python (3.11 here) and the boto3 of its virtualenv stand in for the runtime's (3.12 for
  ``python3.12``); other Python runtimes run on it too.
- Answers follow AWS: a handler exception gives ``X-Amz-Function-Error: Unhandled`` and
  ``{"errorMessage", "errorType", "requestId", "stackTrace"}``; an import problem the runtime's
  ``Runtime.ImportModuleError``, ``Runtime.HandlerNotFound``, ...; past ``Timeout`` the process
  group is killed and the answer is ``Sandbox.Timedout`` ("Task timed out after N.NN seconds");
  ``LogType=Tail`` gives the last 4 KB of the log (``START``/``END``/``REPORT`` lines included)
  in ``X-Amz-Log-Result``; ``InvocationType=Event`` answers 202 at once and runs the function in
  a background thread; ``DryRun`` answers 204 and runs nothing; a payload that is not JSON is
  InvalidRequestContentException.
- The log also goes to a new stream of the log group ``/aws/lambda/<name>`` when that group
  exists (AWS creates the group itself when the role may; the emulator does not create
  resources nobody asked for).

The server is threaded (``server.make_server``), so a function calling back into the emulator
is served while its Invoke request waits. Functions with another runtime or packaged as an
image keep moto's behaviour. Each invocation starts a fresh process (a cold start every time);
``MemorySize`` is reported, not enforced; failed Event invocations are not retried.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import functools
import io
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime

# What the Invoke API returns in X-Amz-Log-Result for LogType=Tail.
LOG_TAIL_BYTES = 4096

# Stands in for the Lambda Python runtime inside the child process. argv: the file to write the
# outcome to and the invocation (request id, invoked ARN, deadline) as JSON; stdin: the event.
# The error types and messages are those of AWS's runtime (awslambdaric).
BOOTSTRAP = r"""
import decimal, importlib, json, math, os, resource, sys, time, traceback


class LambdaContext:
    def __init__(self, invocation):
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.invoked_function_arn = invocation["invoked_function_arn"]
        self.aws_request_id = invocation["request_id"]
        self.identity = None
        self.client_context = None
        self._deadline_ms = invocation["deadline_ms"]

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


class RuntimeFault(Exception):
    def __init__(self, error_type, message, stack_trace=()):
        super().__init__(message)
        self.error_type, self.message, self.stack_trace = error_type, message, list(stack_trace)


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as error:
        raise RuntimeFault("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {error}")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as error:
        raise RuntimeFault("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}")
    except SyntaxError as error:
        trace = [f'  File "{error.filename}" Line {error.lineno}\n    {error.text}']
        raise RuntimeFault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {error}", trace)
    if not hasattr(module, function_name):
        raise RuntimeFault("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
    return getattr(module, function_name)


class Encoder(json.JSONEncoder):
    def default(self, value):
        if isinstance(value, decimal.Decimal):  # what boto3's DynamoDB resources return
            return float(value)
        return super().default(value)


def run(invocation):
    handler = load_handler(os.environ["_HANDLER"])
    event = json.loads(sys.stdin.buffer.read() or b"{}")
    result = handler(event, LambdaContext(invocation))
    try:
        return json.dumps(result, cls=Encoder)
    except (TypeError, ValueError) as error:
        raise RuntimeFault("Runtime.MarshalError", f"Unable to marshal response: {error}")


def error_of(error, request_id):
    if isinstance(error, RuntimeFault):
        error_type, message, stack_trace = error.error_type, error.message, error.stack_trace
    else:
        frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename != "<string>"]
        error_type, message, stack_trace = type(error).__name__, str(error), traceback.format_list(frames)
    trace = "".join(stack_trace)
    print(f"[ERROR] {error_type}: {message}\nTraceback (most recent call last):\n{trace}", file=sys.stderr)
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack_trace}


def peak_memory_mb():
    # VmHWM starts afresh at exec; ru_maxrss would still count the emulator the child was forked from.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return math.ceil(peak_kb / 1024)


def main():
    result_path, invocation = sys.argv[1], json.loads(sys.argv[2])
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    try:
        outcome = {"payload": run(invocation)}
    except Exception as error:
        outcome = {"error": error_of(error, invocation["request_id"])}
    outcome["max_memory_used_mb"] = peak_memory_mb()
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(outcome, handle)


main()
"""


@dataclass
class Outcome:
    """One invocation: the payload AWS answers, whether it is an error, and the function's log."""

    payload: bytes
    failed: bool
    log: str


# -- where the function finds the emulator -----------------------------------------------------------------

_server = {"endpoint": None}


def remember_server_address(setup_class):
    """Wrap moto's BaseResponse.setup_class to note the address the server listens on.

    The port may have been chosen by the system (``--port 0``), so it is read from the first
    request: werkzeug puts the bound address into every request's environment.
    """

    @functools.wraps(setup_class)
    def setup_class_noting_address(self, request, *args, **kwargs):
        environ = getattr(request, "environ", None) or {}
        if _server["endpoint"] is None and environ.get("SERVER_PORT"):
            host = environ.get("SERVER_NAME") or "127.0.0.1"
            host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # a wildcard is not an address
            host = f"[{host}]" if ":" in host else host
            _server["endpoint"] = f"{environ.get('wsgi.url_scheme', 'http')}://{host}:{environ['SERVER_PORT']}"
        return setup_class(self, request, *args, **kwargs)

    return setup_class_noting_address


# -- the function's code -----------------------------------------------------------------------------------

_code_cache = {"root": None}
_code_lock = threading.Lock()


def code_directory(function) -> str:
    """The function's zip extracted (once per CodeSha256) into a directory of its own."""
    with _code_lock:
        if _code_cache["root"] is None:
            _code_cache["root"] = tempfile.mkdtemp(prefix="aws-emulator-lambda-")
        target = os.path.join(_code_cache["root"], base64.b64decode(function.code_sha_256).hex())
        if not os.path.isdir(target):
            staging = tempfile.mkdtemp(dir=_code_cache["root"])
            with zipfile.ZipFile(io.BytesIO(function.code_bytes)) as archive:
                archive.extractall(staging)  # zipfile drops absolute paths and ".." components
            os.rename(staging, target)
    return target


def runs_locally(function) -> bool:
    return (
        function.package_type == "Zip"
        and (function.run_time or "").startswith("python")
        and bool(getattr(function, "code_bytes", b""))
    )


# -- one invocation ----------------------------------------------------------------------------------------

_running: set[subprocess.Popen] = set()


def clean_up_at_exit() -> None:
    """Functions still running (Event invocations) stop with the emulator; the extracted code goes."""
    for process in list(_running):
        _kill(process)
    if _code_cache["root"] is not None:
        shutil.rmtree(_code_cache["root"], ignore_errors=True)


def _kill(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the handler's own children too


def role_credentials(function) -> dict[str, str]:
    """A session of the function's execution role, as Lambda gives the runtime."""
    from moto.sts.models import sts_backends
    from moto.utilities.utils import get_partition

    sts = sts_backends[function.account_id][get_partition(function.region)]
    session = sts.assume_role(
        region_name=function.region,
        role_session_name=function.function_name,
        role_arn=function.role,
        policy=None,
        duration=max(int(function.timeout), 900),
        external_id=None,
    )
    return {
        "AWS_ACCESS_KEY_ID": session.access_key_id,
        "AWS_SECRET_ACCESS_KEY": session.secret_access_key,
        "AWS_SESSION_TOKEN": session.session_token,
    }


def function_environment(function, code_dir: str, log_stream: str, endpoint: str | None) -> dict[str, str]:
    """The child's whole environment: the function's variables, then what Lambda itself sets."""
    environment = {
        "PATH": os.environ.get("PATH", os.defpath),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        # The host's ~/.aws (profiles, real credentials) must not reach the function.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    if endpoint:
        environment["AWS_ENDPOINT_URL"] = endpoint
    environment.update({key: str(value) for key, value in (function.environment_vars or {}).items()})
    # Reserved variables: CreateFunction refuses them in Environment, so these always win.
    environment.update(
        {
            "_HANDLER": function.handler or "",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.run_time}",
            "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": str(function.version),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": function.logs_group_name,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region,
            "LAMBDA_TASK_ROOT": code_dir,
            "LAMBDA_RUNTIME_DIR": os.path.dirname(sys.executable),
            **role_credentials(function),
        }
    )
    return environment


def timed_out(request_id: str, timeout: float) -> tuple[dict, str]:
    """The payload and the log line AWS gives for an invocation killed at its timeout."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    message = f"Task timed out after {timeout:.2f} seconds"
    error = {"errorType": "Sandbox.Timedout", "errorMessage": f"RequestId: {request_id} Error: {message}"}
    return error, f"{stamp} {request_id} {message}"


def run_function(function, event: bytes, log_stream: str) -> Outcome:
    """Run the handler once in a child process; kill it at the function's Timeout."""
    request_id = str(uuid.uuid4())
    timeout = float(function.timeout)
    code_dir = code_directory(function)
    invocation = {
        "request_id": request_id,
        "invoked_function_arn": function.function_arn,
        "deadline_ms": int((time.time() + timeout) * 1000),
    }
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aws-emulator-invoke-") as scratch:
        result_path = os.path.join(scratch, "outcome.json")
        process = subprocess.Popen(
            # -s: no user site-packages; -u: prints reach the log in the order they were made.
            [sys.executable, "-s", "-u", "-c", BOOTSTRAP, result_path, json.dumps(invocation)],
            cwd=code_dir,
            env=function_environment(function, code_dir, log_stream, _server["endpoint"]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group, killed as a whole at the timeout
        )
        _running.add(process)
        timeout_line = None
        try:
            output, _ = process.communicate(event, timeout=timeout)
            outcome = read_outcome(result_path, process.returncode, request_id)
        except subprocess.TimeoutExpired:
            _kill(process)
            output, _ = process.communicate()
            error, timeout_line = timed_out(request_id, timeout)
            outcome = {"error": error}
        finally:
            _running.discard(process)
        duration_ms = (time.monotonic() - started) * 1000

    lines = [f"START RequestId: {request_id} Version: {function.version}"]
    lines += output.decode("utf-8", "replace").splitlines()
    lines += [timeout_line] if timeout_line else []
    lines.append(f"END RequestId: {request_id}")
    report = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
        f"Billed Duration: {math.ceil(duration_ms)} ms\tMemory Size: {function.memory_size} MB"
    )
    if "max_memory_used_mb" in outcome:
        report += f"\tMax Memory Used: {outcome['max_memory_used_mb']} MB"
    lines.append(report + ("\tStatus: timeout" if timeout_line else ""))
    if "payload" in outcome:
        return Outcome(outcome["payload"].encode("utf-8"), False, "\n".join(lines) + "\n")
    return Outcome(json.dumps(outcome["error"]).encode("utf-8"), True, "\n".join(lines) + "\n")


def read_outcome(result_path: str, returncode: int, request_id: str) -> dict:
    """What the bootstrap wrote; a process that ended without writing it exited (sys.exit, a crash)."""
    try:
        with open(result_path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        status = f"signal: {signal.Signals(-returncode).name}" if returncode < 0 else f"exit status {returncode}"
        message = f"RequestId: {request_id} Error: Runtime exited with error: {status}"
        return {"error": {"errorType": "Runtime.ExitError", "errorMessage": message}}


def save_log(function, log_stream: str, log: str) -> None:
    """Write the log to /aws/lambda/<name> when that group exists."""
    from moto.logs.models import logs_backends

    logs = logs_backends[function.account_id][function.region]
    if function.logs_group_name not in logs.groups:
        return
    logs.create_log_stream(function.logs_group_name, log_stream)
    now = int(time.time() * 1000)
    events = [{"timestamp": now, "message": line} for line in log.splitlines()]
    logs.put_log_events(function.logs_group_name, log_stream, events)


def invoke_and_log(function, event: bytes) -> Outcome:
    now = datetime.now(UTC)
    log_stream = f"{now:%Y/%m/%d}/[{function.version}]{uuid.uuid4().hex}"
    outcome = run_function(function, event, log_stream)
    save_log(function, log_stream, outcome.log)
    return outcome


def event_bytes(body) -> bytes:
    """The request payload, checked to be JSON as Lambda does before running anything."""
    from moto.awslambda.exceptions import LambdaClientError

    text = body.decode("utf-8") if isinstance(body, bytes) else (body or "")
    if not text.strip():
        return b"{}"
    try:
        json.loads(text)
    except ValueError as error:
        raise LambdaClientError(
            "InvalidRequestContentException",
            f"Could not parse request body into json: Could not parse payload into json: {error}",
        ) from None
    return text.encode("utf-8")


def apply(options) -> None:
    from moto.awslambda.models import LambdaFunction
    from moto.core.responses import BaseResponse

    moto_invoke = LambdaFunction.invoke

    @functools.wraps(moto_invoke)
    def invoke(self, body, request_headers, response_headers):
        if not runs_locally(self):
            return moto_invoke(self, body, request_headers, response_headers)
        event = event_bytes(body)
        invocation_type = (request_headers or {}).get("X-Amz-Invocation-Type") or "RequestResponse"
        if invocation_type == "DryRun":
            return b""  # AWS only checks the request and the caller's permission
        if invocation_type == "Event":
            # 202 at once; the function runs after the answer, as Lambda's event queue does.
            name = f"lambda-event-{self.function_name}"
            threading.Thread(target=invoke_and_log, args=(self, event), name=name, daemon=True).start()
            return b""
        outcome = invoke_and_log(self, event)
        if outcome.failed:
            response_headers["x-amz-function-error"] = "Unhandled"
        # moto's response drops the header unless the request asked for LogType=Tail.
        tail = outcome.log.encode("utf-8")[-LOG_TAIL_BYTES:]
        response_headers["x-amz-log-result"] = base64.b64encode(tail).decode("ascii")
        response_headers["x-amz-executed-version"] = str(self.version)
        return outcome.payload

    LambdaFunction.invoke = invoke
    BaseResponse.setup_class = remember_server_address(BaseResponse.setup_class)
    atexit.register(clean_up_at_exit)
