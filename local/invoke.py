"""``make invoke FUNCTION=<name> EVENT=events/<file>.json``: one handler, in-process, on the local
stack, and what it changed.

The stack is seeded first (templates, the SES sender, the sample endpoints of ``events/endpoints.csv``
under the sample application), so every sample event has an effect; SMS goes to a botocore
``Stubber``-backed client (moto has no End User Messaging). Printed: the handler's answer, then
what changed - endpoints in the registry (OptOut, status... before -> after), records added to the
event stream, journeys started. The handler's own log lines are counted, not shown, unless
``VERBOSE=1``; moto's and other libraries' chatter never is.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from local.functions import invoke
from local.seed import APPLICATION_ID, seed
from local.stack import LocalStack

# Registry fields worth showing when they change (timestamps and bookkeeping change on every write).
SHOWN_FIELDS = ("OptOut", "EndpointStatus", "Address", "ChannelType", "Attributes", "User")


def registry_snapshot(stack: LocalStack, application_id: str = APPLICATION_ID) -> dict[str, dict[str, Any]]:
    from engagement.endpoints import build_registry

    registry = build_registry(f"dynamodb://{stack.physical_id('EndpointsTable')}")
    return {e["Id"]: {k: e.get(k) for k in SHOWN_FIELDS} for e in registry.iter_endpoints(application_id)}


def _shard_records(kinesis: Any, stream: str, shard: str, after: str | None) -> Iterator[dict[str, Any]]:
    start = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": after} if after else {}
    position = {"ShardIteratorType": "TRIM_HORIZON", **start}
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, **position)["ShardIterator"]
    while iterator:
        page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
        yield from page["Records"]
        iterator = page["NextShardIterator"] if page["Records"] else None


def stream_position(stack: LocalStack) -> dict[str, str | None]:
    """The last sequence number of every shard of the local event stream."""
    import boto3

    kinesis, stream = boto3.client("kinesis"), stack.physical_id("EventStream")
    position: dict[str, str | None] = {}
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        last = None
        for record in _shard_records(kinesis, stream, shard["ShardId"], None):
            last = record["SequenceNumber"]
        position[shard["ShardId"]] = last
    return position


def event_types_since(stack: LocalStack, position: dict[str, str | None]) -> list[str]:
    """Event types of the records written to the local event stream after ``position``."""
    import boto3

    kinesis, stream = boto3.client("kinesis"), stack.physical_id("EventStream")
    types = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        for record in _shard_records(kinesis, stream, shard["ShardId"], position.get(shard["ShardId"])):
            data = record["Data"]
            with contextlib.suppress(ValueError, AttributeError):
                types.append(
                    json.loads(data if isinstance(data, bytes | str) else base64.b64decode(data))[
                        "event_type"
                    ]
                )
    return types


def executions(stack: LocalStack) -> list[str]:
    import boto3

    sfn = boto3.client("stepfunctions")
    names = []
    for machine in sfn.list_state_machines()["stateMachines"]:
        names += [
            e["name"] for e in sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]
        ]
    return names


def snapshot(stack: LocalStack) -> dict[str, Any]:
    return {
        "registry": registry_snapshot(stack),
        "stream": stream_position(stack),
        "runs": executions(stack),
    }


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Readable lines for what changed between two snapshots."""
    from engagement.masking import mask_address

    lines = []
    for endpoint_id in sorted(set(before["registry"]) | set(after["registry"])):
        old, new = before["registry"].get(endpoint_id), after["registry"].get(endpoint_id)
        if old == new:
            continue
        if old is None or new is None:
            lines.append(f"endpoint {endpoint_id}: {'created' if old is None else 'deleted'}")
            continue
        address = mask_address((new or old).get("Address") or "")
        for field in SHOWN_FIELDS:
            was, now = old.get(field), new.get(field)
            if was == now:
                continue
            if isinstance(was, dict) and isinstance(now, dict):  # only the keys that changed
                keys = sorted(k for k in set(was) | set(now) if was.get(k) != now.get(k))
                text = ", ".join(f"{k} {was.get(k)} -> {now.get(k)}" for k in keys)
            elif field == "Address":
                text = f"{mask_address(was or '')} -> {mask_address(now or '')}"
            else:
                text = f"{was} -> {now}"
            lines.append(f"endpoint {endpoint_id} ({address}): {field} {text}")
    added = after.get("added", [])
    if added:
        lines.append(f"event stream: +{len(added)} record(s): {', '.join(added)}")
    started = [name for name in after["runs"] if name not in before["runs"]]
    if started:
        lines.append(f"journeys started: {', '.join(started)}")
    return lines or ["no change in the registry, the event stream or the journeys"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("function", help="directory name under functions/, e.g. custom_channel")
    parser.add_argument("event", type=Path, help="JSON event file, e.g. events/custom_channel_journey.json")
    parser.add_argument("--verbose", action="store_true", default=os.environ.get("VERBOSE") == "1")
    args = parser.parse_args(argv)
    event = json.loads(args.event.read_text())

    from local.demo_channel import sms_stub

    with contextlib.redirect_stdout(io.StringIO()):  # moto's own chatter while the stack is created
        stack = LocalStack().start()
    try:
        seed(stack)
        print(f"local stack: {len(stack.resources)} resources from template.yaml; seeded templates, the SES")
        print(f"sender and the sample endpoints (events/endpoints.csv, application {APPLICATION_ID})")
        before = snapshot(stack)
        print(f"\n-> invoke {args.function} with {args.event}")
        captured = io.StringIO()
        with sms_stub(), contextlib.redirect_stdout(captured):
            result = invoke(stack, args.function, event)
        print(json.dumps(result, indent=2, default=str))
        print("\n-> what changed")
        after = {**snapshot(stack), "added": event_types_since(stack, before["stream"])}
        for line in changes(before, after):
            print(f"   {line}")
    finally:
        stack.stop()
    output = captured.getvalue().splitlines()
    if args.verbose:
        print("\n-> the function's output\n" + "\n".join(output))
    elif output:
        print(f"\n({len(output)} line(s) of the function's JSON logs and metrics: VERBOSE=1 shows them)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
