"""UpdateEndpoint's merge rules on plain dicts."""

from __future__ import annotations

from engagement.endpoints.merge import cohort_id, merge_endpoint, merge_user_attributes, now_iso, to_response

NOW = "2026-11-28T10:00:00.000Z"
LATER = "2026-11-28T11:00:00.000Z"


def test_a_new_endpoint_is_active_not_opted_out_and_dated() -> None:
    document = merge_endpoint(None, {"ChannelType": "EMAIL"}, NOW)

    assert document == {"ChannelType": "EMAIL", "CreationDate": NOW, "EffectiveDate": NOW,
                        "EndpointStatus": "ACTIVE", "OptOut": "NONE"}  # fmt: skip


def test_update_keeps_creation_date_reactivates_and_replaces_scalars() -> None:
    stored = merge_endpoint(
        None, {"ChannelType": "EMAIL", "OptOut": "ALL", "EndpointStatus": "INACTIVE"}, NOW
    )

    document = merge_endpoint(stored, {"OptOut": "NONE"}, LATER)

    assert (document["CreationDate"], document["EffectiveDate"]) == (NOW, LATER)
    assert (document["OptOut"], document["EndpointStatus"]) == ("NONE", "ACTIVE")


def test_request_effective_date_is_honoured() -> None:
    assert merge_endpoint(None, {"EffectiveDate": NOW}, LATER)["EffectiveDate"] == NOW


def test_attributes_merge_per_key_and_empty_lists_remove() -> None:
    stored = {"Attributes": {"A": ["1"], "B": ["2"]}}

    document = merge_endpoint(stored, {"Attributes": {"A": [], "C": ["3"]}}, NOW)

    assert document["Attributes"] == {"B": ["2"], "C": ["3"]}
    assert "Attributes" not in merge_endpoint(document, {"Attributes": {"B": [], "C": []}}, NOW)


def test_an_empty_user_id_detaches_the_user() -> None:
    stored = {"User": {"UserId": "ana"}}

    assert "User" not in merge_endpoint(stored, {"User": {"UserId": ""}}, NOW)


def test_user_attributes_go_to_the_user_when_there_is_one() -> None:
    document = merge_endpoint(None, {"User": {"UserId": "ana"}}, NOW)

    shared = merge_user_attributes(
        document, None, {"Tier": ["1"], "Old": ["x"]}, {"First": ["Ana"], "Old": []}
    )

    assert shared == {"Tier": ["1"], "First": ["Ana"]}
    assert document["User"] == {"UserId": "ana"}


def test_user_attributes_stay_on_an_endpoint_without_a_user() -> None:
    stored = {"User": {"UserAttributes": {"First": ["Ana"]}}}
    document = merge_endpoint(stored, {}, NOW)

    assert merge_user_attributes(document, stored, {}, {"Last": ["Silva"]}) is None
    assert document["User"] == {"UserAttributes": {"First": ["Ana"], "Last": ["Silva"]}}


def test_attributes_held_before_a_user_was_set_join_the_user() -> None:
    stored = {"User": {"UserAttributes": {"First": ["Ana"]}}}
    document = merge_endpoint(stored, {"User": {"UserId": "ana"}}, NOW)

    assert merge_user_attributes(document, stored, {"Tier": ["1"]}, {}) == {"Tier": ["1"], "First": ["Ana"]}


def test_response_shows_the_users_current_attributes() -> None:
    response = to_response({"Id": "ep", "User": {"UserId": "ana"}}, {"First": ["Ana"]})

    assert response["User"] == {"UserId": "ana", "UserAttributes": {"First": ["Ana"]}}


def test_cohort_id_is_a_stable_case_insensitive_bucket() -> None:
    cohorts = {cohort_id(f"endpoint-{n}") for n in range(2000)}

    assert cohort_id("EP-1") == cohort_id("ep-1")
    assert cohorts == {str(n) for n in range(100)}


def test_now_is_iso_8601_with_milliseconds_and_z() -> None:
    stamp = now_iso()

    assert len(stamp) == 24 and stamp[10] == "T" and stamp[19] == "." and stamp.endswith("Z")
