"""Helpers for the journey-definition tests: endpoints, small journeys, what was sent."""

from __future__ import annotations

import copy
import itertools
from typing import Any

from engagement.journeys.definitions.simulate import JourneyLab

_ids = itertools.count()


def add_endpoint(
    lab: JourneyLab, *, zone: str | None = "Europe/Berlin", name: str = "", **fields: Any
) -> str:
    """A fresh EMAIL endpoint (unique id unless ``name``) in the lab's registry; ``fields`` override."""
    endpoint_id = name or f"ep{next(_ids)}"
    endpoint: dict[str, Any] = {
        "ChannelType": "EMAIL",
        "Address": f"{endpoint_id}@example.com",
        "EndpointStatus": "ACTIVE",
        "Location": {"Country": "DE"},
    }
    if zone:
        endpoint["Demographic"] = {"Timezone": zone}
    endpoint.update(copy.deepcopy(fields))
    lab.registry.endpoints[endpoint_id] = {"Id": endpoint_id, **endpoint}
    return endpoint_id


def journey(activities: dict[str, Any], start: str, **fields: Any) -> dict[str, Any]:
    """A minimal event-started ``WriteJourneyRequest`` around ``activities``."""
    return {
        "Name": f"j{next(_ids)}",
        "StartActivity": start,
        "Activities": activities,
        "StartCondition": {
            "EventStartCondition": {
                "EventFilter": {
                    "FilterType": "ENDPOINT",
                    "Dimensions": {"EventType": {"DimensionType": "INCLUSIVE", "Values": ["signup"]}},
                }
            }
        },
        **fields,
    }


def email(template: str, next_activity: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {"TemplateName": template, "MessageConfig": {"FromAddress": "hi@example.com"}}
    if next_activity:
        config["NextActivity"] = next_activity
    return {"EMAIL": config}


def sends(lab: JourneyLab, deployed: dict[str, Any]) -> list[dict[str, Any]]:
    """What the journey handed to the channel, oldest first."""
    return sorted(
        (item for item in lab.channel.sent if item["JourneyId"] == deployed["Id"]),
        key=lambda item: item["at"],
    )


def wait(duration: str, next_activity: str) -> dict[str, Any]:
    return {"Wait": {"WaitTime": {"WaitFor": duration}, "NextActivity": next_activity}}
