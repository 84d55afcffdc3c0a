"""Every bad endpoint input is named by its field (and no address leaks into the message)."""

from __future__ import annotations

from typing import Any

import pytest

from engagement.endpoints.rules import batch_problems, endpoint_problems, normalise_address, request_problems

GOOD = {
    "ChannelType": "EMAIL",
    "Address": "ana.silva@example.com",
    "Attributes": {"Plan": ["gold"]},
    "Metrics": {"score": 1.5},
    "Location": {"Latitude": 47.6, "Country": "US"},
    "Demographic": {"Platform": "ios"},
    "User": {"UserId": "ana", "UserAttributes": {"FirstName": ["Ana"]}},
    "OptOut": "NONE",
    "EndpointStatus": "ACTIVE",
    "EffectiveDate": "2026-11-28T10:00:00.000Z",
}


def test_a_complete_valid_request_has_no_problems() -> None:
    assert request_problems(GOOD) == []
    assert request_problems({"ChannelType": "SMS", "Address": "+1 (206) 555-0100"}) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"ChannelType": "FAX"}, "ChannelType: must be one of"),
        ({"Address": "ana@example"}, "Address: not a valid email address"),
        ({"Address": "ana silva@example.com"}, "Address: not a valid email address"),
        ({"ChannelType": "SMS", "Address": "2065550100"}, "Address: not an E.164 phone number"),
        ({"ChannelType": "VOICE", "Address": "+1206"}, "Address: not an E.164 phone number"),
        ({"Attributes": {"N" * 51: ["x"]}}, "Attributes.NNNN"),
        ({"Attributes": {"Plan": ["x" * 101]}}, "Attributes.Plan: value longer than 100 characters"),
        ({"Attributes": {"Plan": [str(n) for n in range(51)]}}, "Attributes.Plan: more than 50 values"),
        ({"Attributes": {"Plan": "gold"}}, "Attributes.Plan: must be a list of strings"),
        ({"Attributes": {"Plan": [1]}}, "Attributes.Plan: values must be strings"),
        (
            {"User": {"UserAttributes": {"Bio": ["x" * 101]}}},
            "User.UserAttributes.Bio: value longer than 100",
        ),
        ({"Metrics": {"score": "high"}}, "Metrics.score: must be a finite number"),
        ({"Metrics": {"score": float("nan")}}, "Metrics.score: must be a finite number"),
        ({"Metrics": {"score": True}}, "Metrics.score: must be a finite number"),
        ({"OptOut": "YES"}, "OptOut: must be one of ALL, NONE"),
        ({"EndpointStatus": "GONE"}, "EndpointStatus: must be one of ACTIVE, INACTIVE"),
        ({"Location": {"Latitude": 91}}, "Location.Latitude: must be a number between -90 and 90"),
        ({"Demographic": {"Shoe": "42"}}, "Demographic.Shoe: unknown field"),
        ({"EffectiveDate": "yesterday"}, "EffectiveDate: not an ISO 8601 date-time"),
        ({"Colour": "blue"}, "Colour: unknown field"),
    ],
)
def test_bad_input_names_its_field(change: dict[str, Any], expected: str) -> None:
    problems = request_problems({**GOOD, **change})

    assert any(problem.startswith(expected) for problem in problems), problems
    assert not any("ana.silva" in problem or "555" in problem for problem in problems)


def test_attribute_name_of_50_and_value_of_100_characters_are_fine() -> None:
    assert request_problems({"Attributes": {"N" * 50: ["v" * 100] * 50}}) == []


def test_batch_items_need_an_id_and_are_located_by_index() -> None:
    problems = batch_problems([{"Id": "ok", **GOOD}, {"ChannelType": "SMS", "Address": "+12065550100"}])

    assert problems == ["Item[1].Id: must be a non-empty string"]


def test_more_than_100_batch_items_is_one_problem() -> None:
    assert batch_problems([{"Id": str(n)} for n in range(101)]) == [
        "EndpointBatchRequest.Item: more than 100 items (101)"
    ]


def test_endpoint_ids_cannot_hold_template_characters() -> None:
    assert batch_problems([{"Id": "ep-${x}"}]) == ["Item[0].Id: can't contain $, { or }"]


def test_merged_endpoint_checks_the_address_against_its_channel() -> None:
    assert endpoint_problems({"ChannelType": "SMS", "Address": "ana@example.com"}, {}) == [
        "Address: not an E.164 phone number (+ and 8-15 digits)"
    ]


def test_more_than_250_attributes_in_total_is_a_problem() -> None:
    endpoint = {
        "Attributes": {str(n): ["x"] for n in range(200)},
        "Metrics": {str(n): 1.0 for n in range(40)},
    }

    assert endpoint_problems(endpoint, {str(n): ["x"] for n in range(11)})[0].startswith(
        "Attributes: more than 250"
    )
    assert endpoint_problems(endpoint, {str(n): ["x"] for n in range(10)}) == []


@pytest.mark.parametrize(
    ("channel", "address", "normalised"),
    [("EMAIL", " Ana@Example.COM ", "ana@example.com"), ("SMS", "+1 (206) 555-0100", "+12065550100"),
     ("CUSTOM", " Device-A ", "Device-A")],
)  # fmt: skip
def test_addresses_are_matched_in_a_normal_form(channel: str, address: str, normalised: str) -> None:
    assert normalise_address(channel, address) == normalised
