"""The local stack is built from template.yaml itself: nothing declared there may be missing."""

from __future__ import annotations

import json

import boto3
import pytest

from local.functions import function_specs
from local.stack import NOT_MODELLED, load_template

pytestmark = pytest.mark.integration


def test_every_declared_resource_exists(local_stack):
    template = load_template()
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] in NOT_MODELLED or not local_stack.condition_holds(resource):
            continue
        assert local_stack.physical_id(logical_id), f"{logical_id} ({resource['Type']}) was not created"


def test_conditional_resources_follow_parameters(local_stack):
    """No PinpointApplicationId by default: Pinpoint may not invoke the channel."""
    assert "HasPinpointApplication" not in local_stack.true_conditions
    assert "CreateSesConfigurationSet" in local_stack.true_conditions


def test_endpoints_table_has_the_declared_indexes(local_stack):
    table = boto3.client("dynamodb").describe_table(TableName=local_stack.physical_id("EndpointsTable"))[
        "Table"
    ]
    assert {index["IndexName"] for index in table["GlobalSecondaryIndexes"]} == {"ByUser", "ByAddress"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_function_environment_is_resolved_from_the_template(local_stack):
    env = local_stack.function_environment("EventStreamFunction")
    assert env["ENDPOINT_STORE"] == f"dynamodb://{local_stack.physical_id('EndpointsTable')}"
    assert env["EVENT_STREAM_NAME"] == local_stack.physical_id("EventStream")


def test_resources_are_reachable_through_aws_endpoint_url(local_stack):
    """boto3 finds the local stack only through AWS_ENDPOINT_URL: no code branches on 'local'."""
    kinesis = boto3.client("kinesis")
    stream = local_stack.physical_id("EventStream")
    kinesis.put_record(StreamName=stream, Data=json.dumps({"ping": 1}).encode(), PartitionKey="p")
    assert kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamStatus"]


def test_function_specs_come_from_code_directories():
    specs = function_specs()
    assert specs["custom_channel"].logical_id == "CustomChannelFunction"
    assert specs["custom_channel"].timeout_s <= 15, "Pinpoint waits at most 15 s for the custom channel"
