"""Demo step: the event stream's automatic opt-out, end to end on the local stack.

Bounce, complaint, unsubscribe, SMS STOP and three soft bounces (plus a delivery and one
unparseable record) go onto the local Kinesis stream; the consumer handler reads them back in
Lambda's shape and the endpoints' OptOut is shown before and after. An SES bounce published
through EventBridge takes the same road via the normaliser.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import uuid
from typing import Any

from local.console import heading, step, table
from local.stack import LocalStack

APPLICATION_ID = "5a7d1c0e9b8f4e2a9d3c6b1a0f8e7d6c"  # the demo project (local/demo_endpoints.py)
SENT_MS = 1_795_000_000_000
DAY_MS = 86_400_000
# Handlers' JSON logs and EMF metric lines would drown the demo's tables.
QUIET = {"POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "true"}


def email_facets(address: str, event: str, body: dict[str, Any], message_id: str = "") -> dict[str, Any]:
    mail = {
        "message_id": message_id or uuid.uuid4().hex,
        "destination": [address],
        "from_address": "noreply@example.com",
    }
    return {"email_channel": {"mail_event": {"mail": mail, event: body}}}


def bounce(
    app: str,
    endpoint_id: str,
    address: str,
    *,
    permanent: bool = True,
    at_ms: int = SENT_MS,
    feedback_id: str = "",
) -> dict[str, Any]:
    from engagement.events.records import build_event_record

    body = {
        "bounce_type": "Permanent" if permanent else "Transient",
        "bounce_sub_type": "General",
        "bounced_recipients": [
            {"email_address": address, "action": "failed", "status": "5.1.1" if permanent else "4.4.7"}
        ],
        "feedback_id": feedback_id or uuid.uuid4().hex,
    }
    return build_event_record(
        event_type="_email.hardbounce" if permanent else "_email.softbounce",
        application_id=app,
        endpoint_id=endpoint_id,
        attributes={"feedback": "bounced"},
        facets=email_facets(address, "bounce", body),
        timestamp_ms=at_ms,
    )


def complaint(app: str, endpoint_id: str, address: str, at_ms: int = SENT_MS) -> dict[str, Any]:
    from engagement.events.records import build_event_record

    body = {"complained_recipients": [{"email_address": address}], "complaint_feedback_type": "abuse"}
    return build_event_record(
        event_type="_email.complaint",
        application_id=app,
        endpoint_id=endpoint_id,
        facets=email_facets(address, "complaint", body),
        timestamp_ms=at_ms,
    )


def unsubscribe(app: str, endpoint_id: str, address: str, at_ms: int = SENT_MS) -> dict[str, Any]:
    from engagement.events.records import build_event_record

    body = {"link": "https://example.com/unsubscribe", "link_tags": {"unsubscribeLinkTag": ["true"]}}
    return build_event_record(
        event_type="_email.unsubscribe",
        application_id=app,
        endpoint_id=endpoint_id,
        facets=email_facets(address, "click", body),
        timestamp_ms=at_ms,
    )


def sms(app: str, endpoint_id: str, phone: str, event_type: str = "_SMS.OPTOUT", at_ms: int = SENT_MS):
    from engagement.events.records import build_event_record

    attributes = {
        "destination_phone_number": phone,
        "origination_phone_number": "+12065550142",
        "record_status": "OPTED_OUT" if event_type == "_SMS.OPTOUT" else "DELIVERED",
        "message_type": "Promotional",
    }
    return build_event_record(
        event_type=event_type,
        application_id=app,
        endpoint_id=endpoint_id,
        attributes=attributes,
        timestamp_ms=at_ms,
    )


def delivered(app: str, endpoint_id: str, address: str, at_ms: int = SENT_MS) -> dict[str, Any]:
    from engagement.events.records import build_event_record

    body = {"smtp_response": "250 ok", "recipients": [address]}
    return build_event_record(
        event_type="_email.delivered",
        application_id=app,
        endpoint_id=endpoint_id,
        attributes={"feedback": "delivered"},
        facets=email_facets(address, "delivery", body),
        timestamp_ms=at_ms,
    )


def demo_records(app: str = APPLICATION_ID) -> list[dict[str, Any]]:
    return [
        bounce(app, "mary-email", "mary.major@example.com"),
        complaint(app, "li-email", "li.wei@example.com"),
        unsubscribe(app, "family-email-dad", "family.shared@example.com"),
        sms(app, "ana-sms", "+12065550102"),
        delivered(app, "ana-email", "ana.silva@example.com"),
        *(
            bounce(app, "john-email", "john.stiles@example.com", permanent=False, at_ms=SENT_MS + i * DAY_MS)
            for i in range(3)
        ),
    ]


def ses_event(
    event_type: str, detail_body: dict[str, Any], *, address: str, tags: dict[str, str], detail_type: str
) -> dict[str, Any]:
    """An EventBridge event from SES event publishing (``detail`` is SES's event JSON)."""
    mail = {
        "timestamp": "2026-11-28T12:00:00.000Z",
        "source": "noreply@example.com",
        "sendingAccountId": "123456789012",
        "messageId": "010001" + uuid.uuid4().hex,
        "destination": [address],
        "headersTruncated": False,
        "headers": [{"name": "To", "value": address}],
        "commonHeaders": {"from": ["noreply@example.com"], "to": [address], "subject": "Hello"},
        "tags": {"ses:configuration-set": ["engagement"], **{k: [v] for k, v in tags.items()}},
    }
    key = {
        "Bounce": "bounce",
        "Complaint": "complaint",
        "Click": "click",
        "Subscription": "subscription",
        "Delivery": "delivery",
    }.get(event_type, event_type.lower())
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "aws.ses",
        "account": "123456789012",
        "time": "2026-11-28T12:00:05Z",
        "region": "us-east-1",
        "resources": ["arn:aws:ses:us-east-1:123456789012:configuration-set/engagement"],
        "detail": {"eventType": event_type, "mail": mail, key: detail_body},
    }


