"""Custom channel: Pinpoint campaigns and journeys (and our Step Functions journeys) invoke this
with up to 50 endpoints; each gets one rendered message by email, SMS or signed webhook, once.

Thin on purpose: settings and clients are built at cold start, the batch logic lives in
``engagement.channel`` (docs/custom-channel.md).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from engagement import coldstart  # first: no GC during init
from engagement.channel.factory import build_channel, build_writer
from engagement.channel.handle import handle_batch
from engagement.channel.settings import CustomChannelSettings

logger = Logger()
metrics = Metrics()
tracer = coldstart.tracer()

settings = CustomChannelSettings.from_env()
channel = build_channel(settings)
writer = build_writer(settings)
coldstart.done()


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_batch(channel, event, context, writer=writer, metrics=metrics)
