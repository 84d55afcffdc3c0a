"""The order confirmation journey's JSONata logic, run by a JSONata engine on a minimal ASL walker.

moto stores state machines but does not run them (and not at all without Docker for Lambda
tasks), so this walks the definition state by state, evaluating every ``{% ... %}`` with a real
JSONata implementation and answering the custom-channel Lambda task with a fake.
"""

from __future__ import annotations

import json
import re

import pytest

from local.stack import REPO_ROOT

jsonata = pytest.importorskip(
    "jsonata", reason="jsonata-python (dev dependency) runs the state machine's JSONata"
)

DEFINITION = json.loads((REPO_ROOT / "statemachines" / "order_confirmation.asl.json").read_text())
SUBSTITUTIONS = {
    "CustomChannelFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:cc",
    "FollowUpWaitSeconds": "900",
}
_EXPRESSION = re.compile(r"^\{%(.*)%\}$", re.S)


def _substitute(value):
    if isinstance(value, str):
        return re.sub(r"\$\{(\w+)\}", lambda m: SUBSTITUTIONS[m.group(1)], value)
    if isinstance(value, dict):
        return {k: _substitute(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v) for v in value]
    return value


def _evaluate(template, states, variables):
    if isinstance(template, str) and (match := _EXPRESSION.match(template)):
        expression = jsonata.Jsonata(match.group(1))
        expression.assign("states", states)
        for name, value in variables.items():
            expression.assign(name, value)
        return expression.evaluate(None)
    if isinstance(template, dict):
        return {k: _evaluate(v, states, variables) for k, v in template.items()}
    if isinstance(template, list):
        return [_evaluate(v, states, variables) for v in template]
    return template


class Journey:
    """Walk a JSONata state machine: Map (inline), Task (lambda:invoke), Pass, Wait, Choice, Succeed."""

    def __init__(self, channel):
        self.channel = channel  # fake custom channel: payload -> response
        self.invocations = []
        self.waited = []

    def run(self, machine, data, variables=None, context=None):
        variables = {} if variables is None else variables
        context = context or {"Execution": {"StartTime": "2026-05-04T17:22:06.123Z", "Name": "exec-1"}}
        name = machine["StartAt"]
        while True:
            state = machine["States"][name]
            states = {"input": data, "context": context}
            kind = state["Type"]
            if kind == "Choice":
                name = next(
                    (c["Next"] for c in state["Choices"] if _evaluate(c["Condition"], states, variables)),
                    state["Default"],
                )
                continue
            if kind == "Wait":
                self.waited.append(_evaluate(state["Seconds"], states, variables))
                result = data
            elif kind == "Map":
                result = self._map(state, states, variables, context)
            elif kind == "Task":
                arguments = _evaluate(state["Arguments"], states, variables)
                self.invocations.append(arguments)
                try:
                    result = {"Payload": self.channel(arguments["Payload"])}
                except Exception as error:
                    states = {**states, "errorOutput": {"Error": type(error).__name__}}
                    catch = state["Catch"][0]
                    data = _evaluate(catch["Output"], states, variables)
                    name = catch["Next"]
                    continue
            else:  # Pass, Succeed
                result = data
            states = {**states, "result": result}
            for key, value in state.get("Assign", {}).items():
                variables[key] = _evaluate(value, states, variables)
            data = _evaluate(state["Output"], states, variables) if "Output" in state else result
            if kind == "Succeed" or state.get("End"):
                return data
            name = state["Next"]

    def _map(self, state, states, variables, context):
        items = _evaluate(state["Items"], states, variables)
        results = []
        for index, item in enumerate(items):
            item_context = {**context, "Map": {"Item": {"Value": item, "Index": index}}}
            selected = _evaluate(state["ItemSelector"], {**states, "context": item_context}, variables)
            results.append(self.run(state["ItemProcessor"], selected, dict(variables), item_context))
        return results


