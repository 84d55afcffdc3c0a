"""The snapshot state machine's JSONata, run by a JSONata engine over real scan workers (moto).

moto does not run Step Functions definitions, so this walks PinVersion -> SegmentExists ->
ScanParts (Distributed Map) itself: every ``{% ... %}`` is evaluated by jsonata-python, the
DynamoDB GetItem task is answered from the real segments table, and each Map item is handed to
the worker's own code (``ScanTask`` + ``write_part``), as the Lambda would be.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from engagement.segments import iter_members, read_snapshot
from engagement.segments.snapshot import ScanTask, write_part
from local.stack import REPO_ROOT
from tests.unit.segments.conftest import APP

jsonata = pytest.importorskip("jsonata", reason="jsonata-python (dev dependency) runs the JSONata")

TEXT = (REPO_ROOT / "statemachines" / "segment_snapshot.asl.json").read_text()
START = "2026-12-01T09:30:00.123Z"


def render(template, states):
    if isinstance(template, dict):
        return {key: render(value, states) for key, value in template.items()}
    if isinstance(template, str) and template.startswith("{%"):
        expression = jsonata.Jsonata(template[2:-2])
        expression.assign("states", states)
        return expression.evaluate(None)
    return template


def run(aws, execution_input, *, default_parts=3):
    text = TEXT.replace("${SegmentsTable}", aws["store"]._table).replace("${SnapshotBucket}", aws["bucket"])
    text = text.replace("${DefaultTotalParts}", str(default_parts)).replace("${SegmentScanFunctionArn}", "fn")
    states = json.loads(text)["States"]
    context = {"Execution": {"StartTime": START, "Name": "exec-1"}}

    pin = states["PinVersion"]
    request = render(pin["Arguments"], {"input": execution_input, "context": context})
    key = {name: value for name, value in request["Key"].items()}
    item = aws["dynamodb"].get_item(TableName=request["TableName"], Key=key, ConsistentRead=True).get("Item")
    planned = render(
        pin["Output"],
        {"input": execution_input, "context": context, "result": {"Item": item} if item else {}},
    )
    choice = states["SegmentExists"]
    if not render(choice["Choices"][0]["Condition"], {"input": planned, "context": context}):
        return choice["Default"], planned

    scan = states["ScanParts"]
    results = []
    for value in render(scan["Items"], {"input": planned, "context": context}):
        payload = render(
            scan["ItemSelector"],
            {"input": planned, "context": {**context, "Map": {"Item": {"Value": value}}}},
        )
        task = ScanTask.model_validate(payload)  # what the Lambda's Parser does
        results.append(write_part(task, segments=aws["store"], registry=aws["registry"], s3=aws["s3"]))
    return "Succeeded", render(scan["Output"], {"input": planned, "context": context, "result": results})


def seed(aws):
    items = [
        {"Id": f"{i:02x}" * 16, "ChannelType": "EMAIL", "Address": f"u{i}@example.com",
         "Demographic": {"Platform": "android" if i % 3 else "ios"}}
        for i in range(0, 256, 7)
    ]  # fmt: skip
    aws["registry"].update_endpoints_batch(ApplicationId=APP, EndpointBatchRequest={"Item": items})
    body = {"Name": "a", "Dimensions": {"Demographic": {"Platform": {"Values": ["android"]}}}}
    return aws["store"].create_segment(ApplicationId=APP, WriteSegmentRequest=body)["SegmentResponse"]["Id"]


def test_snapshot_output_is_every_member_once(aws):
    segment_id = seed(aws)
    status, output = run(aws, {"ApplicationId": APP, "SegmentId": segment_id})
    assert status == "Succeeded" and output["Bucket"] == aws["bucket"]
    expected = sorted(
        e["Id"] for e in iter_members(segments=aws["store"], registry=aws["registry"], application_id=APP,
                                      segment_id=segment_id, now=datetime.now(UTC))
    )  # fmt: skip
    assert output["Count"] == len(expected) == 24
    assert len(output["Keys"]) == 3  # hex ids spread over the 3 default parts
    assert all(key.startswith(f"snapshots/{APP}/{segment_id}/exec-1/part-") for key in output["Keys"])
    assert sorted(e["Id"] for e in read_snapshot(aws["s3"], aws["bucket"], output["Keys"])) == expected


def test_version_is_pinned_once_and_input_overrides_defaults(aws):
    segment_id = seed(aws)
    aws["store"].update_segment(
        ApplicationId=APP, SegmentId=segment_id,
        WriteSegmentRequest={"Dimensions": {"Demographic": {"Platform": {"Values": ["ios"]}}}},
    )  # fmt: skip
    status, latest = run(aws, {"ApplicationId": APP, "SegmentId": segment_id, "TotalParts": 5})
    assert status == "Succeeded" and latest["Count"] == 13  # version 2: ios
    status, first = run(aws, {"ApplicationId": APP, "SegmentId": segment_id, "Version": 1, "TotalParts": 1})
    assert first["Count"] == 24 and len(first["Keys"]) == 1


def test_unknown_segment_fails_the_execution(aws):
    status, planned = run(aws, {"ApplicationId": APP, "SegmentId": "missing"})
    assert status == "SegmentNotFound" and planned["Version"] is None


def test_every_placeholder_has_a_substitution_in_the_template():
    import re

    from local.stack import load_template

    machine = load_template()["Resources"]["SegmentSnapshotStateMachine"]["Properties"]
    assert machine["DefinitionUri"] == "statemachines/segment_snapshot.asl.json"
    assert set(re.findall(r"\$\{(\w+)\}", TEXT)) == set(machine["DefinitionSubstitutions"])
