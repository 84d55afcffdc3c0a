"""Count soft bounces per address, idempotently, in the idempotency table.

One ``UpdateItem ... ADD bounces :members`` per (application, channel, address) and batch. The
members are ``"<event ms>|<dedupe key>"`` strings in a DynamoDB string set, and adding a member
that is already there changes nothing: a Kinesis re-delivery, a redrive or a duplicate SES
notification (same feedback id) never counts twice, with no separate idempotency record to read.
We chose this over Powertools Idempotency because the count and the "seen" marker must change in
one atomic write; with two writes a crash in between would lose or double a bounce.
The window is measured back from the newest bounce, so re-processing old records later gives
the same answer. Addresses are stored only as a SHA-256 hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterable
from typing import Any

from engagement.aws import aws_client

KEY_PREFIX = "softbounce#"
MAX_MEMBERS = 50  # keep the item small: the threshold is a handful of bounces


def counter_key(application_id: str, channel: str, address: str) -> str:
    digest = hashlib.sha256(f"{application_id}\n{channel}\n{address}".encode()).hexdigest()
    return f"{KEY_PREFIX}{digest}"


class SoftBounceCounter:
    def __init__(self, table_name: str, *, client: Any = None, window_ms: int, clock=time.time):
        self.table_name = table_name
        self.client = client if client is not None else aws_client("dynamodb")  # created on first use
        self.window_ms = window_ms
        self._clock = clock

    def add(self, key: str, bounces: Iterable[tuple[int, str]]) -> int:
        """Record ``(event ms, dedupe key)`` bounces; return how many fall in the window."""
        members = {f"{int(ts)}|{dedupe}" for ts, dedupe in bounces}
        expires = int(self._clock() + self.window_ms / 1000 + 86_400)
        item = self.client.update_item(
            TableName=self.table_name,
            Key={"id": {"S": key}},
            UpdateExpression="ADD bounces :members SET expiration = :expires",
            ExpressionAttributeValues={":members": {"SS": sorted(members)}, ":expires": {"N": str(expires)}},
            ReturnValues="ALL_NEW",
        )["Attributes"]
        stored = item.get("bounces", {}).get("SS", [])
        times = {member: int(member.split("|", 1)[0]) for member in stored}
        newest = max(times.values(), default=0)
        current = [m for m, ts in times.items() if ts > newest - self.window_ms]
        stale = [m for m in stored if m not in current]
        stale += sorted(current, key=times.__getitem__)[: max(0, len(current) - MAX_MEMBERS)]
        if stale:
            self._prune(key, stale)
        return len(current)

    def _prune(self, key: str, members: list[str]) -> None:
        """Drop bounces outside the window; best effort (a failure only leaves a bigger item)."""
        from botocore.exceptions import BotoCoreError, ClientError

        with contextlib.suppress(BotoCoreError, ClientError):
            self.client.update_item(
                TableName=self.table_name,
                Key={"id": {"S": key}},
                UpdateExpression="DELETE bounces :stale",
                ExpressionAttributeValues={":stale": {"SS": members}},
            )
