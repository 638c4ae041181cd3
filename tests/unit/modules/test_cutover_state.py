"""envmigrate.aws.cutover_state against the emulator: state, lock and history read back from DynamoDB."""

from __future__ import annotations

import datetime
import getpass
import threading

import pytest
from boto3.dynamodb.types import TypeDeserializer

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.envmigrate.aws.plugins.module_utils.retries import retry_decorator
from ansible_collections.envmigrate.aws.plugins.modules import cutover_state
from tests.harness.module import run_module

MODULE = "cutover_state"
TABLE = "dynamodb-state-unit"
STATE_KEY = {"pk": {"S": "cutover"}, "sk": {"S": "state"}}
EMPTY = {"weight": 0, "updated_at": None, "updated_by": None, "lock": None}


@pytest.fixture
def dynamodb(emulator):
    """The state table as roles/storage makes it: string keys pk and sk, on demand."""
    client = emulator.client("dynamodb")
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in ("pk", "sk")],
        BillingMode="PAY_PER_REQUEST",
    )
    emulator.mark()
    return client


def plain(item: dict | None) -> dict | None:
    if item is None:
        return None
    return cutover_state.plain({key: TypeDeserializer().deserialize(value) for key, value in item.items()})


def stored_state(dynamodb) -> dict | None:
    return plain(dynamodb.get_item(TableName=TABLE, Key=STATE_KEY, ConsistentRead=True).get("Item"))


def stored_history(dynamodb) -> list[dict]:
    """Every history item, oldest first (ascending sort key)."""
    items = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={":pk": {"S": "cutover"}, ":prefix": {"S": "history#"}},
    )["Items"]
    return [plain(item) for item in items]


def operations(emulator) -> list[str]:
    return [entry["operation"] for entry in emulator.mutating_requests()]


def cutover(emulator, action: str, **args) -> dict:
    return run_module(emulator, MODULE, {"table": TABLE, "action": action, **args})


def begin(emulator, from_weight: int, to_weight: int, operator: str = "alice", **args) -> dict:
    return cutover(emulator, "begin", from_weight=from_weight, to_weight=to_weight, operator=operator, **args)


def shift(emulator, from_weight: int, to_weight: int, operator: str = "alice") -> None:
    """One full shift, begin and commit."""
    begun = begin(emulator, from_weight, to_weight, operator)
    assert begun["changed"] is True, begun
    committed = cutover(emulator, "commit", lock_id=begun["lock_id"], operator=operator)
    assert committed["changed"] is True, committed


def age_lock(dynamodb, seconds: int) -> str:
    """Make the running lock look ``seconds`` old (as if its operator walked away); returns its new started_at."""
    started = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=seconds)
    started_at = started.isoformat(timespec="microseconds")
    dynamodb.update_item(
        TableName=TABLE,
        Key=STATE_KEY,
        UpdateExpression="SET #lock.started_at = :started",
        ExpressionAttributeNames={"#lock": "lock"},
        ExpressionAttributeValues={":started": {"S": started_at}},
    )
    return started_at


# -- get ------------------------------------------------------------------------------------------


def test_get_on_an_empty_table_is_phase_0_without_lock(emulator, dynamodb):
    result = cutover(emulator, "get")
    assert result == {
        "failed": False,
        "changed": False,
        "state": EMPTY,
        "latest_health": None,
        "latest_validation": None,
    }
    assert emulator.mutating_requests() == []
    assert [e["operation"] for e in emulator.journal()] == ["GetItem"] * 3
    assert stored_state(dynamodb) is None


def test_get_returns_the_functions_latest_results_with_their_age(emulator, dynamodb):
    at = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=120)).isoformat()
    dynamodb.put_item(
        TableName=TABLE,
        Item={"pk": {"S": "health-check"}, "sk": {"S": "latest"}, "at": {"S": at}, "healthy": {"BOOL": True}},
    )
    dynamodb.put_item(
        TableName=TABLE,
        Item={"pk": {"S": "validation"}, "sk": {"S": "latest"}, "at": {"S": "not a time"}, "passed": {"BOOL": False}},
    )
    result = cutover(emulator, "get")
    health, validation = result["latest_health"], result["latest_validation"]
    assert health["healthy"] is True and health["at"] == at and 119 <= health["age_seconds"] <= 180
    assert validation == {"at": "not a time", "passed": False, "age_seconds": None}


