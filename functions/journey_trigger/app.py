"""Journey trigger: an EventBridge domain event starts a journey (Pinpoint PutEvents or Step Functions).

Thin on purpose: settings and clients are built once at cold start; the route table, endpoint
resolution, targets and dead-lettering live in ``engagement.journeys`` (docs/journeys.md).
Powertools Idempotency, keyed on the EventBridge event id, makes a redelivered event return the
first result without calling any target again (PutEvents has no dedup of its own).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from engagement import coldstart  # first: no GC during init
from engagement.aws import aws_client
from engagement.journeys.definitions.settings import JourneyDefinitionSettings
from engagement.journeys.factory import build_trigger
from engagement.journeys.settings import JourneySettings

logger = Logger()
metrics = Metrics()
tracer = coldstart.tracer()

settings = JourneySettings.from_env()
journeys = JourneyDefinitionSettings.from_env() if settings.journeys_table else None
trigger = build_trigger(settings, logger=logger, journeys=journeys)


def _mark_duplicate(response: dict[str, Any], _record: Any) -> dict[str, Any]:
    """An event id seen before: hand back the first result, flagged, and start nothing."""
    metrics.add_metric(name="JourneyEventDuplicate", unit=MetricUnit.Count, value=1)
    return {**response, "duplicate": True}


idempotency_config = IdempotencyConfig(
    event_key_jmespath="id",
    expires_after_seconds=24 * 3600,  # EventBridge retries an event for at most 24 hours
    response_hook=_mark_duplicate,
)
persistence = DynamoDBPersistenceLayer(
    table_name=settings.idempotency_table, boto3_client=aws_client("dynamodb")
)
coldstart.done()


@logger.inject_lambda_context(correlation_id_path="id")
@tracer.capture_lambda_handler
@metrics.log_metrics
@idempotent(config=idempotency_config, persistence_store=persistence)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = trigger.handle(event)
    metrics.add_metric(name=f"JourneyEvent{result['status'].capitalize()}", unit=MetricUnit.Count, value=1)
    logger.info("journey event handled", extra={k: v for k, v in result.items() if k != "endpoints"})
    return result
