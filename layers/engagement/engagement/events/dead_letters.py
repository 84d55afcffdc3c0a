"""Send an event that can never succeed to a dead-letter queue, with the reason, and return.

Retrying a permanent failure (an event of the wrong shape) only delays the dead letter and costs
invocations; sending it at once, with a ``reason`` message attribute and the error, keeps the
event for a fix and a redrive. If the queue itself cannot be reached the send raises, so the
invocation fails and Lambda's own retries and on-failure destination keep the event instead.
"""

from __future__ import annotations

import json
from typing import Any


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
        except (RecursionError, ValueError):  # nested too deeply to encode: keep it as Python's repr
            text = json.dumps({**body, "event": repr(event)})
        response = self.client.send_message(
            QueueUrl=self.queue_url,
            MessageBody=text,
            MessageAttributes={
                "reason": {"DataType": "String", "StringValue": reason},
                "source": {"DataType": "String", "StringValue": self.source},
            },
        )
        return response["MessageId"]