def test_commit_publishes_the_phase_as_traffic_weight_aws(emulator, dynamodb):
    lock = cutover(emulator, "begin", from_weight=0, to_weight=50)["lock_id"]
    cutover(emulator, "commit", lock_id=lock, metric_dimensions={"Environment": "unit"})
    answer = emulator.client("cloudwatch").get_metric_statistics(
        Namespace="envmigrate",
        MetricName="TrafficWeightAws",
        Dimensions=[{"Name": "Environment", "Value": "unit"}],
        StartTime=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5),
        EndTime=datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5),
        Period=60,
        Statistics=["Maximum"],
    )
    assert [point["Maximum"] for point in answer["Datapoints"]] == [50.0]


# -- begin and commit -----------------------------------------------------------------------------


def test_begin_and_commit_0_to_25(emulator, dynamodb):
    gates = [{"name": "health", "healthy": True, "latency_ms": 12.5}, {"name": "alarms", "in_alarm": []}]
    begun = begin(emulator, 0, 25, gates=gates)
    assert begun["changed"] is True
    assert operations(emulator) == ["UpdateItem", "PutItem"]  # the conditional write, then the event
    lock_id = begun["lock_id"]
    item = stored_state(dynamodb)
    started_at = item["lock"]["started_at"]
    assert item == {
        "pk": "cutover",
        "sk": "state",
        "weight": 0,
        "lock": {"id": lock_id, "operator": "alice", "from": 0, "to": 25, "started_at": started_at},
    }
    lock = {"lock_id": lock_id, "operator": "alice", "from_weight": 0, "to_weight": 25, "started_at": started_at}
    assert begun["state"] == {"weight": 0, "updated_at": None, "updated_by": None, "lock": lock}
    assert begun["taken_over"] is None
    assert begun["event"] == {
        "at": started_at,
        "kind": "begun",
        "operator": "alice",
        "from_weight": 0,
        "to_weight": 25,
        "gates": gates,
        "reason": None,
        "lock_id": lock_id,
        "started_at": started_at,
    }
    assert cutover(emulator, "get")["state"] == begun["state"]

    emulator.mark()
    committed = cutover(emulator, "commit", lock_id=lock_id, operator="bob", gates=[{"name": "after", "ok": True}])
    assert committed["changed"] is True
    assert operations(emulator) == ["UpdateItem", "PutItem"]
    item = stored_state(dynamodb)
    assert item == {"pk": "cutover", "sk": "state", "weight": 25, "updated_at": item["updated_at"], "updated_by": "bob"}
    assert item["updated_at"] > started_at
    assert committed["state"] == {"weight": 25, "updated_at": item["updated_at"], "updated_by": "bob", "lock": None}
    assert cutover(emulator, "get")["state"] == committed["state"]

    history = stored_history(dynamodb)
    assert [(e["kind"], e["operator"], e["from"], e["to"], e["lock_id"]) for e in history] == [
        ("begun", "alice", 0, 25, lock_id),
        ("committed", "bob", 0, 25, lock_id),
    ]
    assert history[0]["sk"] == f"history#{started_at}#{lock_id}#begun"
    assert history[1]["sk"] == f"history#{item['updated_at']}#{lock_id}#committed"
    assert history[0]["gates"] == gates  # floats and empty lists survive DynamoDB
    assert history[1]["gates"] == [{"name": "after", "ok": True}]
    assert history[1]["started_at"] == started_at and history[1]["at"] == item["updated_at"]

    listed = cutover(emulator, "history")
    assert listed["changed"] is False
    assert listed["history"] == [committed["event"], begun["event"]]


def test_the_whole_way_and_back(emulator, dynamodb):
    for from_weight, to_weight in [(0, 25), (25, 50), (50, 75), (75, 100), (100, 50), (50, 0)]:
        shift(emulator, from_weight, to_weight)
        assert stored_state(dynamodb)["weight"] == to_weight
    assert len(stored_history(dynamodb)) == 12


# -- refusals -------------------------------------------------------------------------------------


