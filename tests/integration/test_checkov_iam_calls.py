"""Least privilege must not starve a function: every DynamoDB call a handler makes with a sample
event is allowed to its role by template.yaml (moto does not enforce IAM, so nothing else would
notice a missing action until deployed)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.iam import allowed_actions, translated_template
from local.seed import seed_templates, verify_sender
from local.stack import REPO_ROOT

pytestmark = pytest.mark.integration

SAMPLES = {
    "custom_channel": ("CustomChannelFunction", "custom_channel_campaign.json"),
    "event_stream": ("EventStreamFunction", "kinesis_suppression.json"),
    "ses_events": ("SesEventsFunction", "ses_bounce.json"),
    "journey_trigger": ("JourneyTriggerFunction", "eventbridge_order_placed.json"),
}
TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _actions(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """(IAM action, table name) pairs one DynamoDB call needs."""
    if operation in ("TransactWriteItems", "TransactGetItems"):
        pairs = []
        for item in params.get("TransactItems", []):
            ((kind, body),) = item.items()
            pairs.append((TRANSACT_ACTIONS.get(kind, "GetItem"), body["TableName"]))
        return pairs
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(operation, table) for table in params.get("RequestItems", {})]
    return [(operation, params["TableName"])]


@pytest.fixture
def dynamodb_calls():
    from engagement.aws import botocore_session

    calls: list[tuple[str, str]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.extend(_actions(model.name, params))

    session = botocore_session()
    session.register("before-parameter-build.dynamodb", record)
    try:
        yield calls
    finally:
        session.unregister("before-parameter-build.dynamodb", record)


@pytest.mark.parametrize("function", SAMPLES)
def test_every_dynamodb_call_is_allowed_by_the_template(
    local_stack, invoke_function, dynamodb_calls, function
):
    logical_id, sample = SAMPLES[function]
    if function == "custom_channel":
        seed_templates(local_stack)
        verify_sender(local_stack)
    invoke_function(function, json.loads((REPO_ROOT / "events" / sample).read_text()))
    assert dynamodb_calls, f"{function} made no DynamoDB call with {sample}: the recorder saw nothing"
    tables = {physical: logical for logical, physical in local_stack.resources.items()}
    translated = translated_template()
    missing = {
        (action, tables.get(table, table))
        for action, table in dynamodb_calls
        if f"dynamodb:{action}".lower()
        not in allowed_actions(translated, f"{logical_id}Role", tables.get(table, table))
    }
    assert not missing, f"{logical_id}Role lacks {sorted(missing)} (template.yaml, docs/security.md)"
