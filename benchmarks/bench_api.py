"""Pinpoint API benchmark: what the HTTP API adds to a send, and how a 100-address send scales.

Goals (issue 11), ratios measured in the same run:
1. API overhead: ``send_messages`` to 1 address through the whole served path (stock boto3
   client -> loopback HTTP -> SigV4 check -> API Gateway proxy event -> Powertools router ->
   model validation -> render -> SES -> event-stream record -> JSON response parsed by boto3)
   vs calling the delivery layer directly (``EmailSender.send`` to the same SES): <= 1.5x.
2. ``send_messages`` to 100 addresses vs to 1 address, same sinks: <= 3x.

AWS is modelled as fixed-latency sinks with botocore's ``before-send`` event, on the API's own
boto3 session: SES ``SendEmail`` 50 ms, DynamoDB ``Query`` (the registry's address lookup, with
``ADDRESS_OPT_OUT_CHECK=true``) 5 ms, Kinesis ``PutRecords`` 10 ms, answered with the service's
response shape. moto is not in the measured path: its in-process emulation costs ~5 ms of CPU
per call under the GIL shared with the code under test, which would measure moto, not this
code (the contract suite runs the same path against moto for correctness).

botocore signs with its pure-Python SigV4 signer, as in Lambda, whose python3.13 runtime has no
``awscrt`` (the dev environment has it; its signer costs ~0.4 ms more CPU per call here).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import sys
import time
import uuid

os.environ["BOTO_DISABLE_CRT"] = "true"  # before botocore is imported: sign as the runtime does
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "engagement"), str(ROOT)]

SES_LATENCY_S = 0.050
LATENCY_S = {"SendEmail": SES_LATENCY_S, "Query": 0.005, "PutRecords": 0.010}
ROUNDS = 21
OVERHEAD_GOAL = 1.5
FANOUT_GOAL = 3.0
EMAIL = {
    "EmailMessage": {"SimpleEmail": {"Subject": {"Data": "Order {{N}}"}, "TextPart": {"Data": "Hi {{N}}"}}}
}


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: object):
        yield self.body


def sink(request, event_name: str, **_: object):
    """Answer SendEmail / Query / PutRecords after their latency; everything else goes to moto."""
    from botocore.awsrequest import AWSResponse

    operation = event_name.rsplit(".", 1)[-1]
    if operation not in LATENCY_S:
        return None
    time.sleep(LATENCY_S[operation])
    if operation == "SendEmail":
        body = {"MessageId": str(uuid.uuid4())}
    elif operation == "Query":
        body = {"Items": [], "Count": 0, "ScannedCount": 0}
    else:
        count = len(json.loads(request.body)["Records"])
        body = {"FailedRecordCount": 0, "Records": [{"SequenceNumber": "1", "ShardId": "shardId-0"}] * count}
    return AWSResponse(
        request.url, 200, {"Content-Type": "application/json"}, _Raw(json.dumps(body).encode())
    )


def medians_ms(*functions, rounds: int = ROUNDS) -> list[float]:
    """Median time of each function, sampled in turn so all see the same machine load."""
    for function in functions:
        function()  # warm: connections, compiled templates, caches
    samples: list[list[float]] = [[] for _ in functions]
    for _ in range(rounds):
        for function, taken in zip(functions, samples, strict=True):
            started = time.perf_counter()
            function()
            taken.append((time.perf_counter() - started) * 1000)
    return [statistics.median(taken) for taken in samples]


def main() -> int:
    from engagement.api.router import ApiRouter
    from engagement.api.services import build_services
    from engagement.api.settings import ApiSettings
    from engagement.channel.factory import build_session
    from engagement.client import pinpoint
    from engagement.delivery.email import EmailMessage, EmailSender
    from local.serve import ApiServer
    from local.stack import LocalStack

    warnings.filterwarnings("ignore")
    with contextlib.redirect_stdout(io.StringIO()):
        stack = LocalStack().start()
    try:
        settings = ApiSettings.from_env(stack.function_environment("ApiFunction"))
        session = build_session(settings.max_workers + 4)
        session._session.register("before-send", sink)  # every client of the API's session
        router = ApiRouter(build_services(settings, session=session))
        checked = settings.model_copy(update={"address_opt_out_check": True})
        checking = ApiRouter(build_services(checked, session=session))
        with (
            ApiServer(stack, handler=router.handle) as api,
            ApiServer(stack, handler=checking.handle) as api2,
        ):
            client = pinpoint(api.url, idempotent=False)
            direct = EmailSender(session.client("sesv2"), settings.sender_email or "noreply@example.com")

            def one_direct() -> None:
                direct.send(EmailMessage("a@example.com", "Order 1", None, "Hi 1"))

            def send(count: int, client=client):
                addresses = {
                    f"r{n}@example.com": {"ChannelType": "EMAIL", "Substitutions": {"N": [str(n)]}}
                    for n in range(count)
                }

                def call() -> None:
                    response = client.send_messages(
                        ApplicationId="bench",
                        MessageRequest={"Addresses": addresses, "MessageConfiguration": EMAIL},
                    )
                    results = response["MessageResponse"]["Result"].values()
                    assert all(r["DeliveryStatus"] == "SUCCESSFUL" for r in results), results

                return call

            checked = send(1, pinpoint(api2.url, idempotent=False))
            direct_ms, single_ms, checked_ms = medians_ms(one_direct, send(1), checked)
            single_again_ms, fanout_ms = medians_ms(send(1), send(100), rounds=7)
    finally:
        stack.stop()

    overhead, fanout = single_ms / direct_ms, fanout_ms / single_again_ms
    print("Sinks (botocore before-send): SES 50 ms, DynamoDB Query 5 ms, Kinesis PutRecords 10 ms. Medians:")
    print(f"  delivery layer directly (EmailSender.send)    {direct_ms:7.1f} ms")
    print(
        f"  send_messages, 1 address, via the API        {single_ms:7.1f} ms  {overhead:.2f}x (goal <= 1.5x)"
    )
    print(
        f"  send_messages, 100 addresses, via the API    {fanout_ms:7.1f} ms  {fanout:.2f}x of 1 (goal <= 3x)"
    )
    print(f"  (ADDRESS_OPT_OUT_CHECK=true, +1 Query: {checked_ms:.1f} ms, {checked_ms / direct_ms:.2f}x)")
    ok = overhead <= OVERHEAD_GOAL and fanout <= FANOUT_GOAL
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
