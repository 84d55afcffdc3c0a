"""EVENT campaigns: records on the event stream (``put_events``, journeys' routes) that match a
campaign's ``EventFilter`` start a run for their endpoint.

Thin on purpose: settings and clients are built at cold start, the custom channel on the first
send (most events start no campaign); matching,
the segment check and the run live in ``engagement.campaigns.triggers`` (docs/campaigns.md).
A record that fails is reported alone (partial batch response) and retried by Lambda; the run's
exactly-once keys make the retry send nothing twice.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from engagement import coldstart  # first: no GC during init
from engagement.campaigns.factory import build_run_services
from engagement.campaigns.settings import CampaignSettings
from engagement.campaigns.triggers import EventCampaigns

logger = Logger()
metrics = Metrics()
tracer = coldstart.tracer()

settings = CampaignSettings.from_env()
services = build_run_services(settings, metrics=metrics)
triggers = EventCampaigns(services, segments=services.store.segments)  # the run's own segment store
processor = BatchProcessor(event_type=EventType.KinesisDataStreams)
coldstart.done()


def record_handler(record: KinesisStreamRecord) -> None:
    try:
        body = json.loads(record.kinesis.data_as_text())
    except ValueError:
        return  # not an event record: the event stream function quarantines it
    if isinstance(body, dict):
        for name, value in triggers.handle([body]).items():
            metrics.add_metric(
                name=f"EventCampaign{name.title().replace('_', '')}", unit=MetricUnit.Count, value=value
            )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
