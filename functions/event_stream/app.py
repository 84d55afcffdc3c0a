"""Kinesis event stream -> automatic opt-out (hard bounces, complaints, unsubscribes, SMS STOP).

Thin handler: settings and clients once per cold start, the batch to the library, metrics out.
The batch logic and its use of Powertools' BatchProcessor are in
``engagement.suppression.consumer`` (docs/event-stream.md).
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext

from engagement import coldstart  # first: no GC during init
from engagement.suppression.consumer import BatchOutcome, build_consumer
from engagement.suppression.settings import StreamSettings

logger = Logger()
copy_config_to_registered_loggers(source_logger=logger, include={"engagement"})
metrics = Metrics()
tracer = coldstart.tracer()

settings = StreamSettings.from_env()
consumer = build_consumer(settings)
coldstart.done()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    try:
        return consumer.handle(event, context)
    finally:
        publish(consumer.last_outcome)


def publish(outcome: BatchOutcome | None) -> None:
    if outcome is None:
        return
    for name, value in outcome.metrics.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    metrics.add_metric(name="RegistryWrites", unit=MetricUnit.Count, value=outcome.registry_writes)
    for event_type, count in outcome.by_event_type.items():
        dimensions = metrics.default_dimensions
        with single_metric("EventsProcessed", MetricUnit.Count, count, default_dimensions=dimensions) as one:
            one.add_dimension(name="event_type", value=event_type)
