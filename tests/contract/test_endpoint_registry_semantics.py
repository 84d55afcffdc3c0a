"""Pinpoint's endpoint semantics, enforced by our DynamoDB backend (``ours_only``: on Pinpoint
these are Pinpoint's job, and a stub could only replay what the test told it)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.ours_only


def update(backend: Any, endpoint_id: str, **request: Any) -> None:
    backend.registry.update_endpoint(
        ApplicationId=backend.application_id, EndpointId=endpoint_id, EndpointRequest=request
    )


def batch(backend: Any, items: list[dict[str, Any]]) -> None:
    backend.registry.update_endpoints_batch(
        ApplicationId=backend.application_id, EndpointBatchRequest={"Item": items}
    )


def get(backend: Any, endpoint_id: str) -> dict[str, Any]:
    return backend.registry.get_endpoint(ApplicationId=backend.application_id, EndpointId=endpoint_id)[
        "EndpointResponse"
    ]


def exists(backend: Any, endpoint_id: str) -> bool:
    try:
        get(backend, endpoint_id)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "NotFoundException"
        return False
    return True


def status(backend: Any, endpoint_id: str) -> str:
    return get(backend, endpoint_id)["EndpointStatus"]


def bad_request_message(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    return caught.value.response["Error"]["Message"]


def email(address: str, **more: Any) -> dict[str, Any]:
    return {"ChannelType": "EMAIL", "Address": address, **more}


# ---------------------------------------------------------------- merge
def test_attributes_merge_per_key_and_an_empty_list_removes_a_key(backend: Any) -> None:
    update(backend, "ep", **email("ana@example.com", Attributes={"Plan": ["gold"], "Pets": ["cat"]}))
    update(backend, "ep", Attributes={"Plan": ["silver", "trial"], "Pets": [], "Team": ["blue"]})

    assert get(backend, "ep")["Attributes"] == {"Plan": ["silver", "trial"], "Team": ["blue"]}


def test_metrics_demographic_and_location_merge_per_field(backend: Any) -> None:
    first = email(
        "ana@example.com",
        Metrics={"score": 1.5},
        Demographic={"Platform": "ios", "Make": "Apple"},
        Location={"City": "Seattle", "Latitude": 47.6},
    )
    update(backend, "ep", **first)
    update(
        backend,
        "ep",
        Metrics={"visits": 2.0},
        Demographic={"Platform": "android"},
        Location={"Country": "US"},
    )

    endpoint = get(backend, "ep")
    assert endpoint["Metrics"] == {"score": 1.5, "visits": 2.0}
    assert endpoint["Demographic"] == {"Platform": "android", "Make": "Apple"}
    assert endpoint["Location"] == {"City": "Seattle", "Latitude": 47.6, "Country": "US"}


def test_doubles_round_trip_exactly(backend: Any) -> None:
    metrics = {"tiny": 5e-324, "third": 1 / 3, "big": 1.7976931348623157e308, "neg": -0.1}
    update(backend, "ep", **email("ana@example.com", Metrics=metrics))

    assert get(backend, "ep")["Metrics"] == metrics


def test_creation_date_is_kept_and_effective_date_moves(backend: Any) -> None:
    update(backend, "ep", **email("ana@example.com"))
    first = get(backend, "ep")
    update(backend, "ep", Attributes={"Plan": ["gold"]})
    second = get(backend, "ep")

    assert second["CreationDate"] == first["CreationDate"]
    assert second["EffectiveDate"] >= first["EffectiveDate"]
    assert second["CohortId"] == first["CohortId"]


def test_endpoint_ids_are_case_insensitive(backend: Any) -> None:
    update(backend, "Ep-ABC", **email("ana@example.com"))
    update(backend, "ep-abc", Attributes={"Plan": ["gold"]})

    endpoint = get(backend, "EP-abc")
    assert (endpoint["Id"], endpoint["Attributes"]) == ("Ep-ABC", {"Plan": ["gold"]})


# ---------------------------------------------------------------- ACTIVE / INACTIVE
def test_updating_an_endpoint_deactivates_others_with_the_same_address(backend: Any) -> None:
    update(backend, "phone", **email("sam@example.com"))
    update(backend, "laptop", **email("Sam@Example.com "))
    assert (status(backend, "phone"), status(backend, "laptop")) == ("INACTIVE", "ACTIVE")

    update(backend, "phone", Attributes={"Seen": ["again"]})
    assert (status(backend, "phone"), status(backend, "laptop")) == ("ACTIVE", "INACTIVE")


def test_same_address_on_another_channel_is_left_alone(backend: Any) -> None:
    update(backend, "sms", ChannelType="SMS", Address="+12065550100")
    update(backend, "voice", ChannelType="VOICE", Address="+12065550100")

    assert (status(backend, "sms"), status(backend, "voice")) == ("ACTIVE", "ACTIVE")


def test_an_endpoint_that_moved_away_is_not_deactivated(backend: Any) -> None:
    update(backend, "a", **email("old@example.com"))
    update(backend, "a", Address="new@example.com")
    update(backend, "b", **email("old@example.com"))

    assert (status(backend, "a"), status(backend, "b")) == ("ACTIVE", "ACTIVE")


def test_request_endpoint_status_wins(backend: Any) -> None:
    update(backend, "ep", **email("ana@example.com", EndpointStatus="INACTIVE"))

    assert status(backend, "ep") == "INACTIVE"


def test_a_batch_sharing_one_address_leaves_only_the_last_active(backend: Any) -> None:
    """101 items change together: the registry falls back to one transaction per item."""
    batch(backend, [{"Id": f"ep-{n}", **email("shared@example.com")} for n in range(100)])

    found = backend.registry.find_endpoints_by_address(backend.application_id, "EMAIL", "SHARED@example.com")
    active = [endpoint["Id"] for endpoint in found if endpoint["EndpointStatus"] == "ACTIVE"]
    assert (len(found), active) == (100, ["ep-99"])


# ---------------------------------------------------------------- users
def test_user_attributes_are_shared_by_all_endpoints_of_the_user(backend: Any) -> None:
    update(
        backend,
        "mail",
        **email("ana@example.com", User={"UserId": "ana", "UserAttributes": {"First": ["Ana"]}}),
    )
    update(
        backend,
        "sms",
        ChannelType="SMS",
        Address="+12065550101",
        User={"UserId": "ana", "UserAttributes": {"Tier": ["1"]}},
    )

    assert get(backend, "mail")["User"] == {
        "UserId": "ana",
        "UserAttributes": {"First": ["Ana"], "Tier": ["1"]},
    }


def test_an_endpoint_moved_to_another_user_leaves_the_first(backend: Any) -> None:
    update(backend, "ep", **email("ana@example.com", User={"UserId": "ana"}))
    update(backend, "ep", User={"UserId": "bob"})

    users = backend.registry.get_user_endpoints(ApplicationId=backend.application_id, UserId="bob")
    assert [endpoint["Id"] for endpoint in users["EndpointsResponse"]["Item"]] == ["ep"]
    with pytest.raises(ClientError, match="NotFoundException"):
        backend.registry.get_user_endpoints(ApplicationId=backend.application_id, UserId="ana")


def test_a_16th_endpoint_for_a_user_is_rejected_and_not_written(backend: Any) -> None:
    batch(
        backend,
        [
            {"Id": f"ep-{n}", "ChannelType": "CUSTOM", "Address": f"d{n}", "User": {"UserId": "u"}}
            for n in range(15)
        ],
    )

    message = bad_request_message(
        lambda: update(backend, "ep-15", ChannelType="CUSTOM", Address="d15", User={"UserId": "u"})
    )

    assert "User.UserId" in message
    assert not exists(backend, "ep-15")


def test_a_batch_breaking_the_user_limit_writes_nothing(backend: Any) -> None:
    items = [
        {"Id": f"ep-{n}", "ChannelType": "CUSTOM", "Address": f"d{n}", "User": {"UserId": "u"}}
        for n in range(16)
    ]

    message = bad_request_message(lambda: batch(backend, items))

    assert message.startswith("Item[15].User.UserId")
    assert not exists(backend, "ep-0")


# ---------------------------------------------------------------- nothing half-written
def test_a_batch_with_one_bad_item_writes_nothing(backend: Any) -> None:
    items = [{"Id": "good", **email("ana@example.com")}, {"Id": "bad", **email("ana@example")}]

    message = bad_request_message(lambda: batch(backend, items))

    assert message == "Item[1].Address: not a valid email address"
    assert not exists(backend, "good")


def test_a_failed_update_changes_nothing(backend: Any) -> None:
    update(backend, "ep", **email("ana@example.com", Attributes={"Plan": ["gold"]}))
    before = get(backend, "ep")

    bad_request_message(
        lambda: update(
            backend,
            "ep",
            Attributes={"Plan": ["silver"]},
            Address="+12065550100",
            ChannelType="SMS",
            OptOut="NO",
        )
    )
    bad_request_message(lambda: update(backend, "ep", ChannelType="SMS"))  # e-mail address on SMS

    assert get(backend, "ep") == before


def test_a_concurrent_writer_is_merged_not_lost(backend: Any) -> None:
    """The first transaction loses an optimistic-concurrency race; the update is re-planned."""
    update(backend, "ep", **email("ana@example.com"))
    client = backend.registry._client
    raced = []

    def competing_update(**_: Any) -> None:
        if not raced:
            raced.append(True)
            other = type(backend.registry)(client, backend.registry._table)
            client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", competing_update)
            update_with(other, Attributes={"Theirs": ["1"]})

    def update_with(registry: Any, **request: Any) -> None:
        registry.update_endpoint(
            ApplicationId=backend.application_id, EndpointId="ep", EndpointRequest=request
        )

    client.meta.events.register("before-call.dynamodb.TransactWriteItems", competing_update)
    update(backend, "ep", Attributes={"Ours": ["1"]})

    assert raced and get(backend, "ep")["Attributes"] == {"Theirs": ["1"], "Ours": ["1"]}


# ---------------------------------------------------------------- what Pinpoint lacks
def test_find_endpoints_by_address_returns_active_and_inactive(backend: Any) -> None:
    update(backend, "a", **email("sam@example.com"))
    update(backend, "b", **email("sam@example.com"))
    update(backend, "c", **email("someone.else@example.com"))

    found = backend.registry.find_endpoints_by_address(backend.application_id, "EMAIL", "sam@example.com")

    assert sorted((e["Id"], e["EndpointStatus"]) for e in found) == [("a", "INACTIVE"), ("b", "ACTIVE")]


def test_iter_endpoints_lists_the_whole_application(backend: Any) -> None:
    batch(backend, [{"Id": f"ep-{n}", "ChannelType": "CUSTOM", "Address": f"d{n}"} for n in range(30)])

    listed = list(backend.registry.iter_endpoints(backend.application_id, page_size=7))

    assert sorted(endpoint["Id"] for endpoint in listed) == sorted(f"ep-{n}" for n in range(30))
