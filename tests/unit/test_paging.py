"""engagement.paging: Pinpoint pages over DynamoDB queries (botocore's paginator), bad input is a 400."""

from __future__ import annotations

import base64
import json

import boto3
import pytest
from moto import mock_aws

from engagement.models.errors import BadRequestException
from engagement.paging import offset_page, parse_page_size, prefix_query, query_items, query_page
from tests.unit.segments.conftest import KEYS

TABLE = "paging"


@pytest.fixture
def client():
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName=TABLE, **KEYS)
        for pk in ("APP#a", "APP#b"):
            for sk in [f"X#{n}" for n in range(5)] + ["Y#0"]:
                client.put_item(TableName=TABLE, Item={"pk": {"S": pk}, "sk": {"S": sk}})
        yield client


def page(client, size=None, token=None, pk="APP#a", prefix="X#"):
    query = prefix_query(TABLE, pk, prefix)
    items, next_token = query_page(client.query, query, page_size=size, token=token, operation="GetThings")
    return [item["sk"]["S"] for item in items], next_token


def forged(key) -> str:
    return base64.b64encode(json.dumps({"ExclusiveStartKey": key}).encode()).decode()


@pytest.mark.parametrize(("value", "expected"), [(None, 100), ("", 100), ("7", 7), (3, 3), (" 2 ", 2)])
def test_page_size_is_a_positive_whole_number_default_100(value, expected):
    assert parse_page_size(value, "GetThings") == expected


@pytest.mark.parametrize("value", ["abc", "1.5", "0", "-3", "1e3"])
def test_a_bad_page_size_is_a_400_naming_it(value):
    with pytest.raises(BadRequestException, match=": PageSize: ") as caught:
        parse_page_size(value, "GetThings")
    assert caught.value.status == 400 and caught.value.operation_name == "GetThings"


def test_pages_follow_next_token_to_the_end_of_the_listing_only(client):
    seen, token, pages = [], None, 0
    while True:
        items, token = page(client, "2", token)
        seen += items
        pages += 1
        if not token:
            break
    assert seen == [f"X#{n}" for n in range(5)] and pages == 3


def test_one_page_holds_everything_when_page_size_allows(client):
    assert page(client) == ([f"X#{n}" for n in range(5)], None)


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "!!!",
        base64.b64encode(b"[1, 2]").decode(),
        base64.b64encode(b'{"ExclusiveStartKey": "X#1"}').decode(),
        forged({"pk": {"S": "APP#b"}, "sk": {"S": "X#1"}}),  # another application's partition
        forged({"pk": {"S": "APP#a"}, "sk": {"S": "Y#0"}}),  # another listing of the same partition
        forged({"pk": {"S": "APP#a"}, "sk": {"S": "X#1"}, "doc": {"S": "x"}}),
    ],
)
def test_a_garbage_or_forged_token_is_a_400_naming_token(client, token):
    with pytest.raises(BadRequestException, match=": Token: "):
        page(client, "2", token)


def test_a_token_of_this_listing_resumes_it(client):
    assert page(client, "2", forged({"pk": {"S": "APP#a"}, "sk": {"S": "X#2"}}))[0] == ["X#3", "X#4"]


def test_query_items_reads_every_page_of_a_client_or_a_table_resource(client):
    query = prefix_query(TABLE, "APP#a", "", Limit=2)
    assert len(list(query_items(client.query, **query))) == 6
    from boto3.dynamodb.conditions import Key

    table = boto3.resource("dynamodb", region_name="us-east-1").Table(TABLE)
    items = list(query_items(table.query, KeyConditionExpression=Key("pk").eq("APP#b"), Limit=4))
    assert [item["sk"] for item in items] == [f"X#{n}" for n in range(5)] + ["Y#0"]


def test_offset_pages_and_their_bad_tokens():
    first = offset_page(list(range(5)), "2", None, "ListThings")
    assert first == {"Item": [0, 1], "NextToken": "2"}
    assert offset_page(list(range(5)), "2", "4", "ListThings") == {"Item": [4]}
    for token in ("abc", "-1", "1.0"):
        with pytest.raises(BadRequestException, match=": Token: "):
            offset_page(list(range(5)), None, token, "ListThings")