def test_second_begin_while_locked_is_refused_naming_the_holder(emulator, dynamodb):
    begun = begin(emulator, 0, 25, "alice")
    before = stored_state(dynamodb)
    emulator.mark()
    result = begin(emulator, 0, 50, "bob")
    assert result["failed"] is True
    started_at = before["lock"]["started_at"]
    assert f"locked by alice since {started_at} for the shift 0 -> 25 (lock {begun['lock_id']})" in result["msg"]
    assert "0 -> 50 cannot begin" in result["msg"]
    # Nothing written beyond the refused conditional write, then a read to explain it.
    journal = [(e["operation"], e.get("error")) for e in emulator.journal() if e["service"] == "dynamodb"]
    assert journal == [("UpdateItem", "ConditionalCheckFailedException"), ("GetItem", None)]
    assert operations(emulator) == ["UpdateItem"]
    assert stored_state(dynamodb) == before
    assert result["state"]["lock"]["operator"] == "alice"
    assert len(stored_history(dynamodb)) == 1


def test_begin_from_another_phase_is_refused_naming_the_recorded_phase(emulator, dynamodb):
    shift(emulator, 0, 25)
    emulator.mark()
    result = begin(emulator, 0, 50, "bob")
    assert result["failed"] is True
    assert "phase recorded in dynamodb-state-unit is 25, not from_weight 0; 0 -> 50 cannot begin" in result["msg"]
    assert operations(emulator) == ["UpdateItem"]
    assert stored_state(dynamodb)["weight"] == 25 and "lock" not in stored_state(dynamodb)
    assert result["state"]["weight"] == 25


def test_begin_from_a_phase_above_0_without_a_state_item_is_refused(emulator, dynamodb):
    result = begin(emulator, 50, 75)
    assert result["failed"] is True
    assert "is 0, not from_weight 50" in result["msg"] and "no state item yet" in result["msg"]
    assert stored_state(dynamodb) is None
    assert stored_history(dynamodb) == []


def test_commit_with_another_lock_id_is_refused(emulator, dynamodb):
    begun = begin(emulator, 0, 25, "alice")
    before = stored_state(dynamodb)
    emulator.mark()
    result = cutover(emulator, "commit", lock_id="not-the-lock", operator="bob")
    assert result["failed"] is True
    assert "Cannot commit: the cutover lock in dynamodb-state-unit is not not-the-lock" in result["msg"]
    holder = f"held by alice since {before['lock']['started_at']} for the shift 0 -> 25 (lock {begun['lock_id']})"
    assert holder in result["msg"]
    assert emulator.mutating_requests() == []  # refused on the consistent read, before any write
    assert stored_state(dynamodb) == before


def test_commit_twice_is_refused_the_second_time(emulator, dynamodb):
    begun = begin(emulator, 0, 25)
    assert cutover(emulator, "commit", lock_id=begun["lock_id"])["changed"] is True
    emulator.mark()
    again = cutover(emulator, "commit", lock_id=begun["lock_id"])
    assert again["failed"] is True
    assert f"holds no lock (phase 25); lock {begun['lock_id']} was committed, aborted or taken over" in again["msg"]
    assert emulator.mutating_requests() == []


def test_abort_leaves_the_weight_and_records_the_reason(emulator, dynamodb):
    shift(emulator, 0, 25, "alice")
    committed = stored_state(dynamodb)
    begun = begin(emulator, 25, 50, "bob")
    emulator.mark()
    gates = [{"name": "alarms", "in_alarm": ["alb-5xx-unit"]}]
    result = cutover(
        emulator, "abort", lock_id=begun["lock_id"], operator="bob", reason="alb-5xx in ALARM", gates=gates
    )
    assert result["changed"] is True
    assert operations(emulator) == ["UpdateItem", "PutItem"]
    assert stored_state(dynamodb) == committed  # phase, updated_at and updated_by as committed, no lock
    assert result["state"] == {
        "weight": 25,
        "updated_at": committed["updated_at"],
        "updated_by": "alice",
        "lock": None,
    }
    aborted = stored_history(dynamodb)[-1]
    assert (aborted["kind"], aborted["operator"], aborted["from"], aborted["to"]) == ("aborted", "bob", 25, 50)
    assert (aborted["reason"], aborted["gates"], aborted["lock_id"]) == ("alb-5xx in ALARM", gates, begun["lock_id"])
    assert result["event"]["reason"] == "alb-5xx in ALARM"
    # Aborting again, or committing the aborted lock, is refused.
    assert cutover(emulator, "abort", lock_id=begun["lock_id"])["failed"] is True
    assert cutover(emulator, "commit", lock_id=begun["lock_id"])["failed"] is True
    assert stored_state(dynamodb) == committed


