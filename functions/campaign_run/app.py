"""Campaign run steps (Start, Batch, Finish) for the campaign run state machine.

Thin on purpose: settings and clients are made at cold start, the custom channel (from its own
settings, as its Lambda builds it) on the first Batch step's send; the run logic lives in
``engagement.campaigns`` (docs/campaigns.md). ``engagement campaigns run ID`` runs the same steps
in-process.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from engagement import coldstart  # first: no GC during init
from engagement.aws import aws_client
from engagement.campaigns.factory import build_run_services
from engagement.campaigns.settings import CampaignSettings
from engagement.campaigns.steps import handle_step

logger = Logger()
metrics = Metrics()
tracer = coldstart.tracer()

settings = CampaignSettings.from_env()
services = build_run_services(settings, metrics=metrics)
s3 = aws_client("s3")
coldstart.done()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(action=event.get("Action"))
    return handle_step(
        services,
        event,
        context,
        s3=s3,
        bucket=settings.runs_bucket or "",
        max_concurrency=settings.max_concurrency,
    )
