"""Validate a ``WriteJourneyRequest``: botocore's model first, then the graph and Pinpoint's quotas.

Every error names the activity and the field (``Activities.opened.ConditionalSplit.TrueActivity:
'abTest2' is not an activity``), is a :class:`BadRequestException` (HTTP 400), and lists every
problem found, so one deploy shows them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from engagement.journeys.definitions import ACTIVITY_TYPES, MESSAGE_ACTIVITIES
from engagement.journeys.definitions.durations import parse_duration, parse_time
from engagement.models.errors import BadRequestException
from engagement.segments.definition import dimensions_problems, metric_problems

# Pinpoint's journey quotas (developer guide, "Amazon Pinpoint quotas") and field limits (model docs).
MAX_ACTIVITIES = 40
MAX_NAME_LENGTH = 150
MAX_ACTIVITY_ID_LENGTH = 100
MAX_MULTI_CONDITION_BRANCHES = 4  # plus the Else path: 5 paths
MAX_RANDOM_SPLIT_BRANCHES = 5
MAX_CAP = 100
MAX_TIMEFRAME_DAYS = 30
MAX_OPEN_HOURS_RANGES = 4
MAX_CLOSED_DAYS = 20
ACTIVITY_ID = re.compile(r"^[A-Za-z0-9]+$")
HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
UTC_OFFSET = re.compile(r"^UTC([+-](0\d|1[0-4])(:[0-5]\d)?)?$")
# Activities this deployment has no sender for (no push provider, no Connect campaign).
UNSUPPORTED = {
    "PUSH": "no push sender in this deployment (End User Messaging push is not wired); remove the activity",
    "ContactCenter": "no Amazon Connect sender in this deployment; remove the activity",
}


def validate_journey(
    body: Mapping[str, Any], *, operation: str = "CreateJourney", supported: frozenset[str] | None = None
) -> None:
    """Raise ``BadRequestException`` naming every bad field; return ``None`` when the journey can run."""
    from engagement.models.service import validate_shape

    validate_shape("WriteJourneyRequest", dict(body), operation=operation)
    problems = list(_problems(body, supported if supported is not None else frozenset()))
    if problems:
        raise BadRequestException("; ".join(problems), operation)


def edges(activity: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(field, next activity id)`` for every outgoing edge of one activity."""
    kind, config = activity_type(activity)
    found: list[tuple[str, str]] = []
    for field in ("NextActivity", "TrueActivity", "FalseActivity", "DefaultActivity"):
        if config.get(field):
            found.append((f"{kind}.{field}", config[field]))
    for index, branch in enumerate(config.get("Branches") or []):
        if branch.get("NextActivity"):
            found.append((f"{kind}.Branches[{index}].NextActivity", branch["NextActivity"]))
    return found


