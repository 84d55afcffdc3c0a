"""Membership over the registry: parallel scan parts, user-level attributes, sources, snapshots."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engagement.segments import count_members, iter_members, read_snapshot, run_snapshot
from engagement.segments.snapshot import ScanTask, collect, write_part
from tests.unit.segments.conftest import APP

NOW = datetime(2026, 12, 1, tzinfo=UTC)
ASL = Path(__file__).parents[3] / "statemachines" / "segment_snapshot.asl.json"


def put(registry, endpoint_id, **request):
    request.setdefault("ChannelType", "EMAIL")
    request.setdefault("Address", f"{endpoint_id}@example.com")
    registry.update_endpoint(ApplicationId=APP, EndpointId=endpoint_id, EndpointRequest=request)


def seed(registry, count=40):
    items = [
        {"Id": f"ep-{i:03d}", "ChannelType": "EMAIL", "Address": f"ep-{i:03d}@example.com",
         "Demographic": {"Platform": "android" if i % 2 else "ios"}, "Metrics": {"n": float(i)}}
        for i in range(count)
    ]  # fmt: skip
    registry.update_endpoints_batch(ApplicationId=APP, EndpointBatchRequest={"Item": items})


def create(store, dimensions=None, groups=None):
    body = {"Name": "s"}
    if dimensions:
        body["Dimensions"] = dimensions
    if groups:
        body["SegmentGroups"] = {"Include": "ALL", "Groups": groups}
    return store.create_segment(ApplicationId=APP, WriteSegmentRequest=body)["SegmentResponse"]["Id"]


ANDROID = {"Demographic": {"Platform": {"DimensionType": "INCLUSIVE", "Values": ["android"]}}}


def members(store, registry, segment_id, **kw):
    found = iter_members(
        segments=store, registry=registry, application_id=APP, segment_id=segment_id, now=NOW, **kw
    )
    return sorted(endpoint["Id"] for endpoint in found)


@pytest.mark.parametrize("parts", [1, 3, 8])
def test_parallel_scan_finds_each_member_once(store, registry, parts):
    seed(registry)
    segment_id = create(store, ANDROID)
    assert members(store, registry, segment_id, total_parts=parts) == [f"ep-{i:03d}" for i in range(1, 40, 2)]


def test_other_applications_endpoints_are_not_members(store, registry):
    seed(registry, 4)
    registry.update_endpoint(
        ApplicationId="other",
        EndpointId="x",
        EndpointRequest={"ChannelType": "EMAIL", "Address": "x@example.com"},
    )
    assert members(store, registry, create(store)) == ["ep-000", "ep-001", "ep-002", "ep-003"]


def test_user_level_membership_follows_the_shared_user_attributes(store, registry):
    put(registry, "email-1", User={"UserId": "u1", "UserAttributes": {"tier": ["bronze"]}})
    put(registry, "sms-1", ChannelType="SMS", Address="+351910000001", User={"UserId": "u1"})
    put(registry, "email-2", User={"UserId": "u2", "UserAttributes": {"tier": ["bronze"]}})
    segment_id = create(
        store, {"UserAttributes": {"tier": {"AttributeType": "INCLUSIVE", "Values": ["gold"]}}}
    )
    assert members(store, registry, segment_id) == []
    # One endpoint of u1 changes the user's attributes: every endpoint of u1 joins the segment.
    put(registry, "email-1", User={"UserId": "u1", "UserAttributes": {"tier": ["gold"]}})
    found = list(
        iter_members(segments=store, registry=registry, application_id=APP, segment_id=segment_id, now=NOW)
    )
    assert sorted(e["Id"] for e in found) == ["email-1", "sms-1"]
    assert all(e["User"]["UserAttributes"]["tier"] == ["gold"] for e in found)


def test_members_carry_user_attributes_even_when_the_segment_does_not_use_them(store, registry):
    put(registry, "e", User={"UserId": "u", "UserAttributes": {"name": ["Ana"]}})
    [member] = list(
        iter_members(segments=store, registry=registry, application_id=APP, segment_id=create(store), now=NOW)
    )
    assert member["User"]["UserAttributes"] == {"name": ["Ana"]}


def test_dynamic_segment_on_imported_and_dynamic_sources(store, registry):
    seed(registry, 10)
    imported = store.put_import_segment(
        APP, "vips", ["EP-001", "ep-002", "ep-003"], file_format="csv", source_url="f"
    )
    android = create(store, ANDROID)
    both = create(
        store, groups=[{"SourceType": "ALL", "SourceSegments": [{"Id": imported["Id"]}, {"Id": android}]}]
    )
    assert members(store, registry, both) == ["ep-001", "ep-003"]
    assert members(store, registry, imported["Id"]) == ["ep-001", "ep-002", "ep-003"]


def test_pinned_version_of_a_source(store, registry):
    seed(registry, 4)
    base = create(store, ANDROID)
    store.update_segment(
        ApplicationId=APP,
        SegmentId=base,
        WriteSegmentRequest={"Dimensions": {"Metrics": {"n": {"ComparisonOperator": "EQUAL", "Value": 0}}}},
    )
    pinned = create(store, groups=[{"SourceSegments": [{"Id": base, "Version": 1}]}])
    latest = create(store, groups=[{"SourceSegments": [{"Id": base}]}])
    assert members(store, registry, pinned) == ["ep-001", "ep-003"]
    assert members(store, registry, latest) == ["ep-000"]
    assert members(store, registry, base, version=1) == ["ep-001", "ep-003"]


def test_count_exact_and_sampled(store, registry):
    seed(registry)
    segment_id = create(store, ANDROID)
    target = {
        "segments": store,
        "registry": registry,
        "application_id": APP,
        "segment_id": segment_id,
        "now": NOW,
    }
    assert count_members(**target) == (20, False)
    estimate, estimated = count_members(**target, total_parts=4, sample_parts=2)
    assert estimated and estimate % 2 == 0 and 0 <= estimate <= 40


def test_pinpoint_backend_filters_its_export(store):
    class PinpointLike:
        def iter_endpoints(self, application_id):
            yield {"Id": "a", "Demographic": {"Platform": "android"}}
            yield {"Id": "b", "Demographic": {"Platform": "ios"}}

    assert members(store, PinpointLike(), create(store, ANDROID)) == ["a"]


# ---------------------------------------------------------------- snapshots
def test_snapshot_parts_union_is_the_segment_and_reads_back(aws, store, registry):
    seed(registry)
    segment_id = create(store, ANDROID)
    out = run_snapshot(
        segments=store, registry=registry, s3=aws["s3"], bucket=aws["bucket"],
        application_id=APP, segment_id=segment_id, now=NOW, total_parts=4,
    )  # fmt: skip
    assert out["Bucket"] == aws["bucket"] and out["Count"] == 20
    assert all(key.startswith(f"snapshots/{APP}/{segment_id}/v1/") for key in out["Keys"])
    read = list(read_snapshot(aws["s3"], out["Bucket"], out["Keys"]))
    assert sorted(e["Id"] for e in read) == members(store, registry, segment_id)
    assert read[0]["ApplicationId"] == APP and read[0]["ChannelType"] == "EMAIL"  # whole EndpointResponse


def test_empty_parts_write_nothing(aws, store, registry):
    put(registry, "only")
    task = ScanTask.model_validate(
        {"ApplicationId": APP, "SegmentId": create(store, ANDROID), "Now": "2026-12-01T00:00:00Z",
         "Part": 0, "TotalParts": 1, "Bucket": "snapshots", "Prefix": "p"}
    )  # fmt: skip
    assert write_part(task, segments=store, registry=registry, s3=aws["s3"]) == {"Key": None, "Count": 0}
    assert aws["s3"].list_objects_v2(Bucket=aws["bucket"]).get("KeyCount") == 0


def test_scan_task_rejects_a_part_outside_the_scan(aws, store, registry):
    task = ScanTask.model_validate(
        {"ApplicationId": APP, "SegmentId": "s", "Now": "2026-12-01T00:00:00Z",
         "Part": 4, "TotalParts": 4, "Bucket": "b", "Prefix": "p"}
    )  # fmt: skip
    with pytest.raises(ValueError, match="not below TotalParts"):
        write_part(task, segments=store, registry=registry, s3=aws["s3"])


def test_state_machine_items_are_scan_tasks_and_output_is_collect():
    """The ASL hands each worker exactly ScanTask's fields and shapes the documented output."""
    definition = json.loads(ASL.read_text())
    scan = definition["States"]["ScanParts"]
    aliases = {field.alias for field in ScanTask.model_fields.values()}
    assert set(scan["ItemSelector"]) == aliases
    assert scan["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert scan["ToleratedFailurePercentage"] == 0
    assert set(scan["Output"]) == set(collect("b", []))
    pin = definition["States"]["PinVersion"]
    assert pin["Arguments"]["Key"]["sk"]["S"].startswith("{% 'SEG#'")  # the store's latest-version item


def test_parts_cover_every_id_exactly_once_and_spread_hex_ids():
    import uuid

    from engagement.segments.scan import part_bounds

    ids = [uuid.uuid4().hex for _ in range(2000)] + ["-dash", "0", "ffff", "ffffz", "zeta", "mary-email", "Ω"]
    total = 8
    bounds = [part_bounds(part, total) for part in range(total)]
    counts = [0] * total
    for endpoint_id in ids:
        key = "EP#" + endpoint_id.lower()
        owners = [part for part, (low, high) in enumerate(bounds) if low <= key < high]
        assert len(owners) == 1, endpoint_id
        counts[owners[0]] += 1
    assert min(counts) > 2000 / total / 2  # uuids: each part gets about an eighth
    with pytest.raises(ValueError, match="Part"):
        part_bounds(8, 8)