def test_rollback_is_an_ordinary_shift_down(emulator, dynamodb):
    shift(emulator, 0, 25)
    begun = begin(emulator, 25, 0, "bob", reason="rollback: health check failed")
    assert begun["event"]["reason"] == "rollback: health check failed"
    assert cutover(emulator, "commit", lock_id=begun["lock_id"], operator="bob")["changed"] is True
    assert stored_state(dynamodb)["weight"] == 0
    assert stored_history(dynamodb)[-2]["reason"] == "rollback: health check failed"


# -- lock timeout ---------------------------------------------------------------------------------


def test_an_expired_lock_is_taken_over(emulator, dynamodb):
    stale = begin(emulator, 0, 25, "alice")
    stale_started = age_lock(dynamodb, 7200)
    # Not expired for a longer timeout.
    refused = begin(emulator, 0, 25, "bob", lock_timeout_seconds=10800)
    assert refused["failed"] is True and "locked by alice" in refused["msg"]

    emulator.mark()
    result = begin(emulator, 0, 25, "bob")  # default timeout, one hour
    assert result["changed"] is True
    assert operations(emulator) == ["UpdateItem", "PutItem", "PutItem"]
    assert result["taken_over"] == {
        "lock_id": stale["lock_id"],
        "operator": "alice",
        "from_weight": 0,
        "to_weight": 25,
        "started_at": stale_started,
    }
    lock = stored_state(dynamodb)["lock"]
    assert (lock["id"], lock["operator"]) == (result["lock_id"], "bob")
    assert result["diff"]["before"]["lock"]["operator"] == "alice"

    history = cutover(emulator, "history")["history"]
    assert [(e["kind"], e["operator"], e["lock_id"]) for e in history] == [
        ("begun", "bob", result["lock_id"]),
        ("taken_over", "bob", stale["lock_id"]),
        ("begun", "alice", stale["lock_id"]),
    ]
    reason = history[1]["reason"]
    assert f"lock of alice since {stale_started} for the shift 0 -> 25 expired after 3600 s" in reason
    assert result["lock_id"] in reason

    # The old holder comes back: its lock is gone.
    late = cutover(emulator, "commit", lock_id=stale["lock_id"], operator="alice")
    assert late["failed"] is True and "held by bob" in late["msg"]
    assert cutover(emulator, "commit", lock_id=result["lock_id"], operator="bob")["changed"] is True
    assert stored_state(dynamodb)["weight"] == 25


def test_an_expired_lock_can_still_be_committed_until_taken_over(emulator, dynamodb):
    begun = begin(emulator, 0, 25)
    age_lock(dynamodb, 7200)
    assert cutover(emulator, "commit", lock_id=begun["lock_id"])["changed"] is True
    assert stored_state(dynamodb)["weight"] == 25


# -- history --------------------------------------------------------------------------------------


def test_history_is_newest_first_up_to_the_limit(emulator, dynamodb):
    shift(emulator, 0, 25)
    shift(emulator, 25, 50, "bob")
    aborted = begin(emulator, 50, 75)
    cutover(emulator, "abort", lock_id=aborted["lock_id"], reason="gate failed")
    stored = stored_history(dynamodb)
    assert len(stored) == 6

    emulator.mark()
    history = cutover(emulator, "history", limit=3)
    assert history["changed"] is False
    assert emulator.mutating_requests() == []
    assert [(e["kind"], e["from_weight"], e["to_weight"]) for e in history["history"]] == [
        ("aborted", 50, 75),
        ("begun", 50, 75),
        ("committed", 25, 50),
    ]
    everything = cutover(emulator, "history")["history"]
    assert [e["at"] for e in everything] == [e["at"] for e in reversed(stored)]
    assert [e["at"] for e in everything] == sorted((e["at"] for e in everything), reverse=True)
    assert set(everything[0]) == {
        "at",
        "kind",
        "operator",
        "from_weight",
        "to_weight",
        "gates",
        "reason",
        "lock_id",
        "started_at",
    }
    assert everything[0]["reason"] == "gate failed"
    assert cutover(emulator, "history", limit=1)["history"] == everything[:1]


def test_history_of_an_empty_table_and_the_state_item_is_not_an_event(emulator, dynamodb):
    assert cutover(emulator, "history")["history"] == []
    begin(emulator, 0, 25)
    assert [e["kind"] for e in cutover(emulator, "history")["history"]] == ["begun"]


