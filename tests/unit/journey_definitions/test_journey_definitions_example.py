"""The reference's complete example journey, executed: one participant opens the email, one does not."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.journey_definitions._helpers import add_endpoint, sends


def test_example_journey_walks_opener_and_non_opener_down_different_branches(fresh_lab, example):
    opener = add_endpoint(fresh_lab, name="ann", zone="America/New_York", Location={"Country": "US"})
    ignorer = add_endpoint(fresh_lab, name="bob", zone="Europe/Berlin", Location={"Country": "US"})
    fresh_lab.channel.reactions[opener] = [("_email.open", 3600)]
    deployed = fresh_lab.deploy(example)

    assert fresh_lab.start(deployed, [opener, ignorer]) == {
        opener: "ENDPOINT_ENTERED",
        ignorer: "ENDPOINT_ENTERED",
    }
    paths = fresh_lab.paths(deployed)

    # 10:00 UTC is 05:00 in New York, inside 21:00-08:00 quiet time: the email waits (WaitForQuietTime)
    assert paths[opener] == [
        "holdout",
        "welcomeEmail",
        "welcomeEmail",
        "opened",
        "abTest",
        "push",
        "SUCCEEDED",
    ]
    assert paths[ignorer] == ["holdout", "welcomeEmail", "opened", "byCountry", "sms", "SUCCEEDED"]
    sent = {(item["Endpoints"].popitem()[0], item["ActivityId"]): item for item in sends(fresh_lab, deployed)}
    base = fresh_lab.clock.base
    assert sent[(opener, "welcomeEmail")]["at"] == base + timedelta(hours=3)  # 08:00 in New York
    assert sent[(ignorer, "welcomeEmail")]["at"] == base
    assert sent[(ignorer, "sms")]["at"] == base + timedelta(days=3)  # after EvaluationWaitTime P3D
    welcome = '{"template":"welcome","channel":"EMAIL","from_address":"hi@example.com"}'  # + FromAddress
    assert sent[(opener, "welcomeEmail")]["Data"] == welcome
    assert sent[(opener, "push")]["Data"] == '{"template":"nudge_push","channel":"WEBHOOK"}'
    metrics = fresh_lab.metrics(deployed)
    assert metrics["ENDPOINT_ENTERED"] == 2 and metrics["ENDPOINT_LEFT"] == 2
    assert metrics["opened#True"] == 1 and metrics["opened#False"] == 1
    assert metrics["byCountry#Branch_1"] == 1


def test_every_send_writes_a_journey_send_event_with_journey_activity_and_run(fresh_lab, example):
    endpoint = add_endpoint(fresh_lab, name="bob", zone="Europe/Berlin", Location={"Country": "US"})
    deployed = fresh_lab.deploy(example)
    fresh_lab.start(deployed, [endpoint], run_id="run-42")
    fresh_lab.paths(deployed)

    events = [record for record in fresh_lab.written if record["client"]["client_id"] == endpoint]
    assert [record["event_type"] for record in events] == ["_journey.send", "_journey.send"]
    assert events[0]["attributes"]["journey_id"] == deployed["Id"]
    assert [record["attributes"]["journey_activity_id"] for record in events] == ["welcomeEmail", "sms"]
    assert {record["attributes"]["journey_run_id"] for record in events} == {"run-42"}
    assert events[0]["attributes"]["delivery_status"] == "SUCCESSFUL"
