"""A segment store and an endpoint registry on moto's in-process DynamoDB (and S3 for snapshots)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from engagement.endpoints import DynamoDBEndpointRegistry
from engagement.segments import SegmentStore

APP = "app-1"
KEYS = {
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "BillingMode": "PAY_PER_REQUEST",
}


@pytest.fixture(scope="module")
def _mocked() -> Iterator[dict[str, Any]]:
    """moto's in-process AWS for one test module (clients are the slow part to build)."""
    with mock_aws():
        yield {
            "dynamodb": boto3.client("dynamodb", region_name="us-east-1"),
            "s3": boto3.client("s3", region_name="us-east-1"),
        }


@pytest.fixture
def aws(_mocked: dict[str, Any]) -> dict[str, Any]:
    """Fresh tables and bucket per test."""
    dynamodb, s3 = _mocked["dynamodb"], _mocked["s3"]
    suffix = uuid.uuid4().hex[:12]
    dynamodb.create_table(TableName=f"Segments-{suffix}", **KEYS)
    dynamodb.create_table(TableName=f"Endpoints-{suffix}", **KEYS)
    bucket = f"snapshots-{suffix}"
    s3.create_bucket(Bucket=bucket)
    return {
        "store": SegmentStore(dynamodb, f"Segments-{suffix}"),
        "registry": DynamoDBEndpointRegistry(dynamodb, f"Endpoints-{suffix}"),
        "dynamodb": dynamodb,
        "s3": s3,
        "bucket": bucket,
    }


@pytest.fixture
def store(aws: dict[str, Any]) -> SegmentStore:
    return aws["store"]


@pytest.fixture
def registry(aws: dict[str, Any]) -> DynamoDBEndpointRegistry:
    return aws["registry"]