# -- two operators at once ------------------------------------------------------------------------


def test_two_concurrent_begins_exactly_one_wins(emulator, dynamodb):
    """Several operators begin at the same moment, each with its own client: DynamoDB lets one through."""
    operators = ["alice", "bob", "carol", "dave"]
    barrier = threading.Barrier(len(operators))
    outcomes: dict[str, object] = {}

    def run(operator):
        client = RetryingBotoClientWrapper(
            emulator.client("dynamodb"), retry_decorator("ProvisionedThroughputExceededException")
        )
        state = cutover_state.CutoverState(client, TABLE)
        barrier.wait()
        try:
            outcomes[operator] = state.begin(operator, 0, 25, [], None, 3600)
        except cutover_state.Refused as refused:
            outcomes[operator] = refused

    threads = [threading.Thread(target=run, args=(operator,)) for operator in operators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    winners = [op for op, outcome in outcomes.items() if isinstance(outcome, dict)]
    assert len(outcomes) == len(operators) and len(winners) == 1, outcomes
    winner = winners[0]
    lock = stored_state(dynamodb)["lock"]
    assert (lock["operator"], lock["id"]) == (winner, outcomes[winner]["lock_id"])
    for operator, outcome in outcomes.items():
        if operator != winner:
            assert f"locked by {winner} since" in str(outcome)
    assert [(e["kind"], e["operator"]) for e in stored_history(dynamodb)] == [("begun", winner)]
    updates = [e for e in emulator.journal() if e["operation"] == "UpdateItem"]
    assert sorted(e.get("error", "") for e in updates) == [""] + ["ConditionalCheckFailedException"] * 3


def test_the_loser_of_a_race_is_refused_through_the_module(emulator, dynamodb):
    """Both read phase 0 and no lock, then shift: the second conditional write finds alice's lock."""
    assert cutover(emulator, "get")["state"] == EMPTY
    assert cutover(emulator, "get")["state"] == EMPTY
    first = begin(emulator, 0, 25, "alice")
    second = begin(emulator, 0, 25, "bob")
    assert first["changed"] is True
    assert second["failed"] is True and "locked by alice" in second["msg"]
    assert stored_state(dynamodb)["lock"]["id"] == first["lock_id"]


# -- check mode -----------------------------------------------------------------------------------


def test_check_mode_begin_writes_nothing(emulator, dynamodb):
    result = run_module(
        emulator, MODULE, {"table": TABLE, "action": "begin", "from_weight": 0, "to_weight": 25}, check_mode=True
    )
    assert result["changed"] is True
    assert emulator.mutating_requests() == []
    assert stored_state(dynamodb) is None and stored_history(dynamodb) == []
    assert result["lock_id"] and result["state"]["lock"]["lock_id"] == result["lock_id"]
    assert (result["state"]["weight"], result["state"]["lock"]["to_weight"]) == (0, 25)
    assert result["event"]["kind"] == "begun"


def test_check_mode_refuses_as_the_write_would_and_commits_and_aborts_nothing(emulator, dynamodb):
    begun = begin(emulator, 0, 25, "alice")
    before, history = stored_state(dynamodb), stored_history(dynamodb)
    emulator.mark()
    args = {"table": TABLE, "operator": "bob"}
    refused = run_module(emulator, MODULE, dict(args, action="begin", from_weight=0, to_weight=50), check_mode=True)
    assert refused["failed"] is True and "locked by alice" in refused["msg"]

    committed = run_module(emulator, MODULE, dict(args, action="commit", lock_id=begun["lock_id"]), check_mode=True)
    assert committed["changed"] is True
    assert (committed["state"]["weight"], committed["state"]["lock"], committed["state"]["updated_by"]) == (
        25,
        None,
        "bob",
    )
    aborted = run_module(emulator, MODULE, dict(args, action="abort", lock_id=begun["lock_id"]), check_mode=True)
    assert (aborted["changed"], aborted["state"]["weight"], aborted["state"]["lock"]) == (True, 0, None)
    wrong = run_module(emulator, MODULE, dict(args, action="commit", lock_id="other"), check_mode=True)
    assert wrong["failed"] is True and "is not other" in wrong["msg"]

    assert emulator.mutating_requests() == []
    assert stored_state(dynamodb) == before and stored_history(dynamodb) == history


# -- operator -------------------------------------------------------------------------------------


def test_operator_defaults_to_the_caller_identity(emulator, dynamodb):
    arn = emulator.client("sts").get_caller_identity()["Arn"]
    result = cutover(emulator, "begin", from_weight=0, to_weight=25)
    assert result["state"]["lock"]["operator"] == arn == stored_state(dynamodb)["lock"]["operator"]


def test_operator_falls_back_to_the_local_user(emulator, dynamodb):
    emulator.inject_fault("sts", "GetCallerIdentity", "AccessDenied", "not authorized", 403)
    result = cutover(emulator, "begin", from_weight=0, to_weight=25)
    assert result["changed"] is True
    assert stored_state(dynamodb)["lock"]["operator"] == getpass.getuser()


# -- input checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("weight", [30, -25, 125, "abc"])
@pytest.mark.parametrize("option", ["from_weight", "to_weight"])
def test_bad_weights_are_refused_before_any_request(emulator, dynamodb, option, weight):
    args = {"from_weight": 0, "to_weight": 25, option: weight}
    result = cutover(emulator, "begin", operator="alice", **args)
    assert result["failed"] is True
    if weight == "abc":
        assert f"argument '{option}' is of type str and we were unable to convert to int" in result["msg"]
    else:
        assert f"value of {option} must be one of: 0, 25, 50, 75, 100, got: {weight}" in result["msg"]
    assert emulator.journal() == []


def test_weights_given_as_strings_are_accepted(emulator, dynamodb):
    result = cutover(emulator, "begin", from_weight="0", to_weight="25", operator="alice")
    assert result["changed"] is True and stored_state(dynamodb)["lock"]["to"] == 25


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"action": "begin", "from_weight": 25, "to_weight": 25}, "from_weight and to_weight are both 25"),
        ({"action": "begin", "from_weight": 0}, "action is begin but all of the following are missing: to_weight"),
        ({"action": "commit"}, "action is commit but all of the following are missing: lock_id"),
        ({"action": "abort", "lock_id": ""}, "action=abort needs the lock_id that action=begin returned"),
        ({"action": "get", "table": "x"}, "table must be a DynamoDB table name"),
        ({"action": "history", "limit": 0}, "limit must be at least 1 (got 0)"),
        (
            {"action": "begin", "from_weight": 0, "to_weight": 25, "lock_timeout_seconds": 0},
            "lock_timeout_seconds must be at least 1",
        ),
        ({"action": "shift"}, "value of action must be one of: get, begin, commit, abort, history"),
    ],
)
def test_bad_input_is_refused_before_any_request(emulator, dynamodb, args, message):
    result = run_module(emulator, MODULE, {"table": TABLE, "operator": "alice", **args})
    assert result["failed"] is True
    assert message in result["msg"]
    assert emulator.journal() == []


