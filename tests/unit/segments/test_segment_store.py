"""SegmentStore: boto3's Pinpoint segment operations and response shapes, on DynamoDB (moto)."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from engagement.aws import aws_client
from engagement.models.errors import BadRequestException, ConflictException, NotFoundException
from tests.unit.segments.conftest import APP

DEFINITION = {
    "Name": "android",
    "Dimensions": {"Demographic": {"Platform": {"DimensionType": "INCLUSIVE", "Values": ["android"]}}},
}


def create(store, body=DEFINITION):
    return store.create_segment(ApplicationId=APP, WriteSegmentRequest=body)["SegmentResponse"]


def test_create_and_get_return_pinpoint_segment_response(store):
    created = create(store)
    assert created["SegmentType"] == "DIMENSIONAL" and created["Version"] == 1
    assert created["Arn"].endswith(f":apps/{APP}/segments/{created['Id']}")
    got = store.get_segment(ApplicationId=APP, SegmentId=created["Id"])
    assert got == {"SegmentResponse": created}


def test_responses_match_botocore_output_shapes(store):
    """Stubber validates a response against the real GetSegment/GetSegments output shapes."""
    created = create(store)
    client = aws_client("pinpoint")
    with Stubber(client) as stubber:
        stubber.add_response("get_segment", store.get_segment(ApplicationId=APP, SegmentId=created["Id"]))
        stubber.add_response("get_segments", store.get_segments(ApplicationId=APP))
        client.get_segment(ApplicationId=APP, SegmentId=created["Id"])
        client.get_segments(ApplicationId=APP)


def test_update_makes_a_new_version_and_keeps_the_old(store):
    created = create(store)
    body = {"Dimensions": {"Location": {"Country": {"Values": ["PT"]}}}}
    updated = store.update_segment(ApplicationId=APP, SegmentId=created["Id"], WriteSegmentRequest=body)
    latest = updated["SegmentResponse"]
    assert (
        latest["Version"] == 2 and latest["Name"] == "android" and "Demographic" not in latest["Dimensions"]
    )
    first = store.get_segment_version(ApplicationId=APP, SegmentId=created["Id"], Version="1")
    assert first["SegmentResponse"]["Dimensions"] == DEFINITION["Dimensions"]
    versions = store.get_segment_versions(ApplicationId=APP, SegmentId=created["Id"])
    assert [v["Version"] for v in versions["SegmentsResponse"]["Item"]] == [1, 2]


def test_update_with_name_only_keeps_the_definition(store):
    created = create(store)
    latest = store.update_segment(
        ApplicationId=APP, SegmentId=created["Id"], WriteSegmentRequest={"Name": "new"}
    )
    assert latest["SegmentResponse"]["Dimensions"] == DEFINITION["Dimensions"]
    assert latest["SegmentResponse"]["Name"] == "new"


def test_get_segments_pages_with_token(store):
    ids = {create(store, {**DEFINITION, "Name": f"s{i}"})["Id"] for i in range(3)}
    first = store.get_segments(ApplicationId=APP, PageSize="2")["SegmentsResponse"]
    assert len(first["Item"]) == 2 and first["NextToken"]
    rest = store.get_segments(ApplicationId=APP, PageSize="2", Token=first["NextToken"])["SegmentsResponse"]
    assert {s["Id"] for s in first["Item"] + rest["Item"]} == ids
    assert (
        "NextToken" not in rest
        or not store.get_segments(ApplicationId=APP, Token=rest["NextToken"])["SegmentsResponse"]["Item"]
    )


def test_segments_of_another_application_are_invisible(store):
    created = create(store)
    with pytest.raises(NotFoundException):
        store.get_segment(ApplicationId="other", SegmentId=created["Id"])
    assert store.get_segments(ApplicationId="other")["SegmentsResponse"]["Item"] == []


def test_delete_removes_segment_and_versions(store):
    created = create(store)
    deleted = store.delete_segment(ApplicationId=APP, SegmentId=created["Id"])
    assert deleted["SegmentResponse"]["Id"] == created["Id"]
    for call in (
        lambda: store.get_segment(ApplicationId=APP, SegmentId=created["Id"]),
        lambda: store.get_segment_version(ApplicationId=APP, SegmentId=created["Id"], Version=1),
        lambda: store.delete_segment(ApplicationId=APP, SegmentId=created["Id"]),
    ):
        with pytest.raises(NotFoundException):
            call()


def test_unknown_ids_raise_not_found(store):
    with pytest.raises(NotFoundException):
        store.get_segment(ApplicationId=APP, SegmentId="nope")
    created = create(store)
    with pytest.raises(NotFoundException):
        store.get_segment_version(ApplicationId=APP, SegmentId=created["Id"], Version=7)


def test_bad_definition_and_unknown_source_are_bad_requests(store):
    with pytest.raises(BadRequestException, match="Values"):
        create(store, {"Dimensions": {"Attributes": {"a": {"Values": "x"}}}})
    body = {"SegmentGroups": {"Groups": [{"SourceSegments": [{"Id": "missing"}]}]}}
    with pytest.raises(
        BadRequestException, match=r"Groups\[0\]\.SourceSegments\[0\]\.Id: segment missing not found"
    ):
        create(store, body)
    assert store.get_segments(ApplicationId=APP)["SegmentsResponse"]["Item"] == []  # nothing written


def test_a_stale_concurrent_update_is_a_conflict(store):
    created = create(store)
    document = {**created, "Version": 2}
    store._write_version(APP, document, previous=1, operation="UpdateSegment")
    with pytest.raises(ConflictException):
        store._write_version(APP, {**created, "Version": 2}, previous=1, operation="UpdateSegment")


def test_imported_segment_versions_and_members(store):
    first = store.put_import_segment(
        APP, "vips", ["a", "b", "a"], file_format="csv", source_url="file:///v.csv"
    )
    assert first["SegmentType"] == "IMPORT" and first["ImportDefinition"]["Size"] == 2
    again = store.put_import_segment(
        APP, "vips", ["c"], file_format="json", source_url="file:///v.jsonl", segment_id=first["Id"]
    )
    assert again["Version"] == 2
    assert store.get_member_ids(APP, first["Id"], 1) == {"a", "b"}
    assert store.get_member_ids(APP, first["Id"], 2) == {"c"}
    with pytest.raises(BadRequestException, match="only Name and tags"):
        store.update_segment(ApplicationId=APP, SegmentId=first["Id"], WriteSegmentRequest=DEFINITION)


def test_many_imported_members_span_items(store):
    ids = [f"ep-{i:05d}" for i in range(2500)]
    segment = store.put_import_segment(APP, "big", ids, file_format="csv", source_url="file:///b.csv")
    assert store.get_member_ids(APP, segment["Id"], 1) == set(ids)
    store.delete_segment(ApplicationId=APP, SegmentId=segment["Id"])
    assert store.get_member_ids(APP, segment["Id"], 1) == frozenset()


def test_build_segment_store_rejects_other_uris():
    from engagement.segments import build_segment_store

    with pytest.raises(ValueError, match="dynamodb://"):
        build_segment_store("s3://bucket")


def test_building_the_store_creates_no_client_and_the_arn_names_its_region():
    from engagement.aws import LazyClient
    from engagement.segments.store import SegmentStore

    client = LazyClient("dynamodb", __import__("boto3").session.Session(region_name="eu-west-1"))
    store = SegmentStore(client, "segments")
    assert "not created" in repr(client)  # the cold start pays for no client
    assert store._arn_prefix == "arn:aws:mobiletargeting:eu-west-1:000000000000"


@pytest.mark.parametrize(
    ("paging", "field"),
    [({"PageSize": "many"}, "PageSize"), ({"PageSize": "-1"}, "PageSize"), ({"Token": "garbage"}, "Token")],
)
def test_a_bad_page_size_or_token_is_a_400_naming_it(store, paging, field):
    created = create(store)
    for list_call, args in (
        (store.get_segments, {"ApplicationId": APP}),
        (store.get_segment_versions, {"ApplicationId": APP, "SegmentId": created["Id"]}),
    ):
        with pytest.raises(BadRequestException) as caught:
            list_call(**args, **paging)
        assert caught.value.message.startswith(f"{field}: ")


def test_a_token_of_another_application_is_refused(store):
    for i in range(2):
        create(store, {**DEFINITION, "Name": f"s{i}"})
    token = store.get_segments(ApplicationId=APP, PageSize="1")["SegmentsResponse"]["NextToken"]
    with pytest.raises(BadRequestException, match="Token: "):
        store.get_segments(ApplicationId="other", Token=token)