def activity_type(activity: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The one type key of an activity (``"EMAIL"``...) and its configuration."""
    kinds = [key for key in ACTIVITY_TYPES if activity.get(key) is not None]
    return (kinds[0], activity[kinds[0]]) if len(kinds) == 1 else ("", {})


def _problems(body: Mapping[str, Any], supported: frozenset[str]) -> Iterator[str]:
    name = body.get("Name", "")
    if len(name) > MAX_NAME_LENGTH or " " in name:
        yield f"Name: at most {MAX_NAME_LENGTH} characters, no spaces"
    activities: Mapping[str, Any] = body.get("Activities") or {}
    if len(activities) > MAX_ACTIVITIES:
        yield f"Activities: {len(activities)} activities; a journey has at most {MAX_ACTIVITIES}"
    for activity_id, activity in activities.items():
        yield from _activity_problems(activity_id, activity, activities, supported)
    yield from _graph_problems(body, activities)
    yield from _rule_problems(body)


def _activity_problems(
    activity_id: str, activity: Mapping[str, Any], activities: Mapping[str, Any], supported: frozenset[str]
) -> Iterator[str]:
    where = f"Activities.{activity_id}"
    if not ACTIVITY_ID.match(activity_id) or len(activity_id) > MAX_ACTIVITY_ID_LENGTH:
        yield f"{where}: an activity id is alphanumeric, at most {MAX_ACTIVITY_ID_LENGTH} characters"
    kinds = [key for key in ACTIVITY_TYPES if activity.get(key) is not None]
    if len(kinds) != 1:
        yield f"{where}: exactly one activity type is required, found {kinds or 'none'}"
        return
    kind, config = kinds[0], activity[kinds[0]]
    where = f"{where}.{kind}"
    if kind in UNSUPPORTED and kind not in supported:
        yield f"{where}: {UNSUPPORTED[kind]}"
    for field, target in edges(activity):
        if target not in activities:
            yield f"Activities.{activity_id}.{field}: {target!r} is not an activity"
    if kind in ("EMAIL", "SMS") and not config.get("TemplateName"):
        yield f"{where}.TemplateName: required (the message comes from a template)"
    if kind == "CUSTOM" and not config.get("DeliveryUri"):
        yield f"{where}.DeliveryUri: required (a Lambda ARN or an https URL)"
    if kind == "Wait":
        yield from _wait_problems(f"{where}.WaitTime", config.get("WaitTime") or {})
    if kind in ("ConditionalSplit", "MultiCondition") and config.get("EvaluationWaitTime"):
        yield from _wait_problems(f"{where}.EvaluationWaitTime", config["EvaluationWaitTime"])
    if kind == "ConditionalSplit":
        for index, condition in enumerate((config.get("Condition") or {}).get("Conditions") or []):
            yield from _condition_problems(f"{where}.Condition.Conditions[{index}]", condition, activities)
    if kind == "MultiCondition":
        branches = config.get("Branches") or []
        if not branches or len(branches) > MAX_MULTI_CONDITION_BRANCHES:
            yield f"{where}.Branches: 1 to {MAX_MULTI_CONDITION_BRANCHES} branches (plus DefaultActivity)"
        for index, branch in enumerate(branches):
            yield from _condition_problems(
                f"{where}.Branches[{index}].Condition", branch.get("Condition") or {}, activities
            )
    if kind == "RandomSplit":
        branches = config.get("Branches") or []
        if not branches or len(branches) > MAX_RANDOM_SPLIT_BRANCHES:
            yield f"{where}.Branches: 1 to {MAX_RANDOM_SPLIT_BRANCHES} branches"
        total = sum(branch.get("Percentage", 0) for branch in branches)
        if branches and total != 100:
            yield f"{where}.Branches: percentages add up to {total}, not 100"
    if kind == "Holdout":
        percentage = config.get("Percentage")
        if percentage is None or not 0 <= percentage <= 100:
            yield f"{where}.Percentage: required, 0 to 100"


def _wait_problems(where: str, wait: Mapping[str, Any]) -> Iterator[str]:
    given = [key for key in ("WaitFor", "WaitUntil") if wait.get(key)]
    if len(given) != 1:
        yield f"{where}: exactly one of WaitFor or WaitUntil"
        return
    try:
        parse_duration(wait["WaitFor"]) if given[0] == "WaitFor" else parse_time(wait["WaitUntil"])
    except ValueError:
        kind = "duration" if given[0] == "WaitFor" else "date-time"
        yield f"{where}.{given[0]}: {wait[given[0]]!r} is not an ISO 8601 {kind}"


def _condition_problems(
    where: str, condition: Mapping[str, Any], activities: Mapping[str, Any]
) -> Iterator[str]:
    kinds = [key for key in ("EventCondition", "SegmentCondition", "SegmentDimensions") if condition.get(key)]
    if len(kinds) != 1:
        yield f"{where}: exactly one of EventCondition, SegmentCondition or SegmentDimensions"
        return
    if kinds[0] == "EventCondition":
        source = condition["EventCondition"].get("MessageActivity")
        if not source or activity_type(activities.get(source) or {})[0] not in MESSAGE_ACTIVITIES:
            yield f"{where}.EventCondition.MessageActivity: {source!r} is not a message activity"
        if not ((condition["EventCondition"].get("Dimensions") or {}).get("EventType") or {}).get("Values"):
            yield f"{where}.EventCondition.Dimensions.EventType: required (e.g. _email.open)"
        metrics = (condition["EventCondition"].get("Dimensions") or {}).get("Metrics") or {}
        yield from metric_problems(metrics, f"{where}.EventCondition.Dimensions.Metrics")
    if kinds[0] == "SegmentDimensions":  # the rules a segment's own dimensions follow
        yield from dimensions_problems(condition["SegmentDimensions"], f"{where}.SegmentDimensions")


def _graph_problems(body: Mapping[str, Any], activities: Mapping[str, Any]) -> Iterator[str]:
    start = body.get("StartActivity")
    if not activities:
        return
    if start not in activities:
        yield f"StartActivity: {start!r} is not an activity"
        return
    graph = {
        key: [target for _field, target in edges(value) if target in activities]
        for key, value in activities.items()
    }
    reached: set[str] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node not in reached:
            reached.add(node)
            stack.extend(graph[node])
    for activity_id in activities:
        if activity_id not in reached:
            yield f"Activities.{activity_id}: unreachable from StartActivity {start!r}"
    cycle = _find_cycle(graph, start)
    if cycle:
        yield f"Activities.{cycle[-2]}: the path {' -> '.join(cycle)} is a cycle; a journey is acyclic"
    yield from _event_condition_order(activities, graph, start)


def _find_cycle(graph: Mapping[str, list[str]], start: str) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node], _ = 1, path.append(node)
        for target in graph[node]:
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[node], _ = 2, path.pop()
        return None

    return visit(start)


def _event_condition_order(
    activities: Mapping[str, Any], graph: Mapping[str, list[str]], start: str
) -> Iterator[str]:
    """An EventCondition's MessageActivity must lie on some path from the start to the split."""
    ancestors = ancestors_of(graph, start)
    for activity_id, activity in activities.items():
        kind, config = activity_type(activity)
        conditions = (
            [*((config.get("Condition") or {}).get("Conditions") or [])] if kind == "ConditionalSplit" else []
        )
        conditions += (
            [branch.get("Condition") or {} for branch in config.get("Branches") or []]
            if kind == "MultiCondition"
            else []
        )
        for condition in conditions:
            source = (condition.get("EventCondition") or {}).get("MessageActivity")
            if source in activities and source not in ancestors.get(activity_id, set()):
                yield f"Activities.{activity_id}.{kind}: MessageActivity {source!r} is not before it"


def ancestors_of(graph: Mapping[str, list[str]], start: str) -> dict[str, set[str]]:
    """Activity id → every activity on some path from the start to it (the graph is acyclic)."""
    result: dict[str, set[str]] = {start: set()}
    order: list[str] = []
    seen: set[str] = set()

    def visit(node: str) -> None:
        seen.add(node)
        for target in graph[node]:
            if target not in seen:
                visit(target)
        order.append(node)

    visit(start)
    for node in reversed(order):
        for target in graph[node]:
            result.setdefault(target, set()).update(result.get(node, set()) | {node})
    return result


def _rule_problems(body: Mapping[str, Any]) -> Iterator[str]:
    limits = body.get("Limits") or {}
    for field in ("DailyCap", "TotalCap", "EndpointReentryCap"):
        if limits.get(field, 0) > MAX_CAP:
            yield f"Limits.{field}: at most {MAX_CAP}"
    timeframe = limits.get("TimeframeCap") or {}
    if timeframe.get("Cap", 0) > MAX_CAP or timeframe.get("Days", 0) > MAX_TIMEFRAME_DAYS:
        yield f"Limits.TimeframeCap: Cap at most {MAX_CAP}, Days at most {MAX_TIMEFRAME_DAYS}"
    for field in ("EndpointReentryInterval",):
        if limits.get(field):
            try:
                parse_duration(limits[field])
            except ValueError:
                yield f"Limits.{field}: {limits[field]!r} is not an ISO 8601 duration"
    if body.get("RefreshFrequency"):
        try:
            parse_duration(body["RefreshFrequency"])
        except ValueError:
            yield f"RefreshFrequency: {body['RefreshFrequency']!r} is not an ISO 8601 duration"
    if body.get("RefreshOnSegmentUpdate") and not body.get("RefreshFrequency"):
        yield "RefreshOnSegmentUpdate: needs a RefreshFrequency"
    quiet = body.get("QuietTime") or {}
    for field in ("Start", "End"):
        if quiet and not HH_MM.match(quiet.get(field) or ""):
            yield f"QuietTime.{field}: HH:MM (24-hour) required"
    yield from _schedule_problems(body.get("Schedule") or {})
    yield from _open_hours_problems(body.get("OpenHours") or {}, body.get("ClosedDays") or {})
    start = body.get("StartCondition") or {}
    event = start.get("EventStartCondition") or {}
    if event and not (((event.get("EventFilter") or {}).get("Dimensions") or {}).get("EventType") or {}).get(
        "Values"
    ):
        yield "StartCondition.EventStartCondition.EventFilter.Dimensions.EventType: required"
    metrics = ((event.get("EventFilter") or {}).get("Dimensions") or {}).get("Metrics") or {}
    yield from metric_problems(metrics, "StartCondition.EventStartCondition.EventFilter.Dimensions.Metrics")
    if start.get("SegmentStartCondition") is not None and not start["SegmentStartCondition"].get("SegmentId"):
        yield "StartCondition.SegmentStartCondition.SegmentId: required"


def _schedule_problems(schedule: Mapping[str, Any]) -> Iterator[str]:
    for field in ("StartTime", "EndTime"):
        if schedule.get(field):
            try:
                parse_time(schedule[field])
            except ValueError:
                yield f"Schedule.{field}: {schedule[field]!r} is not an ISO 8601 date-time"
    if schedule.get("Timezone") and not UTC_OFFSET.match(schedule["Timezone"]):
        yield f"Schedule.Timezone: {schedule['Timezone']!r} is not UTC or a UTC offset like UTC+05:30"


def _open_hours_problems(open_hours: Mapping[str, Any], closed_days: Mapping[str, Any]) -> Iterator[str]:
    for channel, days in open_hours.items():
        for day, ranges in (days or {}).items():
            if len(ranges) > MAX_OPEN_HOURS_RANGES:
                yield f"OpenHours.{channel}.{day}: at most {MAX_OPEN_HOURS_RANGES} ranges a day"
            for index, window in enumerate(ranges):
                if not (
                    HH_MM.match(window.get("StartTime") or "") and HH_MM.match(window.get("EndTime") or "")
                ):
                    yield f"OpenHours.{channel}.{day}[{index}]: StartTime and EndTime are HH:MM"
    for channel, rules in closed_days.items():
        if len(rules or []) > MAX_CLOSED_DAYS:
            yield f"ClosedDays.{channel}: at most {MAX_CLOSED_DAYS} rules"


def segment_references(body: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(field path, segment id)`` for every segment the journey names."""
    start = body.get("StartCondition") or {}
    for kind in ("SegmentStartCondition", "EventStartCondition"):
        if (start.get(kind) or {}).get("SegmentId"):
            yield f"StartCondition.{kind}.SegmentId", start[kind]["SegmentId"]
    for activity_id, activity in (body.get("Activities") or {}).items():
        kind, config = activity_type(activity)
        where = f"Activities.{activity_id}.{kind}"
        conditions = [
            (f"{where}.Condition.Conditions[{index}]", item)
            for index, item in enumerate((config.get("Condition") or {}).get("Conditions") or [])
        ]
        conditions += [
            (f"{where}.Branches[{index}].Condition", branch.get("Condition") or {})
            for index, branch in enumerate(config.get("Branches") or [])
            if kind == "MultiCondition"
        ]
        for path, condition in conditions:
            if (condition.get("SegmentCondition") or {}).get("SegmentId"):
                yield f"{path}.SegmentCondition.SegmentId", condition["SegmentCondition"]["SegmentId"]


def validate_segments(body: Mapping[str, Any], segments: Any, application_id: str, *, operation: str) -> None:
    """Every named segment exists; the gate segment of an event journey is dynamic (not imported)."""
    from engagement.models.errors import NotFoundException

    problems = []
    for path, segment_id in segment_references(body):
        try:
            segment = segments.get_segment(ApplicationId=application_id, SegmentId=segment_id)[
                "SegmentResponse"
            ]
        except NotFoundException:
            problems.append(f"{path}: segment {segment_id!r} not found")
            continue
        if path.startswith("StartCondition.EventStartCondition") and segment.get("SegmentType") == "IMPORT":
            problems.append(
                f"{path}: the gate segment of an event-started journey must be dynamic, not imported"
            )
    if problems:
        raise BadRequestException("; ".join(problems), operation)
