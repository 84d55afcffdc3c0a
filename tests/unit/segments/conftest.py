"""A segment store and an endpoint registry on moto's in-process DynamoDB (and S3 for snapshots)."""

from __future__ import annotations

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


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(TableName="Segments", **KEYS)
        dynamodb.create_table(TableName="Endpoints", **KEYS)
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="snapshots")
        yield {
            "store": SegmentStore(dynamodb, "Segments"),
            "registry": DynamoDBEndpointRegistry(dynamodb, "Endpoints"),
            "dynamodb": dynamodb,
            "s3": s3,
        }


@pytest.fixture
def store(aws: dict[str, Any]) -> SegmentStore:
    return aws["store"]


@pytest.fixture
def registry(aws: dict[str, Any]) -> DynamoDBEndpointRegistry:
    return aws["registry"]
