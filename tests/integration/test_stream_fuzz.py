"""Hostile input for the three stream-side handlers' logic (hypothesis): 0 crashes, 0 lost, 0 wrong writes.

* ``event_stream``: arbitrary bytes, arbitrary JSON, valid records with one part replaced, JSON
  nested thousands deep; every record is processed, ignored or quarantined (never lost, never a
  batch failure), and only endpoints whose address a suppressible record names are opted out.
* ``ses_events``: SES events with any field replaced by arbitrary JSON; each is either refused
  with a dead letter, or becomes records the stream consumer acts on without quarantining them,
  with ``destination`` exactly the list SES sent.
* ``journey_trigger``: the sample EventBridge events with any detail or envelope field replaced;
  each either starts its journey with requests that pass the real service models (botocore's
  validator) or is rejected with a dead letter whose error names no raw e-mail address. The
  endpoint registry is the real DynamoDB one on the local stack.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement.events.kinesis import lambda_event
from engagement.events.normaliser import SesNormaliser
from engagement.events.quarantine import CollectingQuarantine
from engagement.journeys.dead_letters import DeadLetterQueue
from engagement.journeys.put_events import PutEventsTarget
from engagement.journeys.resolve import EndpointResolver
from engagement.journeys.routes import load_routes
from engagement.journeys.start_execution import StartExecutionTarget
from engagement.journeys.trigger import JourneyTrigger
from engagement.suppression.apply import Suppressor
from engagement.suppression.classify import QUARANTINE, classify
from engagement.suppression.consumer import StreamConsumer
from engagement.suppression.policy import SuppressionPolicy
from local.demo_stream import bounce, complaint, delivered, ses_bounce, ses_event, sms
from local.stack import REPO_ROOT
from tests.stream_fakes import Letters, Validating, journey_registry

pytestmark = pytest.mark.integration
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}")

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(
        ["x@example.com", "+12065550100", "", " ", "PLACED", "Permanent", "2026-11-28T12:00:00Z"]
    )
    | st.text(min_size=300, max_size=1200)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=10,
)


def nested(depth: int) -> Any:
    value: Any = "a@example.com"
    for _ in range(depth):
        value = [value]
    return value


# The Lambda runtime's own json.loads refuses an event nested ~1,000 deep before any handler runs
# (and hypothesis itself cannot copy or print much deeper values); Kinesis record data is parsed
# by the consumer itself, so there the depth goes to thousands.
values = json_values | st.integers(min_value=100, max_value=400).map(nested)


def paths(document: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if len(prefix) >= 8:  # not into a value a previous mutation nested hundreds deep
        return found
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths(value, (*prefix, index))
    return found


def replace(document: Any, path: tuple, value: Any) -> Any:
    document = copy.deepcopy(document)
    target = document
    for key in path[:-1]:
        target = target[key]
    if value is DELETE and isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = None if value is DELETE else value
    return document


DELETE = object()


@st.composite
def mutated(draw, samples: list[dict[str, Any]], times: int = 2) -> dict[str, Any]:
    event = draw(st.sampled_from(samples))
    for _ in range(draw(st.integers(min_value=1, max_value=times))):
        path = draw(st.sampled_from(paths(event)))
        event = replace(event, path, draw(values | st.just(DELETE)))
    return event


# ------------------------------------------------------------------------------------ event_stream
class Registry:
    """The registry's behaviour the consumer relies on, in memory (speed: hundreds of batches)."""

    finds_by_address = True

    def __init__(self) -> None:
        self.endpoints = {
            ("app", "ep1"): {
                "Id": "ep1",
                "ChannelType": "EMAIL",
                "Address": "a@example.com",
                "OptOut": "NONE",
            },
            ("app", "ep2"): {"Id": "ep2", "ChannelType": "SMS", "Address": "+12065550100", "OptOut": "NONE"},
            ("app", "ep3"): {
                "Id": "ep3",
                "ChannelType": "EMAIL",
                "Address": "b@example.com",
                "OptOut": "NONE",
            },
        }

    def find_endpoints_by_address(self, app, channel, address, *, user_attributes=True):
        from engagement.endpoints.rules import normalise_address

        return [
            dict(e)
            for (a, _), e in self.endpoints.items()
            if a == app
            and e["ChannelType"] == channel
            and e["Address"] == normalise_address(channel, address)
        ]

    def get_endpoint(self, *, ApplicationId, EndpointId):  # noqa: N803
        if (ApplicationId, EndpointId) not in self.endpoints:
            raise ClientError({"Error": {"Code": "NotFoundException", "Message": "x"}}, "GetEndpoint")
        return {"EndpointResponse": dict(self.endpoints[(ApplicationId, EndpointId)])}

    def update_endpoints_batch(self, *, ApplicationId, EndpointBatchRequest):  # noqa: N803
        for item in EndpointBatchRequest["Item"]:
            self.endpoints[(ApplicationId, item["Id"])].update(OptOut=item["OptOut"])


class Counter:
    def __init__(self) -> None:
        self.members: dict[str, set] = {}

    def add(self, key, bounces):
        self.members.setdefault(key, set()).update(bounces)
        return len(self.members[key])


