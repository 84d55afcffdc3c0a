"""Journey activity: what one activity of a compiled journey does for one participant.

Every journey state machine (one per journey, compiled from Pinpoint's JSON) calls this with
``{"Action": "send" | "evaluate" | "exit", "ActivityId", "JourneyId", "JourneyVersion",
"EndpointId", "RunId", "ExecutionId", ...}`` and routes on the answer ``{"Next", "WaitSeconds"}``.
Thin on purpose: the rules, splits and sends live in ``engagement.journeys.definitions``
(docs/journey-definitions.md). A raised error is retried by the state machine (``Retry``).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from engagement import coldstart  # first: no GC during init
from engagement.journeys.definitions.factory import build_runtime
from engagement.journeys.definitions.settings import JourneyDefinitionSettings

logger = Logger()
metrics = Metrics()
tracer = coldstart.tracer()

settings = JourneyDefinitionSettings.from_env()
runtime = build_runtime(settings)
coldstart.done()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(journey_id=event.get("JourneyId"), activity_id=event.get("ActivityId"))
    answer = runtime.step(event)
    metrics.add_metric(name=f"JourneyStep{event.get('Action', '').title()}", unit=MetricUnit.Count, value=1)
    return answer
