"""Fuzzed records never crash the handler, and every record is accounted for."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement.events.kinesis import lambda_event
from local.demo_stream import bounce, sms

EVENT_TYPES = [
    "_email.hardbounce",
    "_email.softbounce",
    "_email.complaint",
    "_email.unsubscribe",
    "_SMS.OPTOUT",
    "_email.delivered",
    "_SMS.SUCCESS",
    "_campaign.send",
    "custom",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated_records(draw):
    """Valid records with one part replaced by arbitrary JSON: the shapes that hurt parsers."""
    record = draw(st.sampled_from([bounce("app", "ep1", "a@example.com"), sms("app", "ep2", "+12065550100")]))
    record = json.loads(json.dumps(record))
    record["event_type"] = draw(st.sampled_from(EVENT_TYPES) | st.text(max_size=12))
    path = draw(
        st.sampled_from(
            [
                ("application",),
                ("client",),
                ("attributes",),
                ("facets",),
                ("facets", "email_channel", "mail_event", "bounce"),
                ("event_timestamp",),
                ("client_context",),
            ]
        )
    )
    target = record
    for key in path[:-1]:
        target = target.setdefault(key, {}) if isinstance(target, dict) else {}
    if isinstance(target, dict):
        target[path[-1]] = draw(json_values)
    return record


records = st.binary(max_size=64) | json_values.map(json.dumps) | mutated_records()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(records, min_size=1, max_size=8))
def test_fuzzed_records_never_crash_the_handler(batch, registry, make_consumer):
    registry.add("app", "ep1", "EMAIL", "a@example.com")
    registry.add("app", "ep2", "SMS", "+12065550100")
    consumer = make_consumer()
    event = lambda_event(batch)
    response = consumer.handle(event)
    outcome = consumer.last_outcome
    ids = {record["eventID"] for record in event["Records"]}
    assert set(outcome.failed) | set(outcome.quarantined) <= ids
    assert not set(outcome.failed) & set(outcome.quarantined)
    assert response == {"batchItemFailures": []}  # nothing here is transient
    assert len(consumer.quarantine.entries) == len(outcome.quarantined)
