"""Demo step: an "Order Placed" domain event on EventBridge starts the order confirmation journey.

moto accepts events on the bus and holds the rules from template.yaml, but cannot run the
Lambda target without Docker: the step publishes the event, then invokes the journey trigger
in-process with that same event, shows the Step Functions execution, republishes it to show the
duplicate is ignored, and validates the Pinpoint-mode ``PutEvents`` request with Stubber.
"""

from __future__ import annotations

import json
import uuid

from local.console import heading, step, table
from local.functions import invoke as invoke_function
from local.stack import REPO_ROOT, LocalStack

APPLICATION_ID = "5a7d1c0e9b8f4e2a9d3c6b1a0f8e7d6c"  # the sample project of events/endpoints.csv
EVENTS = REPO_ROOT / "events"


def _sample(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def run(stack: LocalStack) -> None:
    import boto3

    from engagement.masking import mask_address

    heading("Journeys: EventBridge domain events start Step Functions journeys (or Pinpoint PutEvents)")
    _ensure_endpoints(stack)
    step("events.put_events: publish 'Order Placed' (rules from template.yaml on the default bus)")
    events = boto3.client("events")
    rules = [r for r in events.list_rules()["Rules"] if "JourneyTriggerFunction" in r["Name"]]
    table([(r["Name"].split("-")[2], r["EventPattern"][:80]) for r in rules], ["Rule", "Pattern"])
    rule = next(r for r in rules if "OrderPlaced" in r["Name"])
    event = _deliver(events, rule, _sample("eventbridge_order_placed.json"))
    print(f"EventBridge matched the OrderPlaced pattern and delivered event {event['id']}")

    step(
        "journey_trigger (in-process, same event): match route, resolve user-mary's endpoints, upsert, start"
    )
    result = invoke(stack, "journey_trigger", event)
    print(json.dumps({k: v for k, v in result.items() if k != "executionArn"}, indent=2))

    sfn = boto3.client("stepfunctions")
    execution = sfn.describe_execution(executionArn=result["executionArn"])
    journey = json.loads(execution["input"])
    step(
        f"Step Functions execution {execution['name']} ({execution['status']}), input in custom-channel shape"
    )
    table(
        [
            (
                eid,
                e["ChannelType"],
                mask_address(e["Address"]),
                e["User"]["UserAttributes"].get("LastOrderId"),
            )
            for eid, e in journey["Endpoints"].items()
        ],
        ["Endpoint", "Channel", "Address", "LastOrderId (upserted)"],
    )

    step("redeliver the same event: Powertools Idempotency (event id) returns the first result")
    again = invoke(stack, "journey_trigger", event)
    count = len(
        [
            e
            for e in sfn.list_executions(stateMachineArn=stack.physical_id("OrderConfirmationJourney"))[
                "executions"
            ]
            if e["name"] == result["executionName"]
        ]
    )
    print(f"duplicate={again.get('duplicate')}  executions named {result['executionName']}: {count}")

    step("an event for an unknown user: rejected with the reason, kept in the dead-letter queue")
    bad = _sample("eventbridge_order_placed.json") | {"id": str(uuid.uuid4())}
    bad["detail"] = bad["detail"] | {"customer": {"userId": "user-nobody"}}
    rejected = invoke(stack, "journey_trigger", bad)
    print(f"status={rejected['status']} reason={rejected['reason']}: {rejected['error']}")

    _pinpoint_mode()


def _deliver(events, rule: dict, event: dict) -> dict:
    """Publish ``event`` and return it as EventBridge delivers it to the rule's target.

    moto keeps the template's rules but cannot invoke their Lambda target (no Docker; it even
    fails the PutEvents call). So the rule's pattern is mirrored on a demo bus whose target is an
    SQS queue, and the event EventBridge delivers there (its own id and time) is what the
    journey trigger then receives.
    """
    import boto3

    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="journeys-demo-target")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    if "journeys-demo" not in [b["Name"] for b in events.list_event_buses()["EventBuses"]]:
        events.create_event_bus(Name="journeys-demo")
    events.put_rule(Name="order-placed-demo", EventBusName="journeys-demo", EventPattern=rule["EventPattern"])
    target = {"Id": "queue", "Arn": queue_arn}
    events.put_targets(Rule="order-placed-demo", EventBusName="journeys-demo", Targets=[target])
    entry = {
        "Source": event["source"],
        "DetailType": event["detail-type"],
        "Detail": json.dumps(event["detail"]),
        "EventBusName": "journeys-demo",
    }
    accepted = events.put_events(Entries=[entry])
    print(f"put_events: FailedEntryCount={accepted['FailedEntryCount']}")
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        raise RuntimeError("EventBridge did not deliver the event: the pattern does not match it")
    return json.loads(messages[0]["Body"])


def invoke(stack: LocalStack, name: str, event: dict) -> dict:
    """Invoke in-process; the function's JSON logs and EMF metrics stay out of the demo output."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        return invoke_function(stack, name, event)


def _ensure_endpoints(stack: LocalStack) -> None:
    """The endpoints demo step imports the sample segment; import it here too when run alone."""
    import contextlib
    import io

    from botocore.exceptions import ClientError

    from engagement.cli import main as cli
    from engagement.endpoints import build_registry

    store = f"dynamodb://{stack.physical_id('EndpointsTable')}"
    try:
        build_registry(store).get_user_endpoints(ApplicationId=APPLICATION_ID, UserId="user-mary")
    except ClientError:
        with contextlib.redirect_stdout(io.StringIO()):
            cli(
                [
                    "endpoints",
                    "import",
                    str(EVENTS / "endpoints.csv"),
                    "--application-id",
                    APPLICATION_ID,
                    "--endpoint-store",
                    store,
                ]
            )


def _pinpoint_mode() -> None:
    """Pinpoint target: the PutEvents request, validated against Pinpoint's service model."""
    import boto3
    from botocore.stub import Stubber

    from engagement.journeys.put_events import PutEventsTarget, events_request
    from engagement.journeys.request import JourneyRequest
    from engagement.journeys.routes import load_routes

    event = _sample("eventbridge_cart_abandoned.json")
    request = JourneyRequest(
        route=load_routes().by_id["CartAbandoned"],
        application_id=APPLICATION_ID,
        event_id=event["id"],
        source=event["source"],
        detail_type=event["detail-type"],
        time=event["time"],
        endpoints={event["detail"]["endpointId"]: {}},
        attributes={"cartId": event["detail"]["cartId"]},
        metrics={"itemCount": 3.0, "cartValue": 129.99},
    )
    body = events_request(request, "cart.abandoned")
    step("Pinpoint mode: route CartAbandoned -> PutEvents (checked by Stubber against Pinpoint's model)")
    print(json.dumps(body, indent=2))
    client = boto3.client("pinpoint", endpoint_url="https://pinpoint.us-east-1.amazonaws.com")
    endpoint_id = event["detail"]["endpointId"]
    item = {"StatusCode": 202, "Message": "Accepted"}
    response = {
        "EventsResponse": {
            "Results": {
                endpoint_id: {"EndpointItemResponse": item, "EventsItemResponse": {event["id"]: item}}
            }
        }
    }
    with Stubber(client) as stubber:
        stubber.add_response("put_events", response, {"ApplicationId": APPLICATION_ID, "EventsRequest": body})
        print(PutEventsTarget(client, APPLICATION_ID).start(request))