# -- AWS errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["get", "history", "begin"])
def test_missing_table_says_to_run_site_first(emulator, action):
    emulator.mark()
    args = {"from_weight": 0, "to_weight": 25, "operator": "alice"} if action == "begin" else {}
    result = run_module(emulator, MODULE, {"table": "dynamodb-state-nowhere", "action": action, **args})
    assert result["failed"] is True
    assert result["msg"].startswith("DynamoDB table dynamodb-state-nowhere does not exist in us-east-1")
    assert "run site.yml first" in result["msg"]
    assert result["error"]["code"] == "ResourceNotFoundException"


def test_access_denied_is_reported(emulator, dynamodb):
    emulator.inject_fault("dynamodb", "UpdateItem", "AccessDeniedException", "User is not authorized", 400)
    result = begin(emulator, 0, 25)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to begin the cutover state in DynamoDB table dynamodb-state-unit")
    assert result["error"]["code"] == "AccessDeniedException"
    assert stored_state(dynamodb) is None and stored_history(dynamodb) == []


def test_a_history_event_that_cannot_be_written_is_reported_with_the_lock(emulator, dynamodb):
    emulator.inject_fault("dynamodb", "PutItem", "AccessDeniedException", "User is not authorized", 400)
    result = begin(emulator, 0, 25)
    assert result["failed"] is True
    assert "was changed (begin) but its history event could not be written" in result["msg"]
    assert result["error"]["code"] == "AccessDeniedException"
    assert result["lock_id"] == stored_state(dynamodb)["lock"]["id"]  # so it can be aborted
    assert stored_history(dynamodb) == []
    assert cutover(emulator, "abort", lock_id=result["lock_id"])["changed"] is True


