"""template.yaml grants each function what its code does, keeps logs for a bounded time and encrypts
every store at rest, with the optional customer-managed key when one is given (issue 9).

``make checkov`` scans the template itself (part of ``make test``); these tests check the SAM
*output* (the roles SAM generates), which checkov does not see.
"""

from __future__ import annotations

from typing import Any

import pytest

from local.iam import listify as _listify
from local.iam import role_grants as _grants
from local.iam import translated_template
from local.stack import load_template

KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def translated(template) -> dict[str, Any]:
    return translated_template(template)


def _actions(statement: dict[str, Any]) -> list[str]:
    return [a.lower() for a in _listify(statement.get("Action", []))]


def test_no_function_may_scan_a_table_or_use_wildcard_actions(translated):
    for role, statements in _grants(translated).items():
        for statement, _ in statements:
            actions = _actions(statement)
            assert "dynamodb:scan" not in actions, role
            assert not [a for a in actions if a.endswith("*") and not a.startswith("sqs:sendmessage")], (
                role,
                actions,
            )


def test_idempotency_records_are_read_and_written_by_key_only(template):
    statement = template["Resources"]["IdempotencyRecordsPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert set(statement[0]["Action"]) == {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",  # Powertools deletes the in-progress record when the handler fails
        "dynamodb:BatchWriteItem",  # the custom channel completes its sends in batches of 25
    }


def test_ses_suppression_and_sms_are_granted_only_with_their_feature(translated):
    for role, statements in _grants(translated).items():
        for statement, condition in statements:
            actions = _actions(statement)
            if "ses:putsuppresseddestination" in actions:
                assert condition == "UseSesSuppressionList", role
            if any(a.startswith("sms-voice:") for a in actions):
                assert condition == "HasSmsOriginationIdentity", role
                assert actions == ["sms-voice:sendtextmessage"]
                for resource in _listify(statement["Resource"]):
                    assert not str(resource.get("Fn::Sub", resource)).endswith(":*"), resource


def test_the_kinesis_managed_policy_is_capped_at_named_streams(translated):
    """Every role SAM gives AWSLambdaKinesisExecutionRole (every stream of the account) has a
    permissions boundary that allows Kinesis on named streams only (docs/decisions/0049)."""
    resources = translated["Resources"]
    kinesis_roles = [
        role_id
        for role_id, role in resources.items()
        if role["Type"] == "AWS::IAM::Role"
        and any(
            "AWSLambdaKinesisExecutionRole" in str(a) for a in role["Properties"].get("ManagedPolicyArns", [])
        )
    ]
    assert "EventStreamFunctionRole" in kinesis_roles
    for role_id in kinesis_roles:
        boundary = resources[role_id]["Properties"].get("PermissionsBoundary")
        assert boundary, f"{role_id} reads every stream of the account: give it a permissions boundary"
        statements = _listify(resources[boundary["Ref"]]["Properties"]["PolicyDocument"]["Statement"])
        for statement in statements:
            if "NotAction" in statement:
                assert statement["NotAction"] == "kinesis:*", role_id
            elif any(a.startswith("kinesis:") for a in _actions(statement)):
                assert "*" not in str(statement["Resource"]).replace("/consumer/*", ""), role_id
    boundary = resources["EventStreamFunctionRole"]["Properties"]["PermissionsBoundary"]["Ref"]
    reads = resources[boundary]["Properties"]["PolicyDocument"]["Statement"][1]["Resource"]
    assert reads[0] == {"Fn::GetAtt": ["EventStream", "Arn"]}


def test_every_function_has_a_log_group_with_retention(template):
    resources = template["Resources"]
    functions = [k for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"]
    groups = {
        str(v["Properties"]["LogGroupName"]): v["Properties"]
        for v in resources.values()
        if v["Type"] == "AWS::Logs::LogGroup" and "LogGroupName" in v["Properties"]
    }
    for function in functions:
        name = str({"Fn::Sub": f"/aws/lambda/${{{function}}}"})
        assert name in groups, f"{function} has no AWS::Logs::LogGroup /aws/lambda/${{{function}}}"
        assert groups[name]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_event_driven_functions_have_bounded_concurrency(template):
    resources = template["Resources"]
    for function in ("SesEventsFunction", "JourneyTriggerFunction", "CustomChannelFunction"):
        assert "ReservedConcurrentExecutions" in resources[function]["Properties"], function


def _resolve(node: Any, has_key: bool) -> Any:
    """Evaluate ``!If [HasKmsKey, a, b]`` and ``!Ref KmsKeyArn`` for one value of the parameter."""
    if isinstance(node, dict) and "Fn::If" in node and node["Fn::If"][0] == "HasKmsKey":
        return _resolve(node["Fn::If"][1 if has_key else 2], has_key)
    if node == {"Ref": "KmsKeyArn"}:
        return KMS_KEY
    if node == {"Ref": "AWS::NoValue"}:
        return None
    if isinstance(node, dict):
        return {k: _resolve(v, has_key) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, has_key) for v in node]
    return node


KEY_OF = {
    "AWS::DynamoDB::Table": lambda p: p["SSESpecification"]["KMSMasterKeyId"],
    "AWS::SQS::Queue": lambda p: p["KmsMasterKeyId"],
    "AWS::Kinesis::Stream": lambda p: p["StreamEncryption"]["KeyId"],
    "AWS::S3::Bucket": lambda p: p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ]["KMSMasterKeyID"],
    "AWS::SecretsManager::Secret": lambda p: p["KmsKeyId"],
    "AWS::Logs::LogGroup": lambda p: p["KmsKeyId"],
}


def test_every_store_uses_the_customer_managed_key_when_given(template):
    stores = [(k, v) for k, v in template["Resources"].items() if v["Type"] in KEY_OF]
    assert len(stores) >= 12
    for logical_id, resource in stores:
        properties = _resolve(resource["Properties"], has_key=True)
        assert KEY_OF[resource["Type"]](properties) == KMS_KEY, logical_id
    assert _resolve(template["Globals"]["Function"]["KmsKeyArn"], has_key=True) == KMS_KEY


def test_without_a_key_every_store_is_still_encrypted(template):
    for logical_id, resource in template["Resources"].items():
        properties = _resolve(resource.get("Properties", {}), has_key=False)
        kind = resource["Type"]
        if kind == "AWS::SQS::Queue":
            assert properties["SqsManagedSseEnabled"] is True, logical_id
        elif kind == "AWS::DynamoDB::Table":
            assert properties["SSESpecification"]["SSEEnabled"] is True, logical_id
        elif kind == "AWS::Kinesis::Stream":
            assert properties["StreamEncryption"]["EncryptionType"] == "KMS", logical_id
