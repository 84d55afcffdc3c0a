"""The local stack is built from template.yaml itself: nothing declared there may be missing."""

from __future__ import annotations

import json

import boto3
import pytest

from local.functions import function_specs
from local.stack import load_template

pytestmark = pytest.mark.integration

# Types whose resources the translated template holds but moto's CloudFormation models without
# a physical id we can look up (layers) - everything else must exist by name.
_NO_PHYSICAL_ID = {"AWS::Serverless::LayerVersion"}


def test_every_declared_resource_exists(local_stack):
    template = load_template()
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] in _NO_PHYSICAL_ID or "Condition" in resource:
            continue
        assert local_stack.physical_id(logical_id), f"{logical_id} ({resource['Type']}) was not created"


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
