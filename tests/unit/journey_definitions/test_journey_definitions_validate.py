"""Deploy-time validation: botocore's model, the graph, Pinpoint's quotas; errors name activity and field."""

from __future__ import annotations

import copy

import pytest

from engagement.journeys.definitions.validate import validate_journey
from engagement.models.errors import BadRequestException
from tests.unit.journey_definitions._helpers import email, journey


def problems(body, **kwargs) -> str:
    with pytest.raises(BadRequestException) as caught:
        validate_journey(body, **kwargs)
    assert caught.value.status == 400
    return caught.value.message


def test_the_reference_example_is_valid_when_a_push_sender_exists(example):
    validate_journey(example, supported=frozenset({"PUSH"}))


def test_push_and_contact_center_are_refused_naming_the_activity(example):
    assert "Activities.push.PUSH: no push sender" in problems(example)
    body = journey({"call": {"ContactCenter": {}}}, "call")
    assert "Activities.call.ContactCenter: no Amazon Connect sender" in problems(body)


def test_botocore_model_errors_name_the_field(example):
    bad = copy.deepcopy(example)
    bad["Activities"]["holdout"]["Holdout"]["Percentage"] = "ten"
    assert "WriteJourneyRequest.Activities.holdout.Holdout.Percentage" in problems(
        bad, supported=frozenset({"PUSH"})
    )


def test_dangling_edges_name_the_activity_and_field():
    body = journey({"a": email("a", "b"), "split": {"ConditionalSplit": {"TrueActivity": "x"}}}, "a")
    message = problems(body)
    assert "Activities.a.EMAIL.NextActivity: 'b' is not an activity" in message
    assert "Activities.split.ConditionalSplit.TrueActivity: 'x' is not an activity" in message


def test_unreachable_activities_and_a_missing_start_are_named():
    assert "Activities.orphan: unreachable from StartActivity 'a'" in problems(
        journey({"a": email("a"), "orphan": email("o")}, "a")
    )
    assert "StartActivity: 'nope' is not an activity" in problems(journey({"a": email("a")}, "nope"))


def test_cycles_are_refused_with_their_path():
    body = journey(
        {"a": email("a", "b"), "b": {"Wait": {"WaitTime": {"WaitFor": "P1D"}, "NextActivity": "a"}}}, "a"
    )
    assert "the path a -> b -> a is a cycle" in problems(body)


def test_pinpoint_quotas_and_limits():
    many = {f"a{i}": email("t", f"a{i + 1}" if i < 40 else None) for i in range(41)}
    assert "41 activities; a journey has at most 40" in problems(journey(many, "a0"))
    branches = [
        {"Condition": {"SegmentCondition": {"SegmentId": "s"}}, "NextActivity": "end"} for _ in range(5)
    ]
    body = journey(
        {"m": {"MultiCondition": {"Branches": branches, "DefaultActivity": "end"}}, "end": email("e")}, "m"
    )
    assert "Activities.m.MultiCondition.Branches: 1 to 4 branches" in problems(body)
    split = {"RandomSplit": {"Branches": [{"Percentage": 60, "NextActivity": "end"}, {"Percentage": 30}]}}
    assert "percentages add up to 90, not 100" in problems(journey({"r": split, "end": email("e")}, "r"))
    capped = journey({"a": email("a")}, "a", Limits={"DailyCap": 101, "TimeframeCap": {"Cap": 5, "Days": 31}})
    message = problems(capped)
    assert "Limits.DailyCap: at most 100" in message and "Limits.TimeframeCap" in message


def test_event_condition_must_name_an_earlier_message_activity():
    condition = {
        "EventCondition": {
            "MessageActivity": "later",
            "Dimensions": {"EventType": {"DimensionType": "INCLUSIVE", "Values": ["_email.open"]}},
        }
    }
    split = {"ConditionalSplit": {"Condition": {"Conditions": [condition]}, "TrueActivity": "later"}}
    body = journey({"first": email("f", "check"), "check": split, "later": email("l")}, "first")
    assert "Activities.check.ConditionalSplit: MessageActivity 'later' is not before it" in problems(body)
    condition["EventCondition"]["MessageActivity"] = "check"
    assert "EventCondition.MessageActivity: 'check' is not a message activity" in problems(body)


def test_times_durations_and_quiet_time_formats():
    body = journey(
        {"w": {"Wait": {"WaitTime": {"WaitFor": "3 days"}, "NextActivity": "e"}}, "e": email("e")},
        "w",
        QuietTime={"Start": "9pm", "End": "08:00"},
        Schedule={"Timezone": "CET"},
        Limits={"EndpointReentryInterval": "daily"},
    )
    message = problems(body)
    for expected in (
        "Activities.w.Wait.WaitTime.WaitFor: '3 days' is not an ISO 8601 duration",
        "QuietTime.Start: HH:MM",
        "Schedule.Timezone: 'CET'",
        "Limits.EndpointReentryInterval: 'daily'",
    ):
        assert expected in message