stream_samples = [
    bounce("app", "ep1", "a@example.com"),
    complaint("app", "ep3", "b@example.com"),
    sms("app", "ep2", "+12065550100"),
    delivered("app", "ep3", "b@example.com"),
]
stream_records = (
    st.binary(max_size=40)
    | json_values.map(json.dumps)
    | mutated(stream_samples).map(lambda r: json.dumps(r, default=str))
    | st.integers(min_value=2000, max_value=6000).map(lambda n: "[" * n + "]" * n)
    | st.integers(min_value=2000, max_value=6000).map(
        lambda n: (
            '{"event_type": "_email.hardbounce", "application": {"app_id": "app"}, "facets": '
            + "[" * n
            + "]" * n
            + "}"
        )
    )
)


@FUZZ
@given(batch=st.lists(stream_records, min_size=1, max_size=6))
def test_event_stream_fuzz(batch):
    registry = Registry()
    consumer = StreamConsumer(SuppressionPolicy(), Suppressor(registry), Counter(), CollectingQuarantine())
    event = lambda_event([item.encode() if isinstance(item, str) else item for item in batch])
    assert consumer.handle(event) == {"batchItemFailures": []}  # nothing here is transient: no crash
    outcome = consumer.last_outcome
    kinds = {r["eventID"]: classify(r, consumer.policy) for r in event["Records"]}
    quarantined = {i for i, c in kinds.items() if c.kind == QUARANTINE}
    assert set(outcome.quarantined) == quarantined == {e.event_id for e in consumer.quarantine.entries}
    named = {a.lower() for c in kinds.values() if c.kind != QUARANTINE for a in c.addresses}
    named |= {registry.endpoints[("app", c.endpoint_id)]["Address"] for c in kinds.values()
              if c.kind != QUARANTINE and ("app", c.endpoint_id) in registry.endpoints}  # fmt: skip
    for endpoint in registry.endpoints.values():  # 0 wrong writes: only addresses a record named
        assert endpoint["OptOut"] == "NONE" or endpoint["Address"].lower() in named


# ------------------------------------------------------------------------------------ ses_events
class Writer:
    def __init__(self) -> None:
        self.records: list[dict] = []

    def put(self, records):
        json.dumps(records)  # what EventStreamWriter does first: must not fail
        self.records.extend(records)


TAGS = {"application_id": "app", "endpoint_id": "ep1", "journey_id": "j1", "activity_id": "a1"}
ses_samples = [
    ses_bounce("b@example.com", TAGS),
    ses_bounce("b@example.com", {}, bounce_type="Transient"),
    *(
        ses_event(kind, body, address="c@example.com", tags=TAGS, detail_type=detail_type)
        for kind, detail_type, body in (
            (
                "Complaint",
                "Email Complaint Received",
                {"complainedRecipients": [{"emailAddress": "c@example.com"}]},
            ),
            ("Click", "Email Clicked", {"link": "https://x", "linkTags": {"unsubscribeLinkTag": ["1"]}}),
            ("Subscription", "Email Subscribed", {"newTopicPreferences": {"unsubscribeAll": True}}),
            ("Delivery", "Email Delivered", {"recipients": ["c@example.com"]}),
        )
    ),
]


@FUZZ
@given(event=mutated(ses_samples, times=3) | json_values)
def test_ses_events_fuzz(event):
    writer, letters = Writer(), Letters()
    result = SesNormaliser(writer, letters).handle(event)  # never raises
    if result.get("status") == "rejected":
        assert not writer.records and len(letters.sent) == 1
        assert result["error"].startswith(("invalid SES event", "EventBridge event", "detail.eventType"))
        return
    assert writer.records and not letters.sent
    destination = event["detail"]["mail"].get("destination", [])
    for record, lambda_record in zip(writer.records, lambda_event(writer.records)["Records"], strict=True):
        assert classify(lambda_record, SuppressionPolicy()).kind != QUARANTINE, record
        assert record["facets"]["email_channel"]["mail_event"]["mail"]["destination"] == destination


# ------------------------------------------------------------------------------------ journey_trigger
def samples() -> list[dict]:
    names = ["eventbridge_order_placed", "eventbridge_cart_abandoned", "eventbridge_trial_ending"]
    return [json.loads((REPO_ROOT / "events" / f"{n}.json").read_text()) for n in names]


@pytest.fixture(scope="module")
def journey_world(local_stack):
    return journey_registry(local_stack, "fuzz")


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(event=mutated(samples(), times=2))
def test_journey_trigger_fuzz(journey_world, event):
    registry, app = journey_world
    pinpoint, sfn = Validating("pinpoint"), Validating("stepfunctions")
    letters = Letters()
    trigger = JourneyTrigger(
        routes=load_routes(),
        resolver=EndpointResolver(registry, app),
        targets={
            "pinpoint": PutEventsTarget(pinpoint, "pinpoint-app"),
            "stepfunctions": StartExecutionTarget(
                sfn, {"OrderConfirmationJourney": "arn:aws:states:us-east-1:1:sm"}
            ),
        },
        dead_letters=DeadLetterQueue.__new__(DeadLetterQueue),
    )
    trigger.dead_letters.send = lambda event, error, route_id=None, message=None: letters.send(  # type: ignore[method-assign]
        event, error, message=message
    )
    result = trigger.handle(event)  # never raises: every failure here is the event's
    if result["status"] == "rejected":
        assert len(letters.sent) == 1 and not pinpoint.calls and not sfn.calls
        assert result["reason"] == letters.sent[0][1].reason
        assert not EMAIL.findall(result["error"]), result["error"]  # masked: a***@example.com
        assert letters.sent[0][2]["message"] == result["error"]
    else:
        assert result["status"] in {"started", "duplicate"} and not letters.sent
        assert len(pinpoint.calls) + len(sfn.calls) == 1
