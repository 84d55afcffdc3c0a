"""Send an event that can never succeed to a dead-letter queue, with the reason, and return.

Retrying a permanent failure (an event of the wrong shape) only delays the dead letter and costs
invocations; sending it at once, with a ``reason`` message attribute and the error, keeps the
event for a fix and a redrive. If the queue itself cannot be reached the send raises, so the
invocation fails and Lambda's own retries and on-failure destination keep the event instead.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _deep_dumps(body: dict[str, Any]) -> str:
    """The event arrived as JSON, so it can be written as JSON: with room for its depth."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        return json.dumps(body, default=str)
    finally:
        sys.setrecursionlimit(limit)


class DeadLetterQueue:
    def __init__(self, client: Any, queue_url: str, *, source: str):
        self.client = client
        self.queue_url = queue_url
        self.source = source

    def send(self, event: Any, error: BaseException, **context: Any) -> str:
        """Returns the SQS message id. ``error.reason`` (a short code) names why."""
        reason = str(getattr(error, "reason", type(error).__name__))
        body = {
            "reason": reason,
            "error": str(error),
            "errorType": type(error).__name__,
            **context,
            "event": event,
        }
        try:
            text = json.dumps(body, default=str)
        except RecursionError:  # nested deeper than the interpreter's limit allows from here
            text = _deep_dumps(body)
        response = self.client.send_message(
            QueueUrl=self.queue_url,
            MessageBody=text,
            MessageAttributes={
                "reason": {"DataType": "String", "StringValue": reason},
                "source": {"DataType": "String", "StringValue": self.source},
            },
        )
        return response["MessageId"]