def test_activity_needs_exactly_one_type_and_messages_need_their_template():
    assert "Activities.x: exactly one activity type is required" in problems(
        journey({"x": {"EMAIL": {"TemplateName": "t"}, "SMS": {"TemplateName": "t"}}}, "x")
    )
    assert "Activities.x.EMAIL.TemplateName: required" in problems(journey({"x": {"EMAIL": {}}}, "x"))
    assert "Activities.x.CUSTOM.DeliveryUri: required" in problems(journey({"x": {"CUSTOM": {}}}, "x"))


def test_a_schedule_time_botocore_cannot_read_is_named_by_botocore():
    body = journey({"e": email("e")}, "e", Schedule={"StartTime": "soon"})
    assert "WriteJourneyRequest.Schedule.StartTime" in problems(body)


def test_refresh_on_segment_update_needs_an_interval():
    body = journey({"e": email("e")}, "e", RefreshOnSegmentUpdate=True)
    assert "RefreshOnSegmentUpdate: needs a RefreshFrequency" in problems(body)


def _split_on(dimensions: dict) -> dict:
    split = {
        "Condition": {"Conditions": [{"SegmentDimensions": dimensions}], "Operator": "ALL"},
        "TrueActivity": "yes",
        "FalseActivity": "no",
    }
    return journey({"split": {"ConditionalSplit": split}, "yes": email("y"), "no": email("n")}, "split")


def test_inline_segment_dimensions_follow_the_segment_rules_at_deploy():
    bad_type = _split_on({"Attributes": {"plan": {"AttributeType": "SOMETIMES", "Values": ["pro"]}}})
    assert (
        "Activities.split.ConditionalSplit.Condition.Conditions[0].SegmentDimensions.Attributes.plan"
        ".AttributeType: 'SOMETIMES' is not one of" in problems(bad_type)
    )
    between = _split_on({"UserAttributes": {"born": {"AttributeType": "BETWEEN", "Values": ["2000-01-01"]}}})
    assert "Conditions[0].SegmentDimensions.UserAttributes.born.Values: BETWEEN takes exactly 2" in problems(
        between
    )
    country = _split_on({"Location": {"Country": {"Values": ["Germany"]}}})
    assert "SegmentDimensions.Location.Country.Values[0]: 'Germany' is not an ISO 3166-1" in problems(country)
    validate_journey(_split_on({"Attributes": {"plan": {"AttributeType": "CONTAINS", "Values": ["pro"]}}}))


def test_multi_condition_inline_dimensions_are_checked_with_the_branch_path():
    metric = {"Metrics": {"visits": {"ComparisonOperator": "MORE_THAN", "Value": 3}}}
    branch = {"Condition": {"SegmentDimensions": metric}, "NextActivity": "yes"}
    body = journey(
        {
            "route": {"MultiCondition": {"Branches": [branch], "DefaultActivity": "no"}},
            "yes": email("y"),
            "no": email("n"),
        },
        "route",
    )
    assert (
        "Activities.route.MultiCondition.Branches[0].Condition.SegmentDimensions.Metrics.visits"
        ".ComparisonOperator: 'MORE_THAN' is not one of GREATER_THAN" in problems(body)
    )


def test_event_metric_operators_are_the_segments_operators_checked_at_deploy():
    """One table of ComparisonOperators (segments.dimensions): a journey's event metric with an
    operator it lacks fails the deploy, not the split at run time."""
    opened = {
        "EventType": {"DimensionType": "INCLUSIVE", "Values": ["_email.open"]},
        "Metrics": {"clicks": {"ComparisonOperator": "AT_LEAST", "Value": 1}},
    }
    condition = {"EventCondition": {"MessageActivity": "first", "Dimensions": opened}}
    split = {"Condition": {"Conditions": [condition]}, "TrueActivity": "yes", "FalseActivity": "no"}
    body = journey(
        {
            "first": email("f", "check"),
            "check": {"ConditionalSplit": split},
            "yes": email("y"),
            "no": email("n"),
        },
        "first",
    )
    body["StartCondition"]["EventStartCondition"]["EventFilter"]["Dimensions"]["Metrics"] = {
        "cartValue": {"ComparisonOperator": "ABOVE", "Value": 50}
    }
    message = problems(body)
    assert (
        "Activities.check.ConditionalSplit.Condition.Conditions[0].EventCondition.Dimensions.Metrics.clicks"
        ".ComparisonOperator: 'AT_LEAST' is not one of GREATER_THAN" in message
    )
    assert (
        "StartCondition.EventStartCondition.EventFilter.Dimensions.Metrics.cartValue.ComparisonOperator"
        in (message)
    )
