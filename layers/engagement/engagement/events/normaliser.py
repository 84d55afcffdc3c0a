"""The SES normaliser's work for one EventBridge event: validate, normalise, write, or reject.

    validate (``ses_models``) → Pinpoint records (``ses``) → Kinesis (``writer``)
                └── invalid: dead-letter queue with the field that is wrong, ``{"status": "rejected"}``

A rejection is permanent and final (no Lambda retries of an event that cannot change). A
Kinesis failure raises: Lambda's async retries, then the same dead-letter queue, keep the event.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engagement.events.ses import InvalidSesEvent, normalise_ses_event

logger = logging.getLogger(__name__)


@dataclass
class SesNormaliser:
    writer: Any  # EventStreamWriter
    dead_letters: Any  # engagement.events.dead_letters.DeadLetterQueue, or None: raise instead
    default_application_id: str = ""

    def handle(self, event: Mapping[str, Any]) -> dict[str, Any]:
        try:
            records = normalise_ses_event(event, default_application_id=self.default_application_id)
        except InvalidSesEvent as error:
            if self.dead_letters is None:
                raise
            message_id = self.dead_letters.send(event, error)
            logger.error("SES event rejected", extra={"error": str(error), "event_id": _event_id(event)})
            return {
                "status": "rejected",
                "reason": "invalid_ses_event",
                "error": str(error),
                "deadLetterId": message_id,
            }
        self.writer.put(records)
        return {"written": len(records), "event_types": [record["event_type"] for record in records]}


def build_normaliser(settings: Any, writer: Any) -> SesNormaliser:
    """From ``SesEventsSettings``: without ``DEAD_LETTER_QUEUE_URL`` invalid events raise instead."""
    dead_letters = None
    if settings.dead_letter_queue_url:
        from engagement.aws import aws_client
        from engagement.events.dead_letters import DeadLetterQueue

        dead_letters = DeadLetterQueue(aws_client("sqs"), settings.dead_letter_queue_url, source="ses_events")
    return SesNormaliser(writer, dead_letters, settings.default_application_id)


def _event_id(event: Any) -> str:
    return str(event.get("id") or "")[:100] if isinstance(event, Mapping) else ""
