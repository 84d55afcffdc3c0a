"""Build the journey trigger from its settings: registry, AWS clients, targets, dead-letter queue."""

from __future__ import annotations

from typing import Any

from engagement.journeys.dead_letters import DeadLetterQueue
from engagement.journeys.put_events import PutEventsTarget
from engagement.journeys.resolve import EndpointResolver
from engagement.journeys.routes import RouteTable, load_routes
from engagement.journeys.settings import JourneySettings
from engagement.journeys.start_execution import StartExecutionTarget
from engagement.journeys.trigger import JourneyTrigger


def build_trigger(
    settings: JourneySettings,
    *,
    routes: RouteTable | None = None,
    session: Any = None,
    logger: Any = None,
    journeys: Any = None,
) -> JourneyTrigger:
    """``journeys`` (``JourneyDefinitionSettings``): in standalone mode, the "pinpoint" routes'
    PutEvents go to the event-started journey definitions (``JourneyEntry.put_events``)."""
    from engagement.aws import aws_client, shared_session
    from engagement.endpoints import build_registry

    session = session or shared_session()  # one session per process (engagement.aws)
    if settings.pinpoint_application_id:
        put_events, application_id = aws_client("pinpoint", session=session), settings.pinpoint_application_id
    elif journeys is not None:
        from engagement.journeys.definitions.factory import build_entry

        put_events, application_id = build_entry(journeys, session=session), settings.application_id
    else:
        put_events, application_id = None, None
    return JourneyTrigger(
        routes=routes or load_routes(),
        resolver=EndpointResolver(
            build_registry(settings.endpoint_store, session=session), settings.application_id
        ),
        targets={
            "pinpoint": PutEventsTarget(put_events, application_id),
            "stepfunctions": StartExecutionTarget(
                aws_client("stepfunctions", session=session), settings.state_machines
            ),
        },
        dead_letters=DeadLetterQueue(aws_client("sqs", session=session), settings.dead_letter_queue_url),
        logger=logger,
    )