def ses_bounce(address: str, tags: dict[str, str], bounce_type: str = "Permanent") -> dict[str, Any]:
    body = {
        "bounceType": bounce_type,
        "bounceSubType": "General",
        "timestamp": "2026-11-28T12:00:04.000Z",
        "feedbackId": "0100" + uuid.uuid4().hex,
        "reportingMTA": "dsn; a8-53.smtp-out.amazonses.com",
        "bouncedRecipients": [
            {
                "emailAddress": address,
                "action": "failed",
                "status": "5.1.1",
                "diagnosticCode": "smtp; 550 5.1.1 user unknown",
            }
        ],
    }
    return ses_event("Bounce", body, address=address, tags=tags, detail_type="Email Bounced")


# ------------------------------------------------------------------------------------ demo step
def _put(stack: LocalStack, records: list[Any]) -> None:
    import boto3

    kinesis = boto3.client("kinesis")
    stream = stack.physical_id("EventStream")
    entries = [
        {
            "Data": r if isinstance(r, bytes) else json.dumps(r).encode(),
            "PartitionKey": (r.get("client", {}).get("client_id") if isinstance(r, dict) else None) or "x",
        }
        for r in records
    ]
    with _quiet():  # moto tries (and fails) to run the mapped Lambda in Docker on every put
        kinesis.put_records(StreamName=stream, Records=entries)


@contextlib.contextmanager
def _quiet():
    moto_logger = logging.getLogger("moto")
    level = moto_logger.level
    moto_logger.setLevel(logging.CRITICAL)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        moto_logger.setLevel(level)


def _read_all(stack: LocalStack) -> dict[str, Any]:
    """Everything on the stream, as the Lambda event the event source mapping would deliver."""
    import boto3

    from engagement.events.kinesis import lambda_record

    kinesis = boto3.client("kinesis")
    stream = stack.physical_id("EventStream")
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    records = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        page = kinesis.get_records(ShardIterator=iterator, Limit=10000)
        records += [
            lambda_record(
                r["Data"],
                sequence_number=r["SequenceNumber"],
                shard_id=shard["ShardId"],
                partition_key=r["PartitionKey"],
                stream_arn=arn,
            )
            for r in page["Records"]
        ]
    return {"Records": records}


def _show(registry: Any, ids: list[str]) -> None:
    from engagement.masking import mask_address

    rows = []
    for endpoint_id in ids:
        e = registry.get_endpoint(ApplicationId=APPLICATION_ID, EndpointId=endpoint_id)["EndpointResponse"]
        attributes = e.get("Attributes", {})
        rows.append(
            (
                endpoint_id,
                e.get("ChannelType"),
                mask_address(e.get("Address", "")),
                e.get("EndpointStatus"),
                e.get("OptOut"),
                ",".join(attributes.get("OptOutReason", [])),
                ",".join(attributes.get("OptOutAt", [])),
            )
        )
    table(rows, ["Id", "Channel", "Address", "Status", "OptOut", "OptOutReason", "OptOutAt"])


