"""Journey entry: participants enter journeys compiled from Pinpoint's JSON.

* On a schedule (every 15 minutes): every ACTIVE segment-started journey whose
  ``RefreshFrequency`` has passed reads its segment; only new members enter.
* Invoked with boto3's ``put_events`` arguments (``{"ApplicationId", "EventsRequest"}``): each
  event enters every ACTIVE event-started journey whose ``EventFilter`` (and gate segment) matches.

Thin on purpose: the logic lives in ``engagement.journeys.definitions.entry``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from engagement import coldstart  # first: no GC during init
from engagement.journeys.definitions.factory import build_entry
from engagement.journeys.definitions.settings import JourneyDefinitionSettings

logger = Logger()
metrics = Metrics()
tracer = coldstart.tracer()

settings = JourneyDefinitionSettings.from_env()
entry = build_entry(settings)
coldstart.done()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "EventsRequest" in event:
        items = event["EventsRequest"].get("BatchItem") or {}
        metrics.add_metric(name="JourneyEntryEvents", unit=MetricUnit.Count, value=len(items))
        return entry.put_events(ApplicationId=event["ApplicationId"], EventsRequest=event["EventsRequest"])
    entered = {}
    for application_id in filter(None, (item.strip() for item in settings.application_ids.split(","))):
        entered[application_id] = entry.refresh(application_id)
    total = sum(count for journeys in entered.values() for count in journeys.values())
    metrics.add_metric(name="JourneySegmentEntries", unit=MetricUnit.Count, value=total)
    return {"entered": entered}
