"""``JourneyStore`` (boto3's journey methods), entry by event and by segment, and message events."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from engagement.journeys.definitions.message_events import message_event
from engagement.journeys.definitions.simulate import APPLICATION_ID
from engagement.journeys.definitions.store import MAX_ACTIVE_JOURNEYS
from engagement.models.errors import BadRequestException, NotFoundException
from tests.unit.journey_definitions._helpers import add_endpoint, email, journey


def test_create_get_update_list_and_delete_a_journey(lab):
    store = lab.store
    created = store.create_journey(
        ApplicationId=APPLICATION_ID, WriteJourneyRequest=journey({"a": email("a")}, "a")
    )
    draft = created["JourneyResponse"]
    assert (draft["State"], draft["Version"], draft["ApplicationId"]) == ("DRAFT", 1, APPLICATION_ID)
    assert store.state_machine_arn(APPLICATION_ID, draft["Id"]) == ""  # a draft does not run
    body = {**journey({"a": email("a", "b"), "b": email("b")}, "a"), "Name": draft["Name"], "State": "ACTIVE"}
    active = store.update_journey(
        ApplicationId=APPLICATION_ID, JourneyId=draft["Id"], WriteJourneyRequest=body
    )
    assert active["JourneyResponse"]["Version"] == 2 and active["JourneyResponse"]["State"] == "ACTIVE"
    arn = store.state_machine_arn(APPLICATION_ID, draft["Id"])
    definition = json.loads(lab.sfn.describe_state_machine(stateMachineArn=arn)["definition"])
    assert {"a", "b", "journey-exit"} <= set(definition["States"])
    fetched = store.get_journey(ApplicationId=APPLICATION_ID, JourneyId=draft["Id"])["JourneyResponse"]
    assert fetched["Activities"] == body["Activities"]
    listed = store.list_journeys(ApplicationId=APPLICATION_ID)["JourneysResponse"]["Item"]
    assert draft["Id"] in [item["Id"] for item in listed]
    store.delete_journey(ApplicationId=APPLICATION_ID, JourneyId=draft["Id"])
    with pytest.raises(NotFoundException):
        store.get_journey(ApplicationId=APPLICATION_ID, JourneyId=draft["Id"])
    assert arn not in [item["stateMachineArn"] for item in lab.sfn.list_state_machines()["stateMachines"]]


def test_an_active_journeys_activities_are_immutable_but_its_rules_can_change(lab):
    deployed = lab.deploy(journey({"a": email("a")}, "a"))
    changed = {**journey({"a": email("other")}, "a"), "Name": deployed["Name"], "State": "ACTIVE"}
    with pytest.raises(
        BadRequestException, match="Activities: the activities of an ACTIVE journey cannot change"
    ):
        lab.store.update_journey(
            ApplicationId=APPLICATION_ID, JourneyId=deployed["Id"], WriteJourneyRequest=changed
        )
    rules = {
        **journey({"a": email("a")}, "a"),
        "Name": deployed["Name"],
        "State": "ACTIVE",
        "Limits": {"DailyCap": 1},
    }
    updated = lab.store.update_journey(
        ApplicationId=APPLICATION_ID, JourneyId=deployed["Id"], WriteJourneyRequest=rules
    )
    assert updated["JourneyResponse"]["Limits"] == {"DailyCap": 1}


def test_state_changes_follow_pinpoint(lab):
    deployed = lab.deploy(journey({"a": email("a")}, "a"))
    change = lab.store.update_journey_state
    with pytest.raises(BadRequestException, match="only a journey with a RefreshFrequency can be paused"):
        change(
            ApplicationId=APPLICATION_ID, JourneyId=deployed["Id"], JourneyStateRequest={"State": "PAUSED"}
        )
    with pytest.raises(BadRequestException, match=r"JourneyStateRequest\.State"):
        change(
            ApplicationId=APPLICATION_ID, JourneyId=deployed["Id"], JourneyStateRequest={"State": "COMPLETED"}
        )
    change(ApplicationId=APPLICATION_ID, JourneyId=deployed["Id"], JourneyStateRequest={"State": "CANCELLED"})
    with pytest.raises(BadRequestException, match="a CANCELLED journey cannot change state"):
        change(
            ApplicationId=APPLICATION_ID, JourneyId=deployed["Id"], JourneyStateRequest={"State": "ACTIVE"}
        )


def test_a_journey_past_its_end_time_reads_as_closed(lab):
    window = {"StartTime": "2026-11-01T00:00:00Z", "EndTime": "2026-11-03T11:00:00Z"}
    deployed = lab.deploy(journey({"a": email("a")}, "a", Schedule=window))
    assert deployed["State"] == "ACTIVE"
    lab.clock.advance(2 * 3600)
    assert (
        lab.store.get_journey(ApplicationId=APPLICATION_ID, JourneyId=deployed["Id"])["JourneyResponse"][
            "State"
        ]
        == "CLOSED"
    )


def test_at_most_fifty_active_journeys_per_application(lab):
    for item in lab.table.list_journeys(APPLICATION_ID):
        lab.table.put_journey({**item, "State": "CANCELLED"})
    for _ in range(MAX_ACTIVE_JOURNEYS):
        fields = {
            "Id": f"x{_}",
            "ApplicationId": APPLICATION_ID,
            "State": "ACTIVE",
            "CreationDate": "2026-11-01",
        }
        lab.table.put_journey({**journey({"a": email("a")}, "a"), **fields})
    with pytest.raises(BadRequestException, match="at most 50 active journeys"):
        lab.deploy(journey({"a": email("a")}, "a"))
    for _ in range(MAX_ACTIVE_JOURNEYS):
        lab.table.delete_journey(APPLICATION_ID, f"x{_}")


def _event_journey(**start) -> dict:
    body = journey({"a": email("a")}, "a")
    body["StartCondition"]["EventStartCondition"]["EventFilter"]["Dimensions"].update(start)
    return body


def test_put_events_starts_matching_event_journeys_by_type_attributes_and_metrics(lab):
    buyer, browser, small = add_endpoint(lab), add_endpoint(lab), add_endpoint(lab)
    deployed = lab.deploy(
        _event_journey(
            Attributes={"plan": {"AttributeType": "INCLUSIVE", "Values": ["pro", "team"]}},
            Metrics={"amount": {"ComparisonOperator": "GREATER_THAN_OR_EQUAL", "Value": 10}},
        )
    )

    def event(kind: str, plan: str, amount: float) -> dict:
        return {"EventType": kind, "Timestamp": "2026-11-03T10:00:00Z", "Attributes": {"plan": plan},
                "Metrics": {"amount": amount}}  # fmt: skip

    response = lab.entry.put_events(
        ApplicationId=APPLICATION_ID,
        EventsRequest={
            "BatchItem": {
                buyer: {"Endpoint": {}, "Events": {"e1": event("signup", "team", 12)}},
                browser: {"Endpoint": {}, "Events": {"e2": event("page_view", "team", 12)}},
                small: {"Endpoint": {}, "Events": {"e3": event("signup", "pro", 5)}},
            }
        },
    )
    assert response["EventsResponse"]["Results"][buyer]["EventsItemResponse"]["e1"]["StatusCode"] == 202
    assert list(lab.paths(deployed)) == [buyer]


def test_the_gate_segment_keeps_non_members_out(lab):
    member, outsider = add_endpoint(lab, Attributes={"tier": ["vip"]}), add_endpoint(lab)
    body = _event_journey()
    body["StartCondition"]["EventStartCondition"]["SegmentId"] = "seg-vip"
    deployed = lab.deploy(body)
    signup = {"EventType": "signup", "Timestamp": "2026-11-03T10:00:00Z"}
    items = {who: {"Endpoint": {}, "Events": {f"ev-{who}": signup}} for who in (member, outsider)}
    lab.entry.put_events(ApplicationId=APPLICATION_ID, EventsRequest={"BatchItem": items})
    assert list(lab.paths(deployed)) == [member]


def test_segment_journeys_enter_only_new_members_on_each_refresh(lab):
    lab.segment_store.definitions["seg-new"] = {
        "Dimensions": {"Attributes": {"cohort": {"AttributeType": "INCLUSIVE", "Values": ["nov"]}}}
    }
    first = add_endpoint(lab, Attributes={"cohort": ["nov"]})
    body = journey({"a": email("a")}, "a", RefreshFrequency="PT1H")
    body["StartCondition"] = {"SegmentStartCondition": {"SegmentId": "seg-new"}}
    deployed = lab.deploy(body)
    assert lab.entry.refresh(APPLICATION_ID)[deployed["Id"]] == 1
    second = add_endpoint(lab, Attributes={"cohort": ["nov"]})
    assert deployed["Id"] not in lab.entry.refresh(APPLICATION_ID)  # not due before RefreshFrequency
    lab.clock.advance(3600)
    assert lab.entry.refresh(APPLICATION_ID)[deployed["Id"]] == 1  # only the new member
    assert sorted(lab.paths(deployed)) == sorted([first, second])


def test_stream_records_become_message_events_joined_to_journey_activity_and_endpoint():
    record = {
        "event_type": "_email.open",
        "event_timestamp": 1793700000000,
        "application": {"app_id": "app"},
        "client": {"client_id": "ep-1"},
        "attributes": {"journey_id": "j1", "journey_activity_id": "welcome", "feedback": "x"},
    }
    event = message_event(record)
    assert (event["journey_id"], event["activity_id"], event["endpoint_id"], event["event_type"]) == (
        "j1", "welcome", "ep-1", "_email.open",
    )  # fmt: skip
    assert event["attributes"] == {"feedback": "x"}
    assert message_event({**record, "attributes": {"campaign_id": "c"}}) is None
    assert message_event({**record, "event_type": "_journey.send"}) is None


def test_recorded_message_events_keep_their_metrics_for_event_conditions(lab):
    from engagement.journeys.definitions.conditions import event_matches

    record = {
        "event_type": "_custom.send",
        "event_timestamp": 1793700000000,
        "application": {"app_id": "app-metrics"},
        "client": {"client_id": "ep-m"},
        "attributes": {"journey_id": "jm", "journey_activity_id": "hook"},
        "metrics": {"price": 12.5},
    }
    assert lab.recorder.record([record]) == 1
    [stored] = lab.table.message_events("app-metrics", "jm", "ep-m", "hook")
    assert stored["metrics"] == {"price": 12.5}
    dimensions = {
        "EventType": {"DimensionType": "INCLUSIVE", "Values": ["_custom.send"]},
        "Metrics": {"price": {"ComparisonOperator": "GREATER_THAN", "Value": 10}},
    }
    assert event_matches(dimensions, stored)


def test_the_journey_triggers_pinpoint_route_target_starts_event_journeys_through_put_events(lab):
    """The existing EventBridge route ``CartAbandoned`` (target ``pinpoint``, event ``cart.abandoned``)
    reaches event-started journeys when its PutEvents client is ``JourneyEntry``: same call, same shapes.
    """
    from engagement.journeys.put_events import PutEventsTarget
    from engagement.journeys.request import JourneyRequest
    from engagement.journeys.routes import load_routes

    shopper = add_endpoint(lab)
    body = _event_journey(Metrics={"cartValue": {"ComparisonOperator": "GREATER_THAN", "Value": 50}})
    body["StartCondition"]["EventStartCondition"]["EventFilter"]["Dimensions"]["EventType"]["Values"] = [
        "cart.abandoned"
    ]
    deployed = lab.deploy(body)
    request = JourneyRequest(
        route=load_routes().by_id["CartAbandoned"],
        application_id=APPLICATION_ID,
        event_id="evt-1",
        source="com.example.carts",
        detail_type="Cart Abandoned",
        time="2026-11-03T10:00:00Z",
        endpoints={shopper: lab.registry.endpoints[shopper]},
        attributes={"cartId": "c-1"},
        metrics={"itemCount": 2, "cartValue": 80.0},
    )
    answer = PutEventsTarget(lab.entry, APPLICATION_ID).start(request)
    assert answer["endpoints"] == [shopper]
    assert lab.paths(deployed) == {shopper: ["a", "SUCCEEDED"]}


def test_refresh_on_segment_update_reads_a_new_segment_version_before_the_interval(lab):
    lab.segment_store.definitions["seg-upd"] = {
        "Dimensions": {"Attributes": {"cohort": {"AttributeType": "INCLUSIVE", "Values": ["dec"]}}}
    }
    add_endpoint(lab, Attributes={"cohort": ["dec"]})
    body = journey({"a": email("a")}, "a", RefreshFrequency="P1D", RefreshOnSegmentUpdate=True)
    body["StartCondition"] = {"SegmentStartCondition": {"SegmentId": "seg-upd"}}
    deployed = lab.deploy(body)
    assert lab.entry.refresh(APPLICATION_ID)[deployed["Id"]] == 1
    add_endpoint(lab, Attributes={"cohort": ["dec"]})
    assert deployed["Id"] not in lab.entry.refresh(APPLICATION_ID)  # same version, a day not passed
    lab.segment_store.definitions["seg-upd"]["Version"] = 2
    assert lab.entry.refresh(APPLICATION_ID)[deployed["Id"]] == 1
    lab.paths(deployed)


def test_get_journey_runs_reports_each_run_completed_once_its_participants_left(lab):
    first, second = add_endpoint(lab), add_endpoint(lab)
    deployed = lab.deploy(journey({"a": email("a")}, "a"))
    lab.start(deployed, [first, second], run_id="event-1")
    lab.paths(deployed)
    lab.clock.advance(60)
    lab.start(deployed, [first], run_id="event-2")
    lab.paths(deployed)
    runs = lab.store.get_journey_runs(ApplicationId=APPLICATION_ID, JourneyId=deployed["Id"], PageSize="1")
    page = runs["JourneyRunsResponse"]
    assert [(item["RunId"], item["Status"]) for item in page["Item"]] == [("event-2", "COMPLETED")]
    rest = lab.store.get_journey_runs(
        ApplicationId=APPLICATION_ID, JourneyId=deployed["Id"], Token=page["NextToken"]
    )
    assert [(item["RunId"], item["Status"]) for item in rest["JourneyRunsResponse"]["Item"]] == [
        ("event-1", "COMPLETED")
    ]


def test_deploy_names_a_missing_segment_and_refuses_an_imported_gate_segment(lab):
    split = {
        "ConditionalSplit": {
            "Condition": {"Conditions": [{"SegmentCondition": {"SegmentId": "seg-gone"}}]},
            "TrueActivity": "a",
        }
    }
    body = _event_journey()
    body["Activities"] = {"check": split, "a": email("a")}
    body["StartActivity"] = "check"
    body["StartCondition"]["EventStartCondition"]["SegmentId"] = "seg-imported"
    with pytest.raises(BadRequestException) as caught:
        lab.deploy(body)
    field = "Activities.check.ConditionalSplit.Condition.Conditions[0].SegmentCondition.SegmentId"
    assert f"{field}: segment 'seg-gone' not found" in caught.value.message
    assert "StartCondition.EventStartCondition.SegmentId: the gate segment" in caught.value.message


def _state(lab, journey_id: str) -> str:
    return lab.store.get_journey(ApplicationId=APPLICATION_ID, JourneyId=journey_id)["JourneyResponse"][
        "State"
    ]


def test_without_a_start_time_entry_opens_five_minutes_after_publishing(lab):
    who = add_endpoint(lab)
    deployed = lab.deploy(journey({"a": email("a")}, "a"), published_ago=timedelta(0))
    assert "_published" not in deployed  # stored, not part of the JourneyResponse
    assert lab.start(deployed, [who]) == {who: "OUTSIDE_SCHEDULE"}
    lab.clock.advance(4 * 60 + 59)
    assert lab.start(deployed, [who], run_id="run-2") == {who: "OUTSIDE_SCHEDULE"}
    lab.clock.advance(1)
    assert lab.start(deployed, [who], run_id="run-3") == {who: "ENDPOINT_ENTERED"}


def test_publishing_is_the_first_activation_not_the_creation(lab):
    who = add_endpoint(lab)
    draft = lab.deploy(journey({"a": email("a")}, "a"), state="DRAFT", published_ago=timedelta(0))
    lab.clock.advance(86_400)
    active = {"State": "ACTIVE"}
    lab.store.update_journey_state(
        ApplicationId=APPLICATION_ID, JourneyId=draft["Id"], JourneyStateRequest=active
    )
    assert lab.start(draft, [who]) == {who: "OUTSIDE_SCHEDULE"}
    lab.clock.advance(300)
    renamed = {**journey({"a": email("a")}, "a"), "Name": draft["Name"], "State": "ACTIVE"}
    lab.store.update_journey(ApplicationId=APPLICATION_ID, JourneyId=draft["Id"], WriteJourneyRequest=renamed)
    assert lab.start(draft, [who]) == {who: "ENDPOINT_ENTERED"}  # the update kept the publish time


def test_without_an_end_time_a_journey_closes_540_days_after_its_start(lab):
    who = add_endpoint(lab)
    default_start = lab.deploy(journey({"a": email("a")}, "a"))  # published 5 minutes ago: started now
    given_start = lab.deploy(journey({"a": email("a")}, "a", Schedule={"StartTime": "2026-11-04T10:00:00Z"}))
    lab.clock.advance(540 * 86_400 - 1)
    assert (_state(lab, default_start["Id"]), _state(lab, given_start["Id"])) == ("ACTIVE", "ACTIVE")
    lab.clock.advance(1)
    assert (_state(lab, default_start["Id"]), _state(lab, given_start["Id"])) == ("CLOSED", "ACTIVE")
    assert lab.start(default_start, [who]) == {who: "OUTSIDE_SCHEDULE"}
    lab.clock.advance(86_400)
    assert _state(lab, given_start["Id"]) == "CLOSED"


def test_a_segment_journey_reads_its_segment_only_once_entry_opens(lab):
    lab.segment_store.definitions["seg-later"] = {
        "Dimensions": {"Attributes": {"cohort": {"AttributeType": "INCLUSIVE", "Values": ["later"]}}}
    }
    member = add_endpoint(lab, Attributes={"cohort": ["later"]})
    body = journey({"a": email("a")}, "a")  # no RefreshFrequency: the segment is read once
    body["StartCondition"] = {"SegmentStartCondition": {"SegmentId": "seg-later"}}
    deployed = lab.deploy(body, published_ago=timedelta(0))
    assert deployed["Id"] not in lab.entry.refresh(APPLICATION_ID)
    lab.clock.advance(300)
    assert lab.entry.refresh(APPLICATION_ID)[deployed["Id"]] == 1
    assert list(lab.paths(deployed)) == [member]
