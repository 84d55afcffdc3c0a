"""Every activity type, through the executed state machine (moto's interpreter, compressed time)."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.unit.journey_definitions._helpers import add_endpoint, email, journey, sends

CUSTOM_URI = "arn:aws:lambda:us-east-1:123456789012:function:partner-webhook"


def test_email_and_sms_go_to_the_custom_channel_with_template_channel_version_and_sender(lab):
    who = add_endpoint(lab)
    email_config = {"FromAddress": "News <news@example.com>"}
    sms_config = {
        "MessageType": "PROMOTIONAL",
        "OriginationNumber": "+12065550199",
        "SenderId": "ACME",
        "EntityId": "1101",
        "TemplateId": "2202",
    }
    body = journey(
        {
            "first": {
                "EMAIL": {
                    "TemplateName": "welcome",
                    "TemplateVersion": "3",
                    "MessageConfig": email_config,
                    "NextActivity": "text",
                }
            },
            "text": {"SMS": {"TemplateName": "nudge_sms", "MessageConfig": sms_config}},
        },
        "first",
    )
    deployed = lab.deploy(body)
    assert lab.run(deployed, [who]) == {who: ["first", "text", "SUCCEEDED"]}
    first, text = sends(lab, deployed)
    assert first["uri"] == text["uri"] == "arn:aws:lambda:us-east-1:123456789012:function:custom-channel"
    assert json.loads(first["Data"]) == {
        "template": "welcome",
        "channel": "EMAIL",
        "template_version": "3",
        "from_address": "News <news@example.com>",
    }
    assert json.loads(text["Data"]) == {
        "template": "nudge_sms",
        "channel": "SMS",
        "origination_identity": "+12065550199",  # the number over the sender id
        "message_type": "PROMOTIONAL",
        "country_parameters": {"IN_ENTITY_ID": "1101", "IN_TEMPLATE_ID": "2202"},
    }
    assert first["ActivityId"] == "first" and first["JourneyId"] == deployed["Id"]
    assert list(first["Endpoints"]) == [who] and first["Endpoints"][who]["Address"] == f"{who}@example.com"


def test_custom_activity_posts_its_data_to_the_delivery_uri_and_its_response_drives_a_split(lab):
    gold, plain = add_endpoint(lab), add_endpoint(lab)
    lab.channel.responses[CUSTOM_URI] = {"tier": "gold"}
    body = journey(
        {
            "hook": {
                "CUSTOM": {
                    "DeliveryUri": CUSTOM_URI,
                    "EndpointTypes": ["EMAIL"],
                    "MessageConfig": {"Data": '{"kind":"nudge"}'},
                    "NextActivity": "isGold",
                }
            },
            "isGold": {
                "ConditionalSplit": {
                    "Condition": {
                        "Operator": "ALL",
                        "Conditions": [
                            {
                                "EventCondition": {
                                    "MessageActivity": "hook",
                                    "Dimensions": {
                                        "EventType": {
                                            "DimensionType": "INCLUSIVE",
                                            "Values": ["_custom.response"],
                                        },
                                        "Attributes": {
                                            "tier": {"AttributeType": "INCLUSIVE", "Values": ["gold"]}
                                        },
                                    },
                                }
                            }
                        ],
                    },
                    "TrueActivity": "thanks",
                    "FalseActivity": "upsell",
                }
            },
            "thanks": email("thanks"),
            "upsell": email("upsell"),
        },
        "hook",
    )
    deployed = lab.deploy(body)
    assert lab.run(deployed, [gold]) == {gold: ["hook", "isGold", "thanks", "SUCCEEDED"]}
    assert sends(lab, deployed)[0]["uri"] == CUSTOM_URI
    assert sends(lab, deployed)[0]["Data"] == '{"kind":"nudge"}'
    lab.channel.responses[CUSTOM_URI] = {"tier": "basic"}
    second = lab.deploy(body)
    assert lab.run(second, [plain]) == {plain: ["hook", "isGold", "upsell", "SUCCEEDED"]}


def test_custom_activity_skips_endpoints_of_other_types(lab):
    sms_endpoint = add_endpoint(lab, ChannelType="SMS", Address="+4915112345678")
    body = journey({"hook": {"CUSTOM": {"DeliveryUri": CUSTOM_URI, "EndpointTypes": ["EMAIL"]}}}, "hook")
    deployed = lab.deploy(body)
    assert lab.run(deployed, [sms_endpoint]) == {sms_endpoint: ["hook", "SUCCEEDED"]}
    assert sends(lab, deployed) == []
    assert lab.metrics(deployed)["hook#ENDPOINT_TYPE_EXCLUDED"] == 1


def test_wait_for_and_wait_until_delay_the_next_activity(lab):
    who = add_endpoint(lab)
    until = (lab.clock.base + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = journey(
        {
            "pause": {"Wait": {"WaitTime": {"WaitFor": "P2DT3H"}, "NextActivity": "one"}},
            "one": email("one", "later"),
            "later": {"Wait": {"WaitTime": {"WaitUntil": until}, "NextActivity": "two"}},
            "two": email("two"),
        },
        "pause",
    )
    deployed = lab.deploy(body)
    assert lab.run(deployed, [who]) == {who: ["pause", "one", "later", "two", "SUCCEEDED"]}
    one, two = sends(lab, deployed)
    assert one["at"] == lab.clock.base + timedelta(days=2, hours=3)
    assert two["at"] == lab.clock.base + timedelta(days=10)


def _segment_split(operator: str) -> dict:
    return journey(
        {
            "check": {
                "ConditionalSplit": {
                    "Condition": {
                        "Operator": operator,
                        "Conditions": [
                            {"SegmentCondition": {"SegmentId": "seg-app-users"}},
                            {
                                "SegmentDimensions": {
                                    "Location": {"Country": {"DimensionType": "INCLUSIVE", "Values": ["US"]}}
                                }
                            },
                        ],
                    },
                    "TrueActivity": "yes",
                    "FalseActivity": "no",
                }
            },
            "yes": email("yes"),
            "no": email("no"),
        },
        "check",
    )


def test_conditional_split_all_needs_every_condition_any_needs_one(lab):
    both = add_endpoint(lab, Attributes={"app": ["yes"]}, Location={"Country": "US"})
    one = add_endpoint(lab, Attributes={"app": ["yes"]}, Location={"Country": "DE"})
    all_paths = lab.run(lab.deploy(_segment_split("ALL")), [both, one])
    assert all_paths == {both: ["check", "yes", "SUCCEEDED"], one: ["check", "no", "SUCCEEDED"]}
    any_paths = lab.run(lab.deploy(_segment_split("ANY")), [both, one], run_id="run-2")
    assert any_paths == {both: ["check", "yes", "SUCCEEDED"], one: ["check", "yes", "SUCCEEDED"]}


def test_multi_condition_takes_the_first_matching_branch_in_order_else_the_default(lab):
    vip_us = add_endpoint(lab, Attributes={"tier": ["vip"]}, Location={"Country": "US"})
    us = add_endpoint(lab, Location={"Country": "US"})
    nobody = add_endpoint(lab, Location={"Country": "FR"})
    body = journey(
        {
            "route": {
                "MultiCondition": {
                    "Branches": [
                        {"Condition": {"SegmentCondition": {"SegmentId": "seg-vip"}}, "NextActivity": "vip"},
                        {
                            "Condition": {
                                "SegmentDimensions": {
                                    "Location": {"Country": {"DimensionType": "INCLUSIVE", "Values": ["US"]}}
                                }
                            },
                            "NextActivity": "american",
                        },
                    ],
                    "DefaultActivity": "other",
                }
            },
            "vip": email("vip"),
            "american": email("american"),
            "other": email("other"),
        },
        "route",
    )
    deployed = lab.deploy(body)
    assert lab.run(deployed, [vip_us, us, nobody]) == {
        vip_us: ["route", "vip", "SUCCEEDED"],  # both branches match: the first wins
        us: ["route", "american", "SUCCEEDED"],
        nobody: ["route", "other", "SUCCEEDED"],
    }
    metrics = lab.metrics(deployed)
    assert (metrics["route#Branch_1"], metrics["route#Branch_2"], metrics["route#Else"]) == (1, 1, 1)


def test_random_split_sends_participants_down_every_branch_by_percentage(lab):
    people = [add_endpoint(lab) for _ in range(12)]
    body = journey(
        {
            "ab": {
                "RandomSplit": {
                    "Branches": [
                        {"Percentage": 50, "NextActivity": "a"},
                        {"Percentage": 50, "NextActivity": "b"},
                        {"Percentage": 0, "NextActivity": "never"},
                    ]
                }
            },
            "a": email("a"),
            "b": email("b"),
            "never": email("never"),
        },
        "ab",
    )
    deployed = lab.deploy(body)
    paths = lab.run(deployed, people)
    branches = [path[1] for path in paths.values()]
    assert set(branches) == {"a", "b"}  # 0 % is never taken; P(all 12 on one side) = 2**-11
    metrics = lab.metrics(deployed)
    assert metrics["ab#Branch_1"] + metrics["ab#Branch_2"] == 12 and "ab#Branch_3" not in metrics


def test_holdout_removes_its_percentage_from_the_journey(lab):
    kept, held = add_endpoint(lab), add_endpoint(lab)
    keep_all = journey({"h": {"Holdout": {"Percentage": 0, "NextActivity": "mail"}}, "mail": email("x")}, "h")
    hold_all = journey(
        {"h": {"Holdout": {"Percentage": 100, "NextActivity": "mail"}}, "mail": email("x")}, "h"
    )
    assert lab.run(lab.deploy(keep_all), [kept]) == {kept: ["h", "mail", "SUCCEEDED"]}
    deployed = lab.deploy(hold_all)
    assert lab.run(deployed, [held]) == {held: ["h", "SUCCEEDED"]}
    assert lab.metrics(deployed)["h#HOLDOUT"] == 1 and lab.metrics(deployed)["ENDPOINT_LEFT"] == 1


def _opened_split(wait: str) -> dict:
    return journey(
        {
            "mail": email("welcome", "opened"),
            "opened": {
                "ConditionalSplit": {
                    "Condition": {
                        "Operator": "ANY",
                        "Conditions": [
                            {
                                "EventCondition": {
                                    "MessageActivity": "mail",
                                    "Dimensions": {
                                        "EventType": {
                                            "DimensionType": "INCLUSIVE",
                                            "Values": ["_email.open", "_email.click"],
                                        }
                                    },
                                }
                            }
                        ],
                    },
                    "EvaluationWaitTime": {"WaitFor": wait},
                    "TrueActivity": "engaged",
                    "FalseActivity": "quiet",
                }
            },
            "engaged": email("engaged"),
            "quiet": email("quiet"),
        },
        "mail",
    )


def test_event_condition_counts_only_events_before_the_evaluation_wait_ends(lab):
    early, late, clicker, other_run = (add_endpoint(lab) for _ in range(4))
    lab.channel.reactions.update(
        {
            early: [("_email.open", 2 * 86400)],
            late: [("_email.open", 4 * 86400)],
            clicker: [("_email.click", 60)],
            other_run: [("_email.delivered", 60)],
        }
    )
    deployed = lab.deploy(_opened_split("P3D"))
    paths = lab.run(deployed, [early, late, clicker, other_run])
    assert paths[early] == ["mail", "opened", "engaged", "SUCCEEDED"]
    assert paths[late] == ["mail", "opened", "quiet", "SUCCEEDED"]
    assert paths[clicker] == ["mail", "opened", "engaged", "SUCCEEDED"]
    assert paths[other_run] == ["mail", "opened", "quiet", "SUCCEEDED"]  # delivered is not open/click


def test_event_condition_ignores_events_from_an_earlier_run_of_the_same_journey(lab):
    who = add_endpoint(lab)
    lab.channel.reactions[who] = [("_email.open", 60)]
    deployed = lab.deploy(_opened_split("PT1H"))
    assert lab.run(deployed, [who], run_id="first")[who][-2] == "engaged"
    lab.channel.reactions[who] = []
    lab.clock.advance(86400)  # the next event arrives a day later: a new run, and no open this time
    lab.start(deployed, [who], run_id="second")
    assert sorted(path[-2] for path in lab.paths(deployed).values()) == ["engaged", "quiet"]


def test_event_condition_on_an_sms_activity_splits_on_its_delivery_events(lab):
    delivered, failed = add_endpoint(lab, ChannelType="SMS"), add_endpoint(lab, ChannelType="SMS")
    lab.channel.reactions.update({delivered: [("_SMS.SUCCESS", 30)], failed: [("_SMS.FAILURE", 30)]})
    condition = {
        "EventCondition": {
            "MessageActivity": "text",
            "Dimensions": {"EventType": {"DimensionType": "INCLUSIVE", "Values": ["_SMS.SUCCESS"]}},
        }
    }
    body = journey(
        {
            "text": {"SMS": {"TemplateName": "nudge_sms", "NextActivity": "got"}},
            "got": {
                "ConditionalSplit": {
                    "Condition": {"Conditions": [condition]},
                    "EvaluationWaitTime": {"WaitFor": "PT1H"},
                    "TrueActivity": "thanks",
                    "FalseActivity": "retry",
                }
            },
            "thanks": email("thanks"),
            "retry": email("retry"),
        },
        "text",
    )
    paths = lab.run(lab.deploy(body), [delivered, failed])
    assert paths == {
        delivered: ["text", "got", "thanks", "SUCCEEDED"],
        failed: ["text", "got", "retry", "SUCCEEDED"],
    }
