"""template.yaml's analytics and operations blocks agree with the package and stay least-privilege."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from engagement.analytics.schema import VIEW_COLUMNS, glue_columns, view_sql
from local.stack import load_template


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    return load_template()["Resources"]


def substituted(text: str) -> str:
    return re.sub(r"\$\{[^}]+\}", "x", text)


def test_the_glue_table_is_pinpoints_schema_partitioned_like_firehose_writes(resources: dict) -> None:
    table = resources["PinpointEventsTable"]["Properties"]["TableInput"]
    assert table["StorageDescriptor"]["Columns"] == glue_columns()
    assert [k["Name"] for k in table["PartitionKeys"]] == ["application_id", "dt"]
    template = table["Parameters"]["storage.location.template"]["Fn::Sub"]
    assert template.endswith("/events/application_id=${!application_id}/dt=${!dt}/")
    prefix = resources["AnalyticsDeliveryStream"]["Properties"]["ExtendedS3DestinationConfiguration"][
        "Prefix"
    ]
    assert (
        prefix
        == "events/application_id=!{partitionKeyFromQuery:application_id}/dt=!{partitionKeyFromQuery:dt}/"
    )


def test_the_glue_types_carry_no_ddl_quoting(resources: dict) -> None:
    """Backticks escape keywords in Athena DDL text; a Glue type string is not DDL (docs/analytics.md)."""
    columns = resources["PinpointEventsTable"]["Properties"]["TableInput"]["StorageDescriptor"]["Columns"]
    facets = next(c["Type"] for c in columns if c["Name"] == "facets")
    assert "common_headers:struct<from:string,to:array<string>" in facets and ",open:struct<" in facets
    assert not any("`" in c["Type"] for c in columns)


def test_the_athena_view_is_the_packages_view(resources: dict) -> None:
    view = resources["KpiEventsView"]["Properties"]["TableInput"]
    encoded = view["ViewOriginalText"]["Fn::Join"][1][1]["Fn::Base64"]["Fn::Sub"]
    document = json.loads(encoded.replace("${AnalyticsDatabase}", "engagement_analytics_dev"))
    assert document["originalSql"] == " ".join(view_sql("athena").split())
    assert [(c["name"], c["type"]) for c in document["columns"]] == list(VIEW_COLUMNS)
    assert [c["Name"] for c in view["StorageDescriptor"]["Columns"]] == [name for name, _ in VIEW_COLUMNS]
    assert base64.b64encode(encoded.encode())  # plain text under Fn::Base64


def test_firehose_extracts_the_partition_keys_with_jq_and_converts_to_parquet(resources: dict) -> None:
    s3 = resources["AnalyticsDeliveryStream"]["Properties"]["ExtendedS3DestinationConfiguration"]
    (extraction,) = [
        p for p in s3["ProcessingConfiguration"]["Processors"] if p["Type"] == "MetadataExtraction"
    ]
    query = extraction["Parameters"][0]["ParameterValue"]
    assert "application_id: .application.app_id" in query and 'strftime("%Y-%m-%d")' in query
    conversion = s3["DataFormatConversionConfiguration"]
    assert conversion["OutputFormatConfiguration"]["Serializer"] == {
        "ParquetSerDe": {"Compression": "SNAPPY"}
    }
    assert conversion["SchemaConfiguration"]["TableName"] == "pinpoint_events"
    assert s3["BufferingHints"]["SizeInMBs"] >= 64  # Firehose's minimum with format conversion
    assert "KMSEncryptionConfig" in s3["EncryptionConfiguration"]


def test_the_bucket_is_encrypted_private_and_tls_only(resources: dict) -> None:
    bucket = resources["AnalyticsBucket"]["Properties"]
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    (deny,) = resources["AnalyticsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    workgroup = resources["AnalyticsWorkGroup"]["Properties"]["WorkGroupConfiguration"]
    assert workgroup["ResultConfiguration"]["EncryptionConfiguration"]["EncryptionOption"] == "SSE_KMS"
    assert workgroup["EnforceWorkGroupConfiguration"] is True


@pytest.mark.parametrize("role", ["AnalyticsFirehoseRole", "AnalyticsQueryPolicy"])
def test_analytics_permissions_name_their_resources(resources: dict, role: str) -> None:
    properties = resources[role]["Properties"]
    documents = [p["PolicyDocument"] for p in properties.get("Policies", [])] or [
        properties["PolicyDocument"]
    ]
    for statement in (s for d in documents for s in d["Statement"]):
        assert statement["Resource"] != "*", statement["Sid"]
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not any(a.endswith(":*") for a in actions), statement["Sid"]


def test_every_alarm_notifies_the_optional_topic(resources: dict) -> None:
    alarms = {name: r for name, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert len(alarms) >= 8
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == {
            "Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]
        }, name


def test_alarms_watch_the_queues_stream_functions_channel_and_ses(resources: dict) -> None:
    text = json.dumps({k: v for k, v in resources.items() if v["Type"] == "AWS::CloudWatch::Alarm"})
    for needle in (
        "EventStreamQuarantineQueue", "SesEventsDeadLetterQueue",
        "JourneyDeadLetterQueue", "IteratorAge", "Throttles", "Errors", "EventRecordsNotWritten",
        '"Failed"', "Reputation.BounceRate", "Reputation.ComplaintRate",
    ):  # fmt: skip
        assert needle in text, needle


def test_the_dashboard_body_is_json_with_every_panel(resources: dict) -> None:
    body, _ = resources["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(substituted(body))["widgets"]
    titles = " | ".join(w["properties"]["title"] for w in widgets)
    for panel in (
        "quarantine",
        "iterator age",
        "errors and throttles",
        "failures by reason",
        "SES reputation",
    ):
        assert panel in titles, panel
