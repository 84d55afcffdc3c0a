"""Compile one journey version into one Step Functions state machine (decision 0020).

Every Pinpoint activity ``X`` becomes the state ``X`` (so an execution's history reads like the
journey), plus at most three helpers: ``X-evaluate`` (a split's check after its
``EvaluationWaitTime``), ``X-route`` (a Choice on the activity Lambda's answer) and ``X-hold`` (a
Wait that holds a participant through quiet time, closed hours, pacing or a pause, then retries
``X``). ``Wait`` activities are native Wait states, so a 30-day wait costs one transition. Every
path ends in ``Exit`` (counts ENDPOINT_LEFT). The activity Lambda answers
``{"Next": <activity id> | "__exit__" | "HOLD", "WaitSeconds": n}``.

One participant per execution (input: ``ApplicationId``, ``JourneyId``, ``RunId``, ``EndpointId``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engagement.journeys.definitions import MESSAGE_ACTIVITIES
from engagement.journeys.definitions.durations import iso, parse_duration, parse_time
from engagement.journeys.definitions.validate import activity_type, edges

EXIT = "__exit__"
HOLD = "HOLD"
EXIT_STATE = "journey-exit"
TRANSIENT_LAMBDA_ERRORS = [
    "JourneyTransientError",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]


def compile_journey(journey: Mapping[str, Any], *, activity_function_arn: str) -> dict[str, Any]:
    """The ASL definition (JSONPath) of one journey version; ``journey`` is a ``JourneyResponse`` dict."""
    activities: Mapping[str, Any] = journey.get("Activities") or {}
    states: dict[str, Any] = {}
    context = {"arn": activity_function_arn, "journey": journey}
    for activity_id, activity in activities.items():
        states.update(_activity_states(activity_id, activity, context))
    states[EXIT_STATE] = _task(EXIT_STATE, "exit", context, next_state="journey-done")
    states["journey-done"] = {"Type": "Succeed"}
    states["journey-failed"] = {
        "Type": "Fail",
        "Error": "JourneyActivityFailed",
        "Cause": "see the task's error",
    }
    start = journey.get("StartActivity") if activities else None
    return {
        "Comment": f"Pinpoint journey {journey.get('Name', '')} ({journey.get('Id', '')}) version "
        f"{journey.get('Version', 1)}: one participant per execution",
        "StartAt": start or EXIT_STATE,
        "States": states,
    }


def _activity_states(
    activity_id: str, activity: Mapping[str, Any], context: dict[str, Any]
) -> dict[str, Any]:
    kind, config = activity_type(activity)
    targets = sorted({target for _field, target in edges(activity)})
    if kind == "Wait":
        return {activity_id: {**_wait(config["WaitTime"]), "Next": config.get("NextActivity") or EXIT_STATE}}
    states: dict[str, Any] = {}
    task_name = activity_id
    evaluation_wait = (
        config.get("EvaluationWaitTime") if kind in ("ConditionalSplit", "MultiCondition") else None
    )
    if evaluation_wait:
        task_name = f"{activity_id}-evaluate"
        states[activity_id] = {**_wait(evaluation_wait), "Next": task_name}
    action = "send" if kind in MESSAGE_ACTIVITIES or kind == "ContactCenter" else "evaluate"
    states[task_name] = _task(activity_id, action, context, next_state=f"{activity_id}-route")
    states[f"{activity_id}-route"] = {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.step.Next", "StringEquals": HOLD, "Next": f"{activity_id}-hold"},
            *({"Variable": "$.step.Next", "StringEquals": target, "Next": target} for target in targets),
        ],
        "Default": EXIT_STATE,
    }
    states[f"{activity_id}-hold"] = {"Type": "Wait", "SecondsPath": "$.step.WaitSeconds", "Next": task_name}
    return states


def _wait(wait_time: Mapping[str, Any]) -> dict[str, Any]:
    if wait_time.get("WaitFor"):
        return {"Type": "Wait", "Seconds": int(parse_duration(wait_time["WaitFor"]).total_seconds())}
    return {"Type": "Wait", "Timestamp": iso(parse_time(wait_time["WaitUntil"]))}


def _task(activity_id: str, action: str, context: Mapping[str, Any], *, next_state: str) -> dict[str, Any]:
    journey = context["journey"]
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {
            "FunctionName": context["arn"],
            "Payload": {
                "Action": action,
                "ActivityId": activity_id,
                "JourneyVersion": int(journey.get("Version", 1)),
                "ApplicationId.$": "$.ApplicationId",
                "JourneyId.$": "$.JourneyId",
                "RunId.$": "$.RunId",
                "EndpointId.$": "$.EndpointId",
                "ExecutionId.$": "$$.Execution.Id",
                "ExecutionStartTime.$": "$$.Execution.StartTime",
            },
        },
        "ResultSelector": {"Next.$": "$.Payload.Next", "WaitSeconds.$": "$.Payload.WaitSeconds"},
        "ResultPath": "$.step",
        "Retry": [
            {
                "ErrorEquals": TRANSIENT_LAMBDA_ERRORS,
                "IntervalSeconds": 2,
                "MaxAttempts": 6,
                "BackoffRate": 2,
                "JitterStrategy": "FULL",
            }
        ],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "journey-failed"}],
        "Next": next_state,
    }
