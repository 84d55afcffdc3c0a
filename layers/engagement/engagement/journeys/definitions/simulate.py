"""Run compiled journeys for real, locally and fast: moto 5's Step Functions interpreter
(``moto.stepfunctions.parser``, ``execute_state_machine``) with compressed time (decision 0021).

For tests and the demo; needs ``moto`` (a development dependency, not in the Lambda layer).

    clock = VirtualClock(datetime(2026, 11, 3, 10, tzinfo=UTC))
    with mock_aws(), executing_state_machines(clock, {activity_arn: activity_handler}):
        ...  # create_state_machine / start_execution as usual; Wait states advance the clock

* **Time.** Every ``Wait`` (``Seconds``, ``SecondsPath``, ``Timestamp``) returns at once and moves
  the execution's own clock forward. Each execution runs on its own thread, so each participant
  has its own timeline, starting at the clock's ``base``; the Lambda code reads ``clock.now()``.
* **Lambda tasks.** ``arn:aws:states:::lambda:invoke`` calls the Python handler registered for the
  ``FunctionName`` in-process (moto would need Docker to run a function).
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from engagement.journeys.definitions.rules import ENTRY_DELAY

Handler = Callable[[dict[str, Any]], Any]


class VirtualClock:
    """``now()`` = ``base`` + the offset of the execution the calling thread works for.

    Wait states advance their execution's offset; the in-process Lambda handler runs on another
    thread, so :meth:`acting_for` tells the clock which execution a handler call belongs to.
    Outside an execution (the test itself) the offset is the clock's own; a new execution starts
    at the clock's own time.
    """

    def __init__(self, base: datetime) -> None:
        self.base = base
        self._offsets: dict[str, float] = {}
        self._local = threading.local()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self.base + timedelta(seconds=self._offset(getattr(self._local, "execution", "")))

    def advance(self, seconds: float, execution: str = "") -> None:
        with self._lock:
            self._offsets[execution] = self._offset(execution) + max(0.0, seconds)

    def rewind(self) -> None:
        """Back to ``base`` for the caller (executions already started keep their own time)."""
        with self._lock:
            self._offsets[""] = 0.0

    def _offset(self, execution: str) -> float:
        """An execution first seen starts at the caller's time (the test's own offset)."""
        return self._offsets.setdefault(execution, self._offsets.get("", 0.0))

    @contextlib.contextmanager
    def acting_for(self, execution: str) -> Iterator[None]:
        previous = getattr(self._local, "execution", "")
        self._local.execution = execution
        try:
            yield
        finally:
            self._local.execution = previous


class _Lambda:
    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        self.handlers = handlers

    def invoke(self, **params: Any) -> dict[str, Any]:
        name = params["FunctionName"]
        payload = params.get("Payload") or "{}"
        event = json.loads(payload) if isinstance(payload, str | bytes) else payload
        if name not in self.handlers:
            body = {"errorType": "ResourceNotFoundException", "errorMessage": f"no local handler for {name}"}
            return {
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "Payload": io.BytesIO(json.dumps(body).encode()),
            }
        try:
            result = self.handlers[name](event)
        except Exception as exc:  # reported to the state machine as a function error, as Lambda does
            body = {"errorType": type(exc).__name__, "errorMessage": str(exc)}
            return {
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "Payload": io.BytesIO(json.dumps(body).encode()),
            }
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(result, default=str).encode())}


@contextlib.contextmanager
def executing_state_machines(clock: VirtualClock, handlers: Mapping[str, Handler]) -> Iterator[None]:
    """Inside ``mock_aws()``: moto executes state machines, Waits advance ``clock``, Lambdas run here."""
    from moto.core.config import default_user_config
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function import timestamp, wait_function
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    def execution_of(env: Any) -> str:
        return env.states.context_object.context_object_data["Execution"]["Id"]

    def wait_interval(_self: Any, env: Any, wait_seconds: int) -> None:  # moto passes keywords
        clock.advance(wait_seconds, execution_of(env))

    def timestamp_seconds(self: Any, env: Any) -> int:
        self.string.eval(env=env)
        target = timestamp.Timestamp._from_timestamp_string(timestamp=env.stack.pop())
        with clock.acting_for(execution_of(env)):
            return int((target - clock.now().replace(tzinfo=None)).total_seconds())

    parse = AmazonStateLanguageParser.__dict__["parse"]
    saved = (
        dict(default_user_config.get("stepfunctions", {})),
        wait_function.WaitFunction._wait_interval,
        timestamp.Timestamp._get_wait_seconds,
        lambda_eval_utils.boto_client_for,
    )

    def on_clock(handler: Handler) -> Handler:
        def run(event: dict[str, Any]) -> Any:
            with clock.acting_for(str(event.get("ExecutionId", ""))):
                return handler(event)

        return run

    fake = _Lambda({name: on_clock(handler) for name, handler in handlers.items()})
    default_user_config["stepfunctions"] = {**saved[0], "execute_state_machine": True}
    wait_function.WaitFunction._wait_interval = wait_interval
    timestamp.Timestamp._get_wait_seconds = timestamp_seconds
    lambda_eval_utils.boto_client_for = lambda **_kwargs: fake
    # Parse each definition once (ANTLR in Python is slow); evaluation state lives in each Environment.
    AmazonStateLanguageParser.parse = staticmethod(functools.lru_cache(maxsize=64)(parse.__func__))
    try:
        yield
    finally:
        default_user_config["stepfunctions"] = saved[0]
        wait_function.WaitFunction._wait_interval = saved[1]
        timestamp.Timestamp._get_wait_seconds = saved[2]
        lambda_eval_utils.boto_client_for = saved[3]
        AmazonStateLanguageParser.parse = parse


def wait_for(sfn: Any, execution_arns: list[str], *, poll: float = 0.02, limit: float = 60.0) -> list[dict]:
    """``describe_execution`` of each execution once none is RUNNING (``limit`` guards a hung run).

    Polls one execution at a time, so the executions' threads get the interpreter, not the poller.
    """
    deadline = time.monotonic() + limit
    described = []
    for arn in execution_arns:
        while (item := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
            if time.monotonic() > deadline:
                break
            time.sleep(poll)
        described.append(item)
    return described


def visited(sfn: Any, execution_arn: str) -> list[str]:
    """The states an execution entered, in order (from its history)."""
    events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return [
        details["name"] for event in events if (details := event.get("stateEnteredEventDetails")) is not None
    ]


class MemoryRegistry:
    """An endpoint registry in memory (``get_endpoint`` as boto3 answers it), for local runs."""

    def __init__(self, endpoints: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.endpoints = {key: {"Id": key, **value} for key, value in (endpoints or {}).items()}

    def get_endpoint(self, *, ApplicationId: str, EndpointId: str) -> dict[str, Any]:  # noqa: N803
        from engagement.models.errors import NotFoundException

        if EndpointId not in self.endpoints:
            raise NotFoundException(f"Endpoint {EndpointId} not found", "GetEndpoint")
        return {"EndpointResponse": {"ApplicationId": ApplicationId, **self.endpoints[EndpointId]}}


class MemorySegments:
    """``SegmentStore.get_segment`` over ``WriteSegmentRequest`` bodies; the real evaluator runs."""

    def __init__(self, definitions: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.definitions = dict(definitions or {})

    def get_segment(self, *, ApplicationId: str, SegmentId: str) -> dict[str, Any]:  # noqa: N803
        from engagement.models.errors import NotFoundException

        if SegmentId not in self.definitions:
            raise NotFoundException(f"Segment {SegmentId} not found", "GetSegment")
        return {
            "SegmentResponse": {
                "Id": SegmentId,
                "Version": 1,
                "ApplicationId": ApplicationId,
                **self.definitions[SegmentId],
            }
        }


class RecipientChannel:
    """Answers like the custom channel (``{endpointId: {"EventAttributes": ...}}``) and plays the
    recipients: ``reactions[endpoint_id]`` lists ``(event_type, seconds_after_send)`` that arrive on
    the event stream as Pinpoint records, through the real :class:`MessageEventRecorder`.
    """

    def __init__(
        self, recorder: Any, clock: VirtualClock, reactions: Mapping[str, list[tuple[str, int]]] | None = None
    ):
        self.recorder, self.clock, self.reactions = recorder, clock, dict(reactions or {})
        self.sent: list[dict[str, Any]] = []
        self.responses: dict[
            str, dict[str, str]
        ] = {}  # DeliveryUri → EventAttributes a CUSTOM Lambda answers
        self._lock = threading.Lock()

    def send(self, delivery_uri: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        from engagement.events.records import build_event_record

        endpoint_id = next(iter(payload["Endpoints"]))
        with self._lock:
            self.sent.append({"uri": delivery_uri, "at": self.clock.now(), **payload})
        attributes = {"delivery_status": "SUCCESSFUL", "message_id": f"m-{len(self.sent)}"}
        attributes.update(self.responses.get(delivery_uri, {}))
        tags = {"journey_id": payload["JourneyId"], "journey_activity_id": payload["ActivityId"]}
        now_ms = int(self.clock.now().timestamp() * 1000)
        records = [
            build_event_record(
                event_type=event_type,
                application_id=payload["ApplicationId"],
                endpoint_id=endpoint_id,
                attributes=tags,
                timestamp_ms=now_ms + seconds * 1000,
            )
            for event_type, seconds in self.reactions.get(endpoint_id, [])
        ]
        self.recorder.record(records)
        return {endpoint_id: {"EventAttributes": attributes}}


REGION = "us-east-1"
ACCOUNT = "123456789012"
ACTIVITY_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:journey-activity"
CHANNEL_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:custom-channel"
APPLICATION_ID = "lab"


class JourneyLab:
    """Everything a journey needs, in-process: moto (DynamoDB, Step Functions executing for real),
    the real store, compiler, entry and runtime, memory endpoints/segments and recipients.

        with JourneyLab(endpoints={"ann": {...}}, reactions={"ann": [("_email.open", 3600)]}) as lab:
            journey = lab.deploy(body)
            paths = lab.run(journey, ["ann"])       # endpoint id → activities visited
    """

    def __init__(
        self,
        *,
        endpoints: Mapping[str, Mapping[str, Any]],
        segments: Mapping[str, Mapping[str, Any]] | None = None,
        reactions: Mapping[str, list[tuple[str, int]]] | None = None,
        base: datetime | None = None,
        supported: frozenset[str] = frozenset(),
    ) -> None:
        from datetime import UTC

        self.clock = VirtualClock(base or datetime(2026, 11, 3, 10, 0, tzinfo=UTC))
        self._endpoints, self._segments, self._reactions, self._supported = (
            endpoints,
            segments,
            reactions,
            supported,
        )
        self._stack = contextlib.ExitStack()
        self._journey_ids = itertools.count(1)

    def __enter__(self) -> JourneyLab:
        import boto3
        from moto import mock_aws

        from engagement.journeys.definitions.conditions import SegmentMembership
        from engagement.journeys.definitions.data import JourneyTable
        from engagement.journeys.definitions.entry import JourneyEntry
        from engagement.journeys.definitions.message_events import MessageEventRecorder
        from engagement.journeys.definitions.runtime import JourneyRuntime, RuntimeSettings
        from engagement.journeys.definitions.store import JourneyStore, StoreSettings

        self._stack.enter_context(mock_aws())
        session = boto3.session.Session(
            region_name=REGION,
            aws_access_key_id="lab",
            aws_secret_access_key="lab",  # noqa: S106 - moto
        )
        ddb = session.resource("dynamodb")
        ddb.create_table(
            TableName="journeys",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        self.sfn = session.client("stepfunctions")
        # moto's DynamoDB is not thread-safe; executions run on threads: one table call at a time
        self.table = JourneyTable(_Serialized(ddb.Table("journeys")))
        self.registry = MemoryRegistry(self._endpoints)
        self.segment_store = MemorySegments(self._segments)
        segments = SegmentMembership(self.segment_store)
        self.recorder = MessageEventRecorder(self.table, clock=self.clock.now)
        self.channel = RecipientChannel(self.recorder, self.clock, self._reactions)
        self.written: list[dict[str, Any]] = []
        self.store = JourneyStore(
            table=self.table,
            sfn=self.sfn,
            settings=StoreSettings(
                ACTIVITY_ARN, f"arn:aws:iam::{ACCOUNT}:role/journey", supported_activities=self._supported
            ),
            clock=self.clock.now,
            new_id=lambda: f"journey{next(self._journey_ids)}",  # repeatable ids: repeatable splits
            segments=self.segment_store,
        )
        self.runtime = JourneyRuntime(
            table=self.table,
            registry=self.registry,
            segments=segments,
            sender=self.channel,
            settings=RuntimeSettings(CHANNEL_ARN, push_via_webhook="PUSH" in self._supported),
            writer=_ListWriter(self.written),
            clock=self.clock.now,
        )
        self.entry = JourneyEntry(
            table=self.table, sfn=self.sfn, registry=self.registry, segments=segments,
            segment_store=self.segment_store, clock=self.clock.now, members=self._members,
        )  # fmt: skip
        self._stack.enter_context(executing_state_machines(self.clock, {ACTIVITY_ARN: self.runtime.step}))
        return self

    def _members(self, application_id: str, segment_id: str, now: datetime) -> list[dict[str, Any]]:
        """A segment's members among the memory registry's endpoints (the real evaluator decides)."""
        from engagement.segments import matches

        definition = self.segment_store.get_segment(ApplicationId=application_id, SegmentId=segment_id)
        return [
            dict(item)
            for item in self.registry.endpoints.values()
            if matches(definition["SegmentResponse"], item, now=now)
        ]

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def deploy(
        self, body: Mapping[str, Any], state: str = "ACTIVE", *, published_ago: timedelta = ENTRY_DELAY
    ) -> dict[str, Any]:
        """``create_journey`` with ``State`` = ``state``: returns the ``JourneyResponse``.

        Published ``published_ago`` before the clock's now: by default Pinpoint's entry delay (a
        journey without ``Schedule.StartTime`` opens 5 minutes after publishing), so participants
        can enter at once; ``timedelta(0)`` publishes now.
        """
        request = {**body, "State": state}
        clock = self.store.clock
        self.store.clock = lambda: clock() - published_ago
        try:
            created = self.store.create_journey(ApplicationId=APPLICATION_ID, WriteJourneyRequest=request)
        finally:
            self.store.clock = clock
        return created["JourneyResponse"]

    def start(
        self, journey: Mapping[str, Any], endpoint_ids: list[str], run_id: str = "run-1"
    ) -> dict[str, str]:
        """Enter each endpoint; endpoint id → ``ENDPOINT_ENTERED`` or why it did not enter."""
        fresh, arn = self.table.get_journey(APPLICATION_ID, journey["Id"])
        return {
            endpoint_id: self.entry.enter(fresh, arn, self.registry.endpoints[endpoint_id], run_id)
            for endpoint_id in endpoint_ids
        }

    def executions(self, journey: Mapping[str, Any]) -> list[str]:
        arn = self.store.state_machine_arn(APPLICATION_ID, journey["Id"])
        return [item["executionArn"] for item in self.sfn.list_executions(stateMachineArn=arn)["executions"]]

    def run(
        self, journey: Mapping[str, Any], endpoint_ids: list[str], run_id: str = "run-1"
    ) -> dict[str, list[str]]:
        """Enter the endpoints, run their executions to the end; endpoint id → activities visited."""
        self.start(journey, endpoint_ids, run_id)
        return self.paths(journey)

    def paths(self, journey: Mapping[str, Any]) -> dict[str, list[str]]:
        arns = self.executions(journey)
        wait_for(self.sfn, arns)
        activities = set(journey.get("Activities") or {})
        result: dict[str, list[str]] = {}
        for arn in arns:
            described = self.sfn.describe_execution(executionArn=arn)
            endpoint_id = json.loads(described["input"])["EndpointId"]
            states = [name for name in visited(self.sfn, arn) if name in activities]
            key = endpoint_id if endpoint_id not in result else f"{endpoint_id}#{len(result)}"
            result[key] = [*states, described["status"]]
        return result

    def metrics(self, journey: Mapping[str, Any]) -> dict[str, int]:
        return self.table.metrics(APPLICATION_ID, journey["Id"])


class _ListWriter:
    def __init__(self, sink: list[dict[str, Any]]) -> None:
        self.sink = sink

    def put(self, records: Any) -> None:
        self.sink.extend(records)


class _Serialized:
    """Proxy whose method calls run one at a time (moto's backends are not made for threads)."""

    _lock = threading.RLock()

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attribute(*args, **kwargs)

        return call
