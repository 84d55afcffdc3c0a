"""Send events that can never start a journey to the dead-letter queue, with the reason.

The same queue receives, in their own formats, what EventBridge could not deliver to the
function (rule ``DeadLetterConfig``) and what failed every Lambda async retry (the function's
``OnFailure`` destination); ``docs/journeys.md`` shows the three shapes and how to redrive.
"""

from __future__ import annotations

import json
from typing import Any

from engagement.journeys.errors import JourneyValidationError


def dead_letter_message(event: Any, error: JourneyValidationError, route_id: str | None) -> dict[str, Any]:
    return {
        "reason": error.reason,
        "error": str(error),
        "errorType": type(error).__name__,
        "routeId": route_id,
        "event": event,
    }


class DeadLetterQueue:
    def __init__(self, client: Any, queue_url: str):
        self.client = client
        self.queue_url = queue_url

    def send(self, event: Any, error: JourneyValidationError, route_id: str | None) -> str:
        """Returns the SQS message id; a failure to send raises (the invocation is then retried)."""
        body = dead_letter_message(event, error, route_id)
        response = self.client.send_message(
            QueueUrl=self.queue_url,
            MessageBody=json.dumps(body, default=str),
            MessageAttributes={
                "reason": {"DataType": "String", "StringValue": error.reason},
                "source": {"DataType": "String", "StringValue": "journey_trigger"},
            },
        )
        return response["MessageId"]
