"""Send events that can never start a journey to the dead-letter queue, with the reason.

The same queue receives, in their own formats, what EventBridge could not deliver to the
function (rule ``DeadLetterConfig``) and what failed every Lambda async retry (the function's
``OnFailure`` destination); ``docs/journeys.md`` shows the three shapes and how to redrive.
"""

from __future__ import annotations

from typing import Any

from engagement.events import dead_letters
from engagement.journeys.errors import JourneyValidationError


class DeadLetterQueue(dead_letters.DeadLetterQueue):
    def __init__(self, client: Any, queue_url: str):
        super().__init__(client, queue_url, source="journey_trigger")

    def send(  # type: ignore[override]
        self,
        event: Any,
        error: JourneyValidationError,
        route_id: str | None = None,
        *,
        message: str | None = None,
    ) -> str:
        """Returns the SQS message id; a failure to send raises (the invocation is then retried)."""
        return super().send(event, error, message=message, routeId=route_id)
