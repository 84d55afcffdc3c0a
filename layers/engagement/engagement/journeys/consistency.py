"""Keep the route table and template.yaml's EventBridge rules from drifting apart.

EventBridge filters events before the function runs and the function matches them again
against routes.json (it is not told which rule fired). If the two disagreed, events would be
delivered and then rejected as unroutable, or a route would never fire. So every route must
have an ``EventBridgeRule`` event on the trigger function named after the route with the
identical ``Pattern`` (and a retry policy and dead-letter queue), and every such rule a route.
Step Functions routes must name a state machine of the template the function may start.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from engagement.journeys.routes import RouteTable, StepFunctionsTarget

FUNCTION_ID = "JourneyTriggerFunction"


def check_routes(
    template: Mapping[str, Any], routes: RouteTable, function_id: str = FUNCTION_ID
) -> list[str]:
    """Every disagreement between ``routes`` and ``template`` (a parsed SAM template), as text."""
    resources = template.get("Resources", {})
    function = resources.get(function_id)
    if not function:
        return [f"template has no {function_id}"]
    props = function.get("Properties", {})
    rules = {
        name: event.get("Properties", {})
        for name, event in (props.get("Events") or {}).items()
        if event.get("Type") == "EventBridgeRule"
    }
    problems = [
        f"EventBridge rule {name} on {function_id} has no route" for name in rules if name not in routes.by_id
    ]
    for route in routes.routes:
        rule = rules.get(route.id)
        if rule is None:
            problems.append(
                f"route {route.id} has no EventBridgeRule event named {route.id} on {function_id}"
            )
            continue
        if rule.get("Pattern") != route.pattern:
            problems.append(
                f"route {route.id}: pattern differs from the rule's\n  route: {json.dumps(route.pattern)}"
                f"\n  rule:  {json.dumps(rule.get('Pattern'), default=str)}"
            )
        problems += [
            f"route {route.id}: rule has no {key}"
            for key in ("RetryPolicy", "DeadLetterConfig")
            if key not in rule
        ]
        if isinstance(route.target, StepFunctionsTarget):
            problems += _check_state_machine(resources, props, route.id, route.target.state_machine)
    return problems


def _check_state_machine(resources: Mapping, props: Mapping, route_id: str, logical_id: str) -> list[str]:
    if resources.get(logical_id, {}).get("Type") not in {
        "AWS::Serverless::StateMachine",
        "AWS::StepFunctions::StateMachine",
    }:
        return [f"route {route_id}: state machine {logical_id} is not a resource of the template"]
    problems = []
    env = json.dumps(props.get("Environment", {}).get("Variables", {}).get("JOURNEY_STATE_MACHINES"))
    if f"${{{logical_id}}}" not in env:
        problems.append(f"route {route_id}: {logical_id} is missing from JOURNEY_STATE_MACHINES")
    policies = json.dumps(props.get("Policies", []))
    if "StepFunctionsExecutionPolicy" not in policies or logical_id not in policies:
        problems.append(
            f"route {route_id}: the function has no StepFunctionsExecutionPolicy for {logical_id}"
        )
    return problems
