"""The sample events in events/ (for `make invoke` / `sam local invoke -e`) stay valid."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from engagement.events.ses import normalise_ses_event
from engagement.suppression.classify import classify
from engagement.suppression.policy import SuppressionPolicy

EVENTS = Path(__file__).resolve().parents[3] / "events"


def test_kinesis_sample_covers_every_policy_row_and_a_bad_record():
    event = json.loads((EVENTS / "kinesis_suppression.json").read_text())
    results = [classify(record, SuppressionPolicy()) for record in event["Records"]]
    assert Counter(r.kind for r in results) == {"suppress": 4, "softbounce": 3, "ignore": 1, "quarantine": 1}
    assert {r.reason for r in results if r.kind == "suppress"} == {
        "hardbounce",
        "complaint",
        "unsubscribe",
        "sms_optout",
    }


@pytest.mark.parametrize(
    ("name", "event_type"),
    [
        ("ses_bounce.json", "_email.hardbounce"),
        ("ses_complaint.json", "_email.complaint"),
        ("ses_subscription.json", "_email.unsubscribe"),
    ],
)
def test_ses_samples_normalise(name, event_type):
    event = json.loads((EVENTS / name).read_text())
    assert event["source"] == "aws.ses"
    assert [r["event_type"] for r in normalise_ses_event(event)] == [event_type]
