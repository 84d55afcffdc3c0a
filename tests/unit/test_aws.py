"""Every AWS client the library builds retries with botocore's standard mode."""

from __future__ import annotations

import boto3

from engagement.aws import aws_client


def test_clients_use_standard_retries():
    assert aws_client("sqs").meta.config.retries["mode"] == "standard"


def test_a_given_session_is_used():
    session = boto3.session.Session(region_name="eu-west-1")
    assert aws_client("kinesis", session=session).meta.region_name == "eu-west-1"