def run(stack: LocalStack) -> None:
    from engagement.endpoints import build_registry
    from local.functions import invoke

    heading("Event stream: automatic opt-out (bounces, complaints, unsubscribes, SMS STOP)")
    registry = build_registry(f"dynamodb://{stack.physical_id('EndpointsTable')}")
    watched = [
        "mary-email",
        "li-email",
        "family-email-dad",
        "family-email-mom",
        "ana-sms",
        "ana-email",
        "john-email",
    ]
    step("Endpoints before")
    _show(registry, watched)

    records = demo_records()
    step(
        f"Put {len(records) + 1} records on the local Kinesis stream: hard bounce (mary), complaint (li), "
        "unsubscribe (family-email-dad), SMS STOP (ana-sms), a delivery (ana-email, ignored), "
        "3 soft bounces in 3 days (john) and one record that is not JSON"
    )
    _put(stack, [*records, b"\x00not json"])
    event = _read_all(stack)
    step(
        f"Invoke EventStreamFunction with the {len(event['Records'])} records (Lambda's Kinesis event shape)"
    )
    with _quiet():
        response = invoke(stack, "event_stream", event, env=QUIET)
    print(f"   response: {response}  (no batchItemFailures: nothing to retry)")

    step(
        "Endpoints after: family-email-mom shares the unsubscribed address, so it is opted out too; "
        "statuses are unchanged"
    )
    _show(registry, watched)

    import boto3

    sqs = boto3.client("sqs")
    url = stack.physical_id("EventStreamQuarantineQueue")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
        "Messages", []
    )
    step(f"Quarantine queue: {len(messages)} message(s), the batch went on without them")
    for message in messages:
        body = json.loads(message["Body"])
        data = base64.b64decode(body["data"])[:12]
        print(f"   seq ...{body['sequenceNumber'][-6:]}: {body['reason']} (data {data!r})")

    step("Kinesis delivers the same records again (a retry): nothing is written or quarantined twice")
    with _quiet():
        invoke(stack, "event_stream", event, env=QUIET)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    print(f"   quarantine queue: {attributes['Attributes']['ApproximateNumberOfMessages']} message(s)")

    step("SES publishes a hard bounce for ana-email via EventBridge; the normaliser writes it to the stream")
    ses = ses_bounce("ana.silva@example.com", {"application_id": APPLICATION_ID, "endpoint_id": "ana-email"})
    with _quiet():
        written = invoke(stack, "ses_events", ses, env=QUIET)
    print(f"   SesEventsFunction: {written}")
    seen = {record["eventID"] for record in event["Records"]}
    fresh = [record for record in _read_all(stack)["Records"] if record["eventID"] not in seen]
    record = json.loads(base64.b64decode(fresh[0]["kinesis"]["data"]))
    print(
        f"   on the stream: event_type={record['event_type']} client_id={record['client']['client_id']} "
        f"bounce_type={record['facets']['email_channel']['mail_event']['bounce']['bounce_type']}"
    )
    step("The same consumer, the same policy: EventStreamFunction on the new record")
    with _quiet():
        response = invoke(stack, "event_stream", {"Records": fresh}, env=QUIET)
    print(f"   response: {response}")
    _show(registry, ["ana-email"])
    _custom_channel_skips(stack)


def _custom_channel_skips(stack: LocalStack) -> None:
    """If the custom channel has landed: a campaign batch now skips the opted-out endpoints."""
    try:
        from local import demo_channel
    except ImportError:
        return
    from local.stack import REPO_ROOT

    event = json.loads((REPO_ROOT / "events" / "custom_channel_campaign.json").read_text())
    event["CampaignId"] = uuid.uuid4().hex  # a new send, not a repeat of an earlier demo step's
    count = len(event["Endpoints"])
    step(f"Custom channel (it reads OptOut from the registry): a campaign batch to {count} endpoints")
    with _quiet():
        env = demo_channel.channel_env(
            stack, TEMPLATE_STORE=demo_channel.seed_templates(stack), POWERTOOLS_LOG_LEVEL="ERROR"
        )
        demo_channel.verify_sender(stack)
        answer = invoke_channel(stack, event, env)
    rows = [
        (
            endpoint_id,
            reply["EventAttributes"].get("delivery_status"),
            reply["EventAttributes"].get("reason", ""),
        )
        for endpoint_id, reply in answer.items()
    ]
    table(rows, ["Endpoint", "delivery_status", "reason"])


def invoke_channel(stack: LocalStack, event: dict[str, Any], env: dict[str, str]) -> Any:
    from local.functions import invoke

    return invoke(stack, "custom_channel", event, env=env)
