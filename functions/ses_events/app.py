"""SES event publishing (EventBridge) -> Pinpoint-format records on the Kinesis event stream.

Thin handler: validate and normalise with ``engagement.events`` and write with ``EventStreamWriter``
(``engagement.events.normaliser``). EventBridge delivers at least once, so the handler is
idempotent per EventBridge event id (Powertools Idempotency): a re-delivered event is not written
to the stream twice. An invalid event goes to the dead-letter queue at once with the field that
is wrong; Kinesis failures raise: Lambda's asynchronous retries, then the same queue, keep the event.
"""

from __future__ import annotations

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
from engagement.events.normaliser import build_normaliser
from engagement.events.settings import SesEventsSettings
from engagement.events.writer import EventStreamWriter

logger = Logger()
metrics = Metrics()
tracer = coldstart.tracer()

settings = SesEventsSettings.from_env()
writer = EventStreamWriter(settings.event_stream_name)
normaliser = build_normaliser(settings, writer)
persistence = DynamoDBPersistenceLayer(
    table_name=settings.idempotency_table, boto3_client=aws_client("dynamodb")
)
idempotency = IdempotencyConfig(event_key_jmespath="id", expires_after_seconds=24 * 3600)
# A fixed prefix (not the default "<function name>.<module>.<handler>"): renaming or redeploying the
# function must not forget which EventBridge events were already written to the stream.
IDEMPOTENCY_KEY_PREFIX = "ses_events"
coldstart.done()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@idempotent(persistence_store=persistence, config=idempotency, key_prefix=IDEMPOTENCY_KEY_PREFIX)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    result = normaliser.handle(event)
    if result.get("status") == "rejected":
        metrics.add_metric(name="SesEventsRejected", unit=MetricUnit.Count, value=1)
    else:
        metrics.add_metric(name="SesEventsNormalised", unit=MetricUnit.Count, value=result["written"])
    return result
