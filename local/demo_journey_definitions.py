"""Demo step: the reference's example journey (a Pinpoint ``WriteJourneyRequest``) runs on Step Functions.

1. ``validate``: the example has a PUSH activity; without a push sender the deploy is refused,
   naming the activity. With ``JOURNEY_PUSH_VIA_WEBHOOK`` (push through the custom channel's
   signed webhook) it is valid.
2. ``deploy``: ``JourneyStore.create_journey`` stores it in the stack's ``JourneysTable`` and
   compiles it into one state machine in the local Step Functions.
3. Two participants enter through the start segment (a real scan of the local registry): Ann
   opens the welcome email (her ``_email.open`` record goes through the real
   ``journey_message_events`` function); Bob does not.
4. moto's Step Functions interpreter executes both executions with compressed time (a 3-day
   wait takes no time); activity steps run the journey runtime, sends go to the real custom
   channel (SES on the local stack), and the CUSTOM activity's ``DeliveryUri`` is answered by a
   stand-in for the customer's Lambda.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from local.console import heading, step, table
from local.functions import LambdaContext, function_specs, load_handler, patched_environ
from local.stack import REPO_ROOT, LocalStack

APPLICATION_ID = "demo-journeys"
EXAMPLE = REPO_ROOT / "events" / "journey_welcome_series.json"
START = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)  # a Tuesday, inside the example's Schedule
PARTNER_LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:custom-channel"  # the example's DeliveryUri
PEOPLE = {
    "ann-email": {"name": "Ann", "zone": "Europe/Berlin", "country": "DE", "opens": True},
    "bob-email": {"name": "Bob", "zone": "Europe/Paris", "country": "FR", "opens": False},
}


class DemoSender:
    """EMAIL through the real custom channel (in-process, local stack); CUSTOM to a stand-in Lambda.
    When Ann gets the welcome email, she opens it: a Pinpoint ``_email.open`` record goes through
    the real ``journey_message_events`` function, as the event stream would deliver it.
    """

    def __init__(self, stack: LocalStack, channel_arn: str, clock: Any) -> None:
        self.stack, self.channel_arn, self.clock = stack, channel_arn, clock
        self.log: list[tuple[str, str, str, str]] = []
        self.channel = warm_function(stack, "custom_channel")
        self.message_events = warm_function(stack, "journey_message_events")

    def send(self, delivery_uri: str, payload: dict[str, Any]) -> dict[str, Any]:
        endpoint_id = next(iter(payload["Endpoints"]))
        if delivery_uri == PARTNER_LAMBDA:
            answer = {
                endpoint_id: {"EventAttributes": {"delivery_status": "SUCCESSFUL", "partner": "nudged"}}
            }
        else:
            answer = self.channel(payload)
        status = (answer.get(endpoint_id) or {}).get("EventAttributes", {}).get("delivery_status", "?")
        when = self.clock.now().strftime("%a %d %b %H:%M UTC")
        self.log.append((PEOPLE[endpoint_id]["name"], payload["ActivityId"], when, status))
        if payload["ActivityId"] == "welcomeEmail" and PEOPLE[endpoint_id]["opens"]:
            self._open(payload, endpoint_id)
        return answer

    def _open(self, payload: dict[str, Any], endpoint_id: str) -> None:
        from engagement.events.kinesis import lambda_event
        from engagement.events.records import build_event_record

        opened = build_event_record(
            event_type="_email.open",
            application_id=payload["ApplicationId"],
            endpoint_id=endpoint_id,
            attributes={"journey_id": payload["JourneyId"], "journey_activity_id": payload["ActivityId"]},
            timestamp_ms=int(self.clock.now().timestamp() * 1000) + 2 * 3600 * 1000,  # two hours later
        )
        self.message_events(lambda_event([json.dumps(opened)]))


def warm_function(stack: LocalStack, name: str, env: Mapping[str, str] | None = None) -> Any:
    """Cold-start a function once (template environment, then ``env``), then invoke it warm, as Lambda
    reuses a sandbox."""
    spec = function_specs()[name]
    function_name = stack.physical_id(spec.logical_id)
    environment = {
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        **stack.function_environment(spec.logical_id),
        **(env or {}),
    }
    with patched_environ(environment):
        handler = load_handler(spec)

    def call(event: Any) -> Any:
        with patched_environ(environment):
            return handler(event, LambdaContext(function_name=function_name, timeout_s=spec.timeout_s))

    return call


def run(stack: LocalStack) -> None:
    import boto3

    from engagement.journeys.definitions.simulate import VirtualClock, executing_state_machines, visited
    from engagement.journeys.definitions.validate import validate_journey
    from engagement.models.errors import BadRequestException

    heading("Journey definitions: a Pinpoint journey's JSON runs on Step Functions, activity for activity")
    started = time.monotonic()
    body = json.loads(EXAMPLE.read_text())
    step(f"validate {EXAMPLE.relative_to(REPO_ROOT)} (the reference's example, 11 activities)")
    try:
        validate_journey(body)
    except BadRequestException as error:
        print(f"refused without a push sender: {error.message}")
    validate_journey(body, supported=frozenset({"PUSH"}))
    print("valid with JOURNEY_PUSH_VIA_WEBHOOK=true (PUSH goes out through the custom channel's webhook)")

    clock = VirtualClock(START)
    _seed_templates(stack)
    services = _services(stack, clock)
    body = _with_local_segments(services, body)
    with executing_state_machines(clock, {services["activity_arn"]: services["runtime"].step}):
        step("deploy: create_journey (State ACTIVE) compiles one state machine")
        journey = services["store"].create_journey(ApplicationId=APPLICATION_ID, WriteJourneyRequest=body)
        journey = journey["JourneyResponse"]
        arn = services["store"].state_machine_arn(APPLICATION_ID, journey["Id"])
        sfn = boto3.client("stepfunctions")
        definition = json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])
        states = len(definition["States"])
        print(f"journey {journey['Id']} v{journey['Version']} -> {arn.split(':')[-1]} ({states} states)")

        step("segment refresh: the start segment's members enter (only new members, every RefreshFrequency)")
        print(f"entered: {services['entry'].refresh(APPLICATION_ID)}")
        executions = sfn.list_executions(stateMachineArn=arn)["executions"]
        with quiet():  # the channel's and stream's own logs
            _wait(sfn, [item["executionArn"] for item in executions])
        rows = []
        for item in executions:
            described = sfn.describe_execution(executionArn=item["executionArn"])
            who = PEOPLE[json.loads(described["input"])["EndpointId"]]["name"]
            states = [name for name in visited(sfn, item["executionArn"]) if name in body["Activities"]]
            rows.append((who, " -> ".join(dict.fromkeys(states)), described["status"]))
    table(sorted(rows), ["Participant", "Activities", "Execution"])
    step("what the participants received (virtual time: quiet hours, waits and EvaluationWaitTime P3D)")
    table(services["sender"].log, ["Participant", "Activity", "Sent at", "Delivery"])
    metrics = services["table"].metrics(APPLICATION_ID, journey["Id"])
    print("journey metrics: " + ", ".join(f"{key}={value}" for key, value in sorted(metrics.items())))
    print(f"journey definitions step: {time.monotonic() - started:.1f} s")


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def _seed_templates(stack: LocalStack) -> None:
    """The local templates, plus the three the example names that the other demo steps do not use."""
    import boto3

    from local.seed import seed

    bucket, s3 = stack.physical_id("TemplatesBucket"), boto3.client("s3")
    if s3.list_objects_v2(Bucket=bucket, Prefix="templates/welcome/").get("KeyCount", 0) == 0:
        seed(stack)  # this step alone (the channel step seeds them in make demo)
    tips = {
        "Subject": "Three tips for your first week",
        "TextPart": "Three tips.",
        "HtmlPart": "<p>Three tips</p>",
    }
    extra = {
        "tips_a/EMAIL.json": {"TemplateType": "EMAIL", **tips},
        "nudge_sms/SMS.json": {"TemplateType": "SMS", "Body": "Still there? Reply STOP to opt out."},
        "nudge_push/PUSH.json": {
            "TemplateType": "PUSH",
            "Default": {"Title": "Still there?", "Body": "Come back"},
        },
    }
    for key, template in extra.items():
        body = {"TemplateName": key.split("/")[0], "Version": "1", **template}
        s3.put_object(Bucket=bucket, Key=f"templates/{key}", Body=json.dumps(body).encode())


def _services(stack: LocalStack, clock: Any) -> dict[str, Any]:
    import boto3

    from engagement.endpoints.factory import build_registry
    from engagement.events.writer import EventStreamWriter
    from engagement.journeys.definitions.conditions import SegmentMembership
    from engagement.journeys.definitions.data import JourneyTable
    from engagement.journeys.definitions.entry import JourneyEntry
    from engagement.journeys.definitions.runtime import JourneyRuntime, RuntimeSettings
    from engagement.journeys.definitions.store import JourneyStore, StoreSettings
    from engagement.segments import build_segment_store

    table_ = JourneyTable(boto3.resource("dynamodb").Table(stack.physical_id("JourneysTable")))
    registry = build_registry(f"dynamodb://{stack.physical_id('EndpointsTable')}")
    segment_store = build_segment_store(f"dynamodb://{stack.physical_id('SegmentsTable')}")
    channel_arn = stack.function_environment("JourneyActivityFunction")["CUSTOM_CHANNEL_FUNCTION_ARN"]
    activity_arn = stack.outputs["JourneyActivityFunctionArn"]
    sender = DemoSender(stack, channel_arn, clock)
    sfn = boto3.client("stepfunctions")
    store = JourneyStore(
        table=table_,
        sfn=sfn,
        settings=StoreSettings(
            activity_arn,
            stack.outputs["JourneyStateMachineRoleArn"],
            supported_activities=frozenset({"PUSH"}),
        ),
        clock=clock.now,
        new_id=lambda: "welcomeSeriesDemo",
    )
    writer = EventStreamWriter(stack.physical_id("EventStream"), client=boto3.client("kinesis"))
    runtime = JourneyRuntime(
        table=table_, registry=registry, segments=SegmentMembership(segment_store), sender=sender,
        settings=RuntimeSettings(channel_arn, push_via_webhook=True), writer=writer, clock=clock.now,
    )  # fmt: skip
    entry = JourneyEntry(
        table=table_, sfn=sfn, registry=registry, segments=SegmentMembership(segment_store),
        segment_store=segment_store, clock=clock.now,
    )  # fmt: skip
    _ensure_people(registry)
    return {"store": store, "runtime": runtime, "entry": entry, "table": table_, "sender": sender,
            "activity_arn": activity_arn, "segments": segment_store}  # fmt: skip


def _ensure_people(registry: Any) -> None:
    for endpoint_id, person in PEOPLE.items():
        registry.update_endpoint(
            ApplicationId=APPLICATION_ID,
            EndpointId=endpoint_id,
            EndpointRequest={
                "ChannelType": "EMAIL",
                "Address": f"{person['name'].lower()}@example.com",
                "Attributes": {"signup_cohort": ["2026-11"]},
                "Demographic": {"Timezone": person["zone"]},
                "Location": {"Country": person["country"]},
            },
        )


def _with_local_segments(services: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Create the example's two segments in the local store and point the journey at their ids."""
    store = services["segments"]
    signups = store.create_segment(
        ApplicationId=APPLICATION_ID,
        WriteSegmentRequest={"Name": "new-signups", "Dimensions": {"Attributes": {
            "signup_cohort": {"AttributeType": "INCLUSIVE", "Values": ["2026-11"]}}}},
    )["SegmentResponse"]  # fmt: skip
    app_users = store.create_segment(
        ApplicationId=APPLICATION_ID,
        WriteSegmentRequest={"Name": "app-users", "Dimensions": {"Attributes": {
            "app": {"AttributeType": "INCLUSIVE", "Values": ["installed"]}}}},
    )["SegmentResponse"]  # fmt: skip
    text = json.dumps({**body, "State": "ACTIVE"})
    text = text.replace("seg-new-signups", signups["Id"]).replace("seg-app-users", app_users["Id"])
    return json.loads(text)


def _wait(sfn: Any, arns: list[str]) -> None:
    from engagement.journeys.definitions.simulate import wait_for

    wait_for(sfn, arns, limit=30.0)