MACHINE = _substitute(DEFINITION)
ENDPOINTS = {
    "mary-email": {"ChannelType": "EMAIL", "Address": "mary@example.com"},
    "mary-sms": {"ChannelType": "SMS", "Address": "+12065550100"},
    "mary-app": {"ChannelType": "CUSTOM", "Address": "device-1"},
}


def _input(endpoints=ENDPOINTS):
    return {
        "ApplicationId": "app",
        "JourneyId": "OrderPlaced",
        "ScheduledTime": "t",
        "Data": "",
        "Endpoints": endpoints,
    }


def _channel(statuses):
    """A custom channel answering Pinpoint's journey response, keyed by endpoint id."""

    def respond(payload):
        [endpoint_id] = payload["Endpoints"]
        status = statuses[endpoint_id]
        if isinstance(status, Exception):
            raise status
        return {endpoint_id: {"EventAttributes": {"delivery_status": status}}}

    return respond


def _sent(journey):
    return [(inv["Payload"]["ActivityId"], *inv["Payload"]["Endpoints"]) for inv in journey.invocations]


def test_delivered_email_confirms_without_sms():
    journey = Journey(_channel({"mary-email": "SUCCESSFUL"}))
    output = journey.run(MACHINE, _input())
    assert output["Outcome"] == "EMAIL_DELIVERED"
    assert _sent(journey) == [("SendConfirmationEmail", "mary-email")]
    assert journey.waited == [900]


def test_failed_email_follows_up_by_sms_to_the_sms_endpoint():
    journey = Journey(_channel({"mary-email": "PERMANENT_FAILURE", "mary-sms": "SUCCESSFUL"}))
    output = journey.run(MACHINE, _input())
    assert output["Outcome"] == "SMS_FOLLOW_UP"
    assert _sent(journey) == [("SendConfirmationEmail", "mary-email"), ("SendSmsFollowUp", "mary-sms")]
    assert output["Sms"] == [{"EndpointId": "mary-sms", "DeliveryStatus": "SUCCESSFUL"}]


def test_a_failing_custom_channel_counts_as_not_delivered():
    journey = Journey(_channel({"mary-email": RuntimeError("boom"), "mary-sms": "SUCCESSFUL"}))
    output = journey.run(MACHINE, _input())
    assert output["Email"] == [
        {"EndpointId": "mary-email", "DeliveryStatus": "UNKNOWN_FAILURE", "Error": "RuntimeError"}
    ]
    assert output["Outcome"] == "SMS_FOLLOW_UP"


def test_one_delivered_email_of_several_is_enough():
    endpoints = {**ENDPOINTS, "mary-work": {"ChannelType": "EMAIL", "Address": "mary@work.example"}}
    journey = Journey(_channel({"mary-email": "PERMANENT_FAILURE", "mary-work": "SUCCESSFUL"}))
    assert journey.run(MACHINE, _input(endpoints))["Outcome"] == "EMAIL_DELIVERED"
    assert sorted(e for _, e in _sent(journey)) == ["mary-email", "mary-work"]


def test_no_sms_endpoint_ends_not_delivered():
    endpoints = {"mary-email": ENDPOINTS["mary-email"]}
    journey = Journey(_channel({"mary-email": "TEMPORARY_FAILURE"}))
    assert journey.run(MACHINE, _input(endpoints))["Outcome"] == "NOT_DELIVERED"
    assert len(journey.invocations) == 1


def test_each_invocation_is_a_custom_channel_payload_for_one_endpoint():
    journey = Journey(_channel({"mary-email": "SUCCESSFUL"}))
    journey.run(MACHINE, _input())
    [arguments] = journey.invocations
    payload = arguments["Payload"]
    assert arguments["FunctionName"] == SUBSTITUTIONS["CustomChannelFunctionArn"]
    assert payload["Endpoints"] == {"mary-email": ENDPOINTS["mary-email"]}
    assert json.loads(payload["Data"]) == {"template": "order_confirmation", "channel": "EMAIL"}
    assert payload["ScheduledTime"] == "2026-05-04T17:22:06.123Z" and payload["ApplicationId"] == "app"
