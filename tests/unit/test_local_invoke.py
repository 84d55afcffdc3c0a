"""``make invoke`` shows what a handler changed: registry fields, stream records, journeys."""

from __future__ import annotations

from local.invoke import changes

BEFORE = {
    "registry": {
        "mary-email": {
            "OptOut": "NONE",
            "Address": "mary.major@example.com",
            "Attributes": {"Plan": ["gold"]},
        },
        "john-sms": {"OptOut": "NONE", "Address": "+12065550101", "Attributes": {}},
    },
    "runs": ["OrderPlaced-1"],
}


def test_only_what_changed_is_shown_with_addresses_masked():
    after = {
        "registry": {
            **BEFORE["registry"],
            "mary-email": {
                "OptOut": "ALL",
                "Address": "mary.major@example.com",
                "Attributes": {"Plan": ["gold"], "OptOutReason": ["hardbounce"]},
            },
        },
        "added": ["_email.hardbounce"],
        "runs": ["OrderPlaced-1", "OrderPlaced-2"],
    }
    lines = changes(BEFORE, after)
    assert lines == [
        "endpoint mary-email (m***@example.com): OptOut NONE -> ALL",
        "endpoint mary-email (m***@example.com): Attributes OptOutReason None -> ['hardbounce']",
        "event stream: +1 record(s): _email.hardbounce",
        "journeys started: OrderPlaced-2",
    ]
    assert not any("mary.major" in line or "0101" in line for line in lines)


def test_nothing_changed_says_so():
    assert changes(BEFORE, BEFORE) == ["no change in the registry, the event stream or the journeys"]
