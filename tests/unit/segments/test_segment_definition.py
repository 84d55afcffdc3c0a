"""Bad segment definitions are rejected whole, with every problem named by its field path."""

from __future__ import annotations

import pytest

from engagement.models.errors import BadRequestException
from engagement.segments import validate_definition


def problems(body):
    with pytest.raises(BadRequestException) as caught:
        validate_definition(body)
    assert caught.value.status == 400
    return caught.value.message


def attribute(kind, *values):
    return {"Dimensions": {"Attributes": {"signup": {"AttributeType": kind, "Values": list(values)}}}}


def test_a_valid_definition_passes():
    validate_definition(
        {
            "Name": "ok",
            "Dimensions": {
                "Attributes": {"d": {"AttributeType": "BETWEEN", "Values": ["2026-01-01", "2026-02-01"]}},
                "Location": {"GPSPoint": {"Coordinates": {"Latitude": 1.0, "Longitude": 2.0}}},
                "Metrics": {"m": {"ComparisonOperator": "EQUAL", "Value": 1}},
            },
        }
    )


def test_wrong_type_names_the_field_as_botocore_does():
    message = problems(
        {"Dimensions": {"Attributes": {"plan": {"AttributeType": "INCLUSIVE", "Values": "free"}}}}
    )
    assert "WriteSegmentRequest.Dimensions.Attributes.plan.Values" in message


def test_unknown_field_and_missing_required_member():
    assert 'Unknown parameter in WriteSegmentRequest.Dimensions: "Plan"' in problems(
        {"Dimensions": {"Plan": {}}}
    )
    message = problems({"Dimensions": {"Behavior": {"Recency": {"Duration": "DAY_7"}}}})
    assert "RecencyType" in message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (attribute("SOMETIMES", "x"), "Attributes.signup.AttributeType: 'SOMETIMES'"),
        (
            {"Dimensions": {"Behavior": {"Recency": {"Duration": "DAY_3", "RecencyType": "ACTIVE"}}}},
            "Duration",
        ),
        (
            {"Dimensions": {"Demographic": {"Platform": {"DimensionType": "MAYBE", "Values": ["x"]}}}},
            "DimensionType",
        ),
        ({"SegmentGroups": {"Include": "SOME", "Groups": []}}, "SegmentGroups.Include"),
        ({"SegmentGroups": {"Groups": [{"Type": "XOR"}]}}, "Groups[0].Type"),
    ],
)
def test_enum_values_outside_the_model(body, field):
    assert field in problems(body)


def test_between_takes_two_dates_and_dates_must_parse():
    assert "BETWEEN takes exactly 2 values" in problems(attribute("BETWEEN", "2026-01-01"))
    assert "Values[0]: 'last week' is not an ISO-8601 date-time" in problems(attribute("AFTER", "last week"))


def test_metric_operator_country_and_coordinates():
    message = problems(
        {
            "Dimensions": {
                "Metrics": {"m": {"ComparisonOperator": "ABOUT", "Value": 1}},
                "Location": {
                    "Country": {"Values": ["Portugal"]},
                    "GPSPoint": {"Coordinates": {"Latitude": 91.0, "Longitude": 0.0}, "RangeInKilometers": 0},
                },
            }
        }
    )
    assert "Metrics.m.ComparisonOperator: 'ABOUT'" in message
    assert "Location.Country.Values[0]: 'Portugal' is not an ISO 3166-1 alpha-2 code" in message
    assert "Coordinates.Latitude: must be between -90 and 90" in message
    assert "RangeInKilometers: must be greater than 0" in message


def test_pinpoint_limits_on_values():
    assert "longer than 100 characters" in problems(attribute("INCLUSIVE", "x" * 101))
    assert "at least one value" in problems(attribute("INCLUSIVE"))
    many = {
        "Dimensions": {"Attributes": {f"a{i}": {"Values": [str(j) for j in range(11)]} for i in range(10)}}
    }
    assert "110 values in total, at most 100" in problems(many)


def test_every_problem_is_reported_at_once():
    message = problems(
        {
            "SegmentGroups": {
                "Groups": [
                    {"Dimensions": [attribute("BETWEEN", "x")["Dimensions"]]},
                    {"SourceSegments": [{"Id": " "}]},
                ]
            }
        }
    )
    assert "Groups[0].Dimensions[0].Attributes.signup.Values" in message
    assert "Groups[1].SourceSegments[0].Id: must not be empty" in message