@pytest.mark.parametrize(
    ("operation", "code"),
    [("UpdateItem", "ProvisionedThroughputExceededException"), ("UpdateItem", "ThrottlingException")],
)
def test_throttling_is_retried_by_the_module(emulator, dynamodb, monkeypatch, operation, code):
    """botocore gives up at once here (max_attempts 1); AWSRetry retries both codes."""
    from ansible_collections.amazon.aws.plugins.module_utils import cloud

    monkeypatch.setattr(cloud.time, "sleep", lambda seconds: None)
    emulator.inject_fault("dynamodb", operation, code, "Rate exceeded", count=2)
    result = begin(emulator, 0, 25, aws_config={"retries": {"max_attempts": 1}})
    assert result["changed"] is True, result
    assert operations(emulator) == ["UpdateItem"] * 3 + ["PutItem"]
    assert stored_state(dynamodb)["lock"]["id"] == result["lock_id"]


def test_throttled_reads_are_retried(emulator, dynamodb, monkeypatch):
    from ansible_collections.amazon.aws.plugins.module_utils import cloud

    monkeypatch.setattr(cloud.time, "sleep", lambda seconds: None)
    emulator.inject_fault("dynamodb", "GetItem", "ProvisionedThroughputExceededException", "Rate exceeded", count=2)
    emulator.inject_fault("dynamodb", "Query", "ProvisionedThroughputExceededException", "Rate exceeded", count=2)
    config = {"aws_config": {"retries": {"max_attempts": 1}}}
    assert cutover(emulator, "get", **config)["state"] == EMPTY
    assert cutover(emulator, "history", **config)["history"] == []
    # The state item twice throttled, then it and the two latest results; the history likewise.
    assert [e["operation"] for e in emulator.journal()] == ["GetItem"] * 5 + ["Query"] * 3


def test_a_begin_whose_answer_was_lost_is_still_ours(emulator, dynamodb):
    """The write went through, its answer was lost and the retry was refused: the lock found is ours."""
    client = RetryingBotoClientWrapper(emulator.client("dynamodb"), retry_decorator())
    state = cutover_state.CutoverState(client, TABLE)
    real_take = state._take

    def take_twice(lock, *args):
        real_take(lock, *args)  # the first attempt goes through; its answer is "lost"
        return real_take(lock, *args)

    state._take = take_twice
    result = state.begin("alice", 0, 25, [], None, 3600)
    assert result["lock_id"] == stored_state(dynamodb)["lock"]["id"]
    assert [e["kind"] for e in stored_history(dynamodb)] == ["begun"]


def test_a_commit_whose_answer_was_lost_is_still_ours(emulator, dynamodb):
    """The commit went through, its answer was lost and the retry was refused: the state shows our commit."""
    begun = begin(emulator, 0, 25)

    class AnswerLost:
        def __init__(self, client):
            self.client = client

        def __getattr__(self, name):
            return getattr(self.client, name)

        def update_item(self, **parameters):
            self.client.update_item(**parameters)
            return self.client.update_item(**parameters)

    client = AnswerLost(RetryingBotoClientWrapper(emulator.client("dynamodb"), retry_decorator()))
    result = cutover_state.CutoverState(client, TABLE).commit("alice", begun["lock_id"], [], None)
    assert result["state"]["weight"] == 25 == stored_state(dynamodb)["weight"]
    assert [e["kind"] for e in stored_history(dynamodb)] == ["begun", "committed"]


def test_check_mode_reports_a_take_over_without_taking_it(emulator, dynamodb):
    stale = begin(emulator, 0, 25, "alice")
    age_lock(dynamodb, 7200)
    before = stored_state(dynamodb)
    emulator.mark()
    args = {"table": TABLE, "action": "begin", "from_weight": 0, "to_weight": 25, "operator": "bob"}
    result = run_module(emulator, MODULE, args, check_mode=True)
    assert result["changed"] is True
    assert result["taken_over"]["lock_id"] == stale["lock_id"]
    assert result["state"]["lock"]["operator"] == "bob"
    assert emulator.mutating_requests() == []
    assert stored_state(dynamodb) == before
