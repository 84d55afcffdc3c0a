"""Every AWS client the library builds retries with botocore's standard mode, from one session."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import boto3
from moto import mock_aws

from engagement.aws import SDK_LOGGERS, aws_client, botocore_session, quiet_sdk_loggers, shared_session


def test_clients_use_standard_retries():
    assert aws_client("sqs").meta.config.retries["mode"] == "standard"


def test_a_given_session_is_used():
    session = boto3.session.Session(region_name="eu-west-1")
    assert aws_client("kinesis", session=session).meta.region_name == "eu-west-1"


def test_one_session_and_one_loader_for_the_process():
    first, second = aws_client("sqs"), aws_client("dynamodb")
    assert shared_session() is shared_session()
    assert botocore_session() is shared_session()._session
    loaders = {id(c._loader) for c in (first, second)} | {id(botocore_session().get_component("data_loader"))}
    assert len(loaders) == 1


def test_clients_can_be_created_from_many_threads_at_once():
    with ThreadPoolExecutor(8) as pool:
        clients = list(pool.map(lambda _: aws_client("sqs"), range(32)))
    assert all(c.meta.service_model.service_name == "sqs" for c in clients)


def test_sdk_debug_logging_never_shows_a_secret(caplog):
    for name in SDK_LOGGERS:  # as a Lambda configured with LOG_LEVEL=DEBUG would leave them
        logging.getLogger(name).setLevel(logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    quiet_sdk_loggers()
    with mock_aws():
        secrets = aws_client("secretsmanager")
        secrets.create_secret(Name="signing", SecretString="s3cr3t-signing-key")
        assert secrets.get_secret_value(SecretId="signing")["SecretString"] == "s3cr3t-signing-key"
    assert "s3cr3t-signing-key" not in caplog.text
    assert all(logging.getLogger(name).getEffectiveLevel() >= logging.INFO for name in SDK_LOGGERS)


def test_without_the_cap_botocore_would_log_it(caplog):
    """The test above can fail: uncapped, botocore logs the response body at DEBUG."""
    logging.getLogger("botocore").setLevel(logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    try:
        with mock_aws():
            secrets = aws_client("secretsmanager")
            secrets.create_secret(Name="signing", SecretString="s3cr3t-signing-key")
            secrets.get_secret_value(SecretId="signing")
        assert "s3cr3t-signing-key" in caplog.text
    finally:
        quiet_sdk_loggers()


def test_clients_are_created_on_first_use_only_once():
    from botocore.stub import Stubber

    from engagement.aws import LazyClient

    lazy = aws_client("sqs")
    assert isinstance(lazy, LazyClient) and "not created" in repr(lazy)
    with ThreadPoolExecutor(8) as pool:
        configs = set(pool.map(lambda _: id(lazy.meta.config), range(16)))
    assert len(configs) == 1 and "not created" not in repr(lazy)
    with Stubber(lazy) as stub:  # botocore's Stubber works through it
        stub.add_response("list_queues", {"QueueUrls": ["https://q"]})
        assert lazy.list_queues()["QueueUrls"] == ["https://q"]


def test_handlers_registered_before_creation_are_kept_and_create_nothing():
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from botocore.stub import Stubber

    lazy = aws_client("dynamodb")
    calls = []
    lazy.meta.events.register(
        "before-parameter-build.dynamodb.GetItem", lambda **kw: calls.append(kw["params"])
    )
    DynamoDBPersistenceLayer(table_name="idempotency", boto3_client=lazy)  # registers its user agent
    assert "not created" in repr(lazy)
    with Stubber(lazy) as stub:
        stub.add_response("get_item", {"Item": {"id": {"S": "a"}}})
        lazy.get_item(TableName="idempotency", Key={"id": {"S": "a"}})
    assert calls == [{"TableName": "idempotency", "Key": {"id": {"S": "a"}}}]


def test_a_client_config_is_kept_until_the_client_exists():
    from engagement.aws import LazyClient

    lazy = LazyClient("dynamodb", config={"parameter_validation": False, "read_timeout": 5})
    assert "not created" in repr(lazy)
    assert lazy.meta.config.read_timeout == 5
    # botocore wraps the serializer in a validator unless parameter_validation is off
    assert type(lazy._serializer).__name__ != "ParamValidationDecorator"
    assert type(aws_client("dynamodb")._serializer).__name__ == "ParamValidationDecorator"


@mock_aws
def test_tables_are_created_on_first_use_from_the_given_session():
    from engagement.aws import LazyTable

    session = boto3.session.Session(region_name="eu-west-1")
    session.client("dynamodb").create_table(
        TableName="t",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    table = LazyTable("t", session)
    assert "not created" in repr(table)
    table.put_item(Item={"pk": "a"})
    assert table.get_item(Key={"pk": "a"})["Item"] == {"pk": "a"}
    assert table.meta.client.meta.region_name == "eu-west-1" and "not created" not in repr(table)


def _deletes(n: int) -> list[dict]:
    return [{"DeleteRequest": {"Key": {"pk": {"S": "p"}, "sk": {"S": f"s{i}"}}}} for i in range(n)]


def test_batch_write_sends_chunks_of_25_and_resends_only_what_dynamodb_left():
    from botocore.stub import Stubber

    from engagement.aws import batch_write

    client = boto3.client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    requests, pauses = _deletes(30), []
    with Stubber(client) as stub:
        stub.add_response(
            "batch_write_item",
            {"UnprocessedItems": {"t": requests[20:25]}},
            {"RequestItems": {"t": requests[:25]}},
        )
        stub.add_response("batch_write_item", {}, {"RequestItems": {"t": requests[20:25]}})
        stub.add_response(
            "batch_write_item", {"UnprocessedItems": {}}, {"RequestItems": {"t": requests[25:]}}
        )
        batch_write(client, "t", requests, operation="DeleteThing", sleep=pauses.append)
        stub.assert_no_pending_responses()
    assert len(pauses) == 1 and 0 <= pauses[0] <= 0.1


def test_batch_write_gives_up_with_a_transient_error_after_its_attempts():
    import pytest
    from botocore.stub import Stubber

    from engagement.aws import BATCH_WRITE_ATTEMPTS, batch_write
    from engagement.models.errors import TooManyRequestsException

    client = boto3.client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    requests = _deletes(30)
    with Stubber(client) as stub:
        for _ in range(BATCH_WRITE_ATTEMPTS):
            stub.add_response("batch_write_item", {"UnprocessedItems": {"t": requests[:2]}})
        with pytest.raises(
            TooManyRequestsException, match=": 7 of 30 writes still unprocessed after 5"
        ) as caught:
            batch_write(client, "t", requests, operation="DeleteThing", sleep=lambda _: None)
        stub.assert_no_pending_responses()
    assert caught.value.status == 429 and caught.value.operation_name == "DeleteThing"
