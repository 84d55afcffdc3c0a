"""Journey message events: the event stream joined back to (journey, activity, endpoint).

A second consumer of the project's Kinesis event stream (the one whose records set OptOut): each
Pinpoint-format record with ``journey_id`` / ``journey_activity_id`` becomes a TTL'd item that
journey splits on ``_email.open``, ``_email.click``, ``_SMS.SUCCESS``... read. Writes are
idempotent (keyed by activity, time and event type), so a retried batch records nothing twice.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext

from engagement import coldstart  # first: no GC during init
from engagement.journeys.definitions.factory import journey_table
from engagement.journeys.definitions.message_events import MessageEventRecorder
from engagement.journeys.definitions.settings import JourneyDefinitionSettings

logger = Logger()
metrics = Metrics()
tracer = coldstart.tracer()

settings = JourneyDefinitionSettings.from_env()
recorder = MessageEventRecorder(journey_table(settings))
processor = BatchProcessor(event_type=EventType.KinesisDataStreams)
coldstart.done()


def record_handler(record: Any) -> None:
    try:
        decoded = record.kinesis.data_as_json()
    except ValueError:
        logger.warning(
            "not a JSON stream record; skipped", extra={"sequence": record.kinesis.sequence_number}
        )
        return  # the OptOut consumer quarantines unreadable records; nothing to join here
    if recorder.record([decoded]):
        metrics.add_metric(name="JourneyMessageEvents", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
