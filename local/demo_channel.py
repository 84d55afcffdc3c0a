"""Demo step: the custom channel delivers a journey batch by email, SMS and signed webhook.

Email goes to SES on the local stack; SMS to a botocore ``Stubber``-backed End User Messaging
client (moto has no ``pinpoint-sms-voice-v2``; the stub validates every request against the
real service model), registered through ``engagement.channel.factory.CLIENT_FACTORIES``;
webhooks to a receiver this demo runs on loopback, which checks each signature.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from local.console import heading, step, table
from local.seed import seed_templates, verify_sender
from local.stack import REGION, REPO_ROOT, LocalStack

JOURNEY_EVENT = REPO_ROOT / "events" / "custom_channel_journey.json"
SMS_SERVICE = "pinpoint-sms-voice-v2"


# -- local stand-ins for what the stack cannot serve ---------------------------------------
class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default backlog of 5 drops concurrent connects (1 s SYN retry)


class WebhookReceiver:
    """A loopback HTTPS-less receiver (http:// is allowed to loopback only) that verifies the
    ``X-Engagement-Signature`` of every request, optionally answering after a delay or with
    scripted statuses."""

    def __init__(self, secret: str, *, delay_s: float = 0.0, statuses: list[int] | None = None):
        self.secret = secret
        self.delay_s = delay_s
        self.statuses = list(statuses or [])
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like any production receiver

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                verified = receiver.verify(
                    self.headers.get("X-Engagement-Signature", ""),
                    body,
                    self.headers.get("Idempotency-Key", ""),
                )
                if receiver.delay_s:
                    time.sleep(receiver.delay_s)
                with receiver._lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else (200 if verified else 401)
                    receiver.requests.append(
                        {
                            "body": json.loads(body),
                            "verified": verified,
                            "status": status,
                            "headers": dict(self.headers),
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/engagement"

    def verify(self, header: str, body: bytes, key: str = "", tolerance_s: int = 300) -> bool:
        """The receiver-side check documented in docs/custom-channel.md."""
        parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
        timestamp, signature = parts.get("t", ""), parts.get("v2", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance_s:
            return False
        signed = f"{timestamp}.{key}.".encode() + body
        expected = hmac.new(self.secret.encode(), signed, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)

    def __enter__(self) -> WebhookReceiver:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class StubbedSms:
    """An End User Messaging client behind a botocore Stubber: requests are validated against the
    real service model; answers are queued per expected send. Calls are serialised (Stubber is
    not thread-safe) and recorded."""

    def __init__(self, answers: int = 50) -> None:
        import boto3
        from botocore.stub import Stubber

        self.client = boto3.client(SMS_SERVICE, region_name=REGION, endpoint_url="https://sms-voice.invalid")
        self.stubber = Stubber(self.client)
        for n in range(answers):
            self.stubber.add_response("send_text_message", {"MessageId": f"sms-{n + 1:04d}"})
        self.stubber.activate()
        self.sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def send_text_message(self, **kwargs: Any) -> dict[str, Any]:
        with self._lock:
            response = self.client.send_text_message(**kwargs)
            self.sent.append(kwargs)
            return response


@contextmanager
def sms_stub(answers: int = 50) -> Iterator[StubbedSms]:
    """Register a stubbed SMS client for handlers cold-started inside the block."""
    from engagement.channel import factory

    stub = StubbedSms(answers)
    factory.CLIENT_FACTORIES[SMS_SERVICE] = lambda: stub
    try:
        yield stub
    finally:
        factory.CLIENT_FACTORIES.pop(SMS_SERVICE, None)


def webhook_secret(stack: LocalStack) -> str:
    import boto3

    secrets = boto3.client("secretsmanager", region_name=REGION)
    return secrets.get_secret_value(SecretId=stack.physical_id("WebhookSigningSecret"))["SecretString"]


def channel_env(stack: LocalStack, **overrides: str) -> dict[str, str]:
    """Environment overrides for the handler on top of the template's own environment (which the
    local stack resolves, the webhook secret's ARN included)."""
    return {"WEBHOOK_ALLOW_PRIVATE": "true", **overrides}


def stream_records(stack: LocalStack, application_id: str) -> list[dict[str, Any]]:
    """Every record on the event stream for ``application_id`` (from the start of the stream)."""
    import boto3

    kinesis = boto3.client("kinesis", region_name=REGION)
    stream = stack.physical_id("EventStream")
    records = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            for item in page["Records"]:
                data = item["Data"]
                record = json.loads(data if isinstance(data, bytes | str) else base64.b64decode(data))
                if record.get("application", {}).get("app_id") == application_id:
                    records.append(record)
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return records


# -- the demo step ---------------------------------------------------------------------------
def quiet_invoke(stack: LocalStack, event: dict, env: dict[str, str]) -> Any:
    """Invoke with the function's JSON logs captured; print just its EMF metrics."""
    import io

    from local.functions import invoke

    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        result = invoke(stack, "custom_channel", event, env=env)
    for line in captured.getvalue().splitlines():
        if line.startswith('{"_aws"'):
            emf = json.loads(line)
            names = [m["Name"] for m in emf["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
            print("EMF metrics: " + ", ".join(f"{n}={int(emf[n][0])}" for n in names))
    return result


def run(stack: LocalStack) -> None:
    from engagement.masking import mask_address

    heading("Custom channel: a journey batch by email (SES), SMS (End User Messaging) and webhook")
    event = json.loads(JOURNEY_EVENT.read_text())
    store = seed_templates(stack)
    verify_sender(stack)
    step(f"templates local/templates/channel_* -> {store}; sender identity verified in SES")

    with WebhookReceiver(webhook_secret(stack)) as receiver, sms_stub() as sms:
        env = channel_env(stack, TEMPLATE_STORE=store, WEBHOOK_URL=receiver.url)
        source = JOURNEY_EVENT.relative_to(REPO_ROOT)
        step(f"invoke custom_channel with {source} ({len(event['Endpoints'])} endpoints)")
        first = quiet_invoke(stack, event, env)
        rows = []
        for endpoint_id, answer in first.items():
            attributes = answer["EventAttributes"]
            endpoint = event["Endpoints"][endpoint_id]
            rows.append(
                (
                    endpoint_id,
                    endpoint["ChannelType"],
                    mask_address(endpoint.get("Address", "")),
                    attributes.get("channel", ""),
                    attributes["delivery_status"],
                    attributes.get("message_id", "")[:20] or attributes.get("reason", ""),
                )
            )
        table(rows, ("endpoint", "type", "address", "via", "delivery_status", "message id / reason"))
        signed = sum(1 for r in receiver.requests if r["verified"])
        print(f"webhook receiver: {len(receiver.requests)} request(s), {signed} with a valid signature")
        print(f"SMS requests validated against the pinpoint-sms-voice-v2 model: {len(sms.sent)}")

        step("invoke the same batch again (Pinpoint may repeat an invocation)")
        hooks_before, sms_before = len(receiver.requests), len(sms.sent)
        second = quiet_invoke(stack, event, env)
        statuses: dict[str, int] = {}
        for answer in second.values():
            status = answer["EventAttributes"]["delivery_status"]
            statuses[status] = statuses.get(status, 0) + 1
        print(f"second run: {statuses}")
        print(
            f"new sends: webhook {len(receiver.requests) - hooks_before}, SMS {len(sms.sent) - sms_before} "
            "(duplicates are reported, not re-sent)"
        )

    step("records written to the Kinesis event stream (Pinpoint format)")
    records = stream_records(stack, event["ApplicationId"])
    ours = [r for r in records if r["attributes"].get("journey_id") == event["JourneyId"]]
    table(
        [
            (
                r["event_type"],
                r["client"]["client_id"],
                r["attributes"].get("delivery_status", ""),
                r["attributes"].get("journey_activity_id", ""),
            )
            for r in ours
        ],
        ("event_type", "client.client_id", "delivery_status", "journey_activity_id"),
    )
