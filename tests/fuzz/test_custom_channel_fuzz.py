"""Property-based fuzzing of the custom-channel handler (``handle_batch``): hostile payloads,
endpoint data and template values. Properties, for every generated invocation:

* no crash: it answers, or raises ``InvalidPayloadError`` only when there is no endpoint map
  to answer for; no endpoint ends in ``internal_error``;
* nothing lost: every endpoint of the payload gets an answer within Pinpoint's limits, and one
  event record (EventRecordsNotWritten stays 0);
* no wrong write: each provider call goes to its own endpoint's address, exactly one per
  SUCCESSFUL endpoint, with no control character in a header; a second invocation of the
  same payload sends nothing and answers DUPLICATE where the first sent.

The channel runs with the unit tests' recording clients and Powertools' rules in memory, so
hundreds of invocations take seconds.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engagement.channel.handle import InvalidPayloadError, handle_batch
from engagement.channel.outcome import MAX_ATTRIBUTE_CHARS, MAX_ATTRIBUTES, DeliveryStatus
from tests.unit.channel.channel_fakes import FakeContext, FakeRegistry, Metrics, make_channel

STATUSES = {status.value for status in DeliveryStatus}
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\r\n", "\x00", "Bcc: x@y.z\r\n", "{{", "}}", "$", "\u2028", "ü" * 300]),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=500, max_size=2000),
)
ADDRESSES = st.one_of(
    st.sampled_from(["ana@example.com", "+12065550100", "2065550100", "a@b", "@", "x\r\n@example.com"]),
    st.emails(),
    HOSTILE_TEXT,
)
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), HOSTILE_TEXT)
NESTED = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
)


def mostly(usual: st.SearchStrategy, *hostile: st.SearchStrategy) -> st.SearchStrategy:
    """``usual`` four times in five (and what failures shrink to), else one of ``hostile``."""
    return st.integers(0, 4).flatmap(lambda n: usual if n < 4 else st.one_of(*hostile))


def deep(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


ROUTED = st.one_of(
    st.tuples(st.just("EMAIL"), st.one_of(st.emails(), ADDRESSES)),
    st.tuples(st.just("SMS"), st.one_of(st.from_regex(r"\+1206555[0-9]{4}", fullmatch=True), ADDRESSES)),
    st.tuples(st.just("CUSTOM"), st.one_of(st.text(max_size=20), ADDRESSES)),
    st.tuples(st.one_of(st.sampled_from(["VOICE", "email", ""]), JSON_LEAF), ADDRESSES),
)
EXTRAS = st.fixed_dictionaries(
    {},
    optional={
        "OptOut": st.sampled_from(["NONE", "ALL", "", "all"]),
        "EndpointStatus": st.sampled_from(["ACTIVE", "INACTIVE", "", None]),
        "User": st.fixed_dictionaries(
            {},
            optional={
                "UserId": HOSTILE_TEXT,
                "UserAttributes": st.dictionaries(
                    st.sampled_from(["FirstName", "LastName", ""]),
                    st.lists(HOSTILE_TEXT, max_size=2),
                    max_size=2,
                ),
            },
        ),
        "Attributes": st.one_of(NESTED, st.integers(20, 3000).map(deep)),
        "Metrics": st.dictionaries(st.text(max_size=5), JSON_LEAF, max_size=2),
    },
)
ENDPOINT = st.builds(
    lambda routed, extras: {"ChannelType": routed[0], "Address": routed[1], **extras}, ROUTED, EXTRAS
)
GOOD_DATA = st.sampled_from(["channel_welcome", '{"template": "channel_welcome", "channel": "WEBHOOK"}'])
DATA = mostly(
    GOOD_DATA,
    st.sampled_from(["channel_birthday", "channel_broken", "missing", "{", "{}", ""]),
    st.builds(
        lambda template, channel, subs: json.dumps(
            {"template": template, "channel": channel, "substitutions": subs}
        ),
        st.sampled_from(["channel_welcome", "channel_birthday", "x" * 200]),
        st.sampled_from([None, "EMAIL", "SMS", "WEBHOOK", "PUSH", "sms"]),
        st.one_of(
            st.none(),
            st.dictionaries(
                st.sampled_from(["FirstName", "Attributes.Plan"]), st.lists(HOSTILE_TEXT, max_size=2)
            ),
        ),
    ),
    NESTED,
)
ENDPOINT_IDS = st.one_of(
    st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
    st.text(max_size=12),
    st.sampled_from(["", " ", "E1", "e1", "mary@example.com", "$x", "{{"]),
)
GOOD_ENDPOINTS = st.dictionaries(ENDPOINT_IDS, ENDPOINT, min_size=1, max_size=6)
PAYLOAD = st.fixed_dictionaries(
    {
        "ApplicationId": mostly(st.just("app0fuzz"), HOSTILE_TEXT, JSON_LEAF),
        "Data": DATA,
        "Endpoints": mostly(
            GOOD_ENDPOINTS,
            st.dictionaries(ENDPOINT_IDS, st.one_of(ENDPOINT, JSON_LEAF), max_size=6),
            JSON_LEAF,
        ),
    },
    optional={
        "CampaignId": HOSTILE_TEXT,
        "JourneyId": HOSTILE_TEXT,
        "ActivityId": HOSTILE_TEXT,
        "TreatmentId": st.one_of(st.integers(), HOSTILE_TEXT),
        "ScheduledTime": HOSTILE_TEXT,
    },
)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Writer:
    def __init__(self) -> None:
        self.records: list[dict] = []

    def put(self, records) -> None:
        for record in records:
            if len(json.dumps(record, default=str).encode()) > 1024 * 1024:
                raise ValueError("Kinesis refuses a record over 1 MiB")
        self.records.extend(records)


def invoke(channel: Any, raw: Any) -> tuple[dict | None, Writer, Metrics]:
    writer, metrics = Writer(), Metrics()
    try:
        response = handle_batch(channel, raw, FakeContext(), writer=writer, metrics=metrics)
    except InvalidPayloadError:
        endpoints = raw.get("Endpoints") if isinstance(raw, dict) else None
        assert not (isinstance(endpoints, dict) and endpoints), "raised although it could answer"
        return None, writer, metrics
    return response, writer, metrics


def check_answers(raw: dict, response: dict, writer: Writer, metrics: Metrics) -> dict[str, str]:
    assert set(response) == {str(k) for k in raw["Endpoints"]}
    statuses = {}
    for endpoint_id, answer in response.items():
        attributes = answer["EventAttributes"]
        assert len(attributes) <= MAX_ATTRIBUTES
        assert all(isinstance(v, str) and len(v) <= MAX_ATTRIBUTE_CHARS for v in attributes.values())
        assert attributes["delivery_status"] in STATUSES
        assert attributes.get("reason") != "internal_error", attributes
        statuses[endpoint_id] = attributes["delivery_status"]
    reasons = {a["EventAttributes"].get("reason", "") for a in response.values()}
    if all(r.startswith("invalid_payload") for r in reasons):  # nothing to build records from
        assert writer.records == []
        return statuses
    fresh = [k for k, s in statuses.items() if s != "DUPLICATE"]
    assert metrics.values.get("EventRecordsNotWritten", 0) == 0
    assert sorted(r["client"]["client_id"] for r in writer.records) == sorted(fresh)
    for record in writer.records:
        assert record["attributes"]["delivery_status"] == statuses[record["client"]["client_id"]]
    return statuses


def sends(fakes: dict) -> list[tuple[str, str]]:
    """(channel, address) of every provider call, checking header hygiene on the way."""
    out = []
    for call in fakes["ses"].calls:
        simple = call["Content"]["Simple"]
        assert not CONTROL.search(simple["Subject"]["Data"])
        for header in simple.get("Headers", []):
            assert header["Value"].isascii() and header["Value"].isprintable() and len(header["Value"]) <= 995
        (address,) = call["Destination"]["ToAddresses"]
        out.append(("EMAIL", address))
    out += [("SMS", call["DestinationPhoneNumber"]) for call in fakes["sms"].calls]
    out += [("WEBHOOK", payload["endpoint_id"]) for payload in fakes["hook"].payloads]
    return out


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=PAYLOAD, registry_down=st.booleans())
def test_hostile_invocations_never_crash_lose_or_misdirect(raw, registry_down):
    channel, fakes = make_channel(registry=FakeRegistry(fail=registry_down))
    response, writer, metrics = invoke(channel, raw)
    if response is None:
        event("refused: no endpoint map")
        assert sends(fakes) == []
        return
    statuses = check_answers(raw, response, writer, metrics)
    sent = sends(fakes)
    successful = [k for k, s in statuses.items() if s == "SUCCESSFUL"]
    event(f"sent: {'some' if successful else 'none'}; statuses: {sorted(set(statuses.values()))}")
    assert len(sent) == len(successful)
    for channel_name, target in sent:
        if channel_name == "WEBHOOK":
            assert statuses[target] == "SUCCESSFUL"
        else:  # the address of a successful endpoint of this batch (SMS: normalised)
            addresses = {str(raw["Endpoints"][k].get("Address", "")).strip() for k in successful}
            digits = {re.sub(r"\D", "", a) for a in addresses}
            assert target in addresses or re.sub(r"\D", "", target) in digits

    again, writer, metrics = invoke(channel, raw)
    assert len(sends(fakes)) == len(sent)  # nothing sent twice
    assert all(again[k]["EventAttributes"]["delivery_status"] == "DUPLICATE" for k in successful)
    check_answers(raw, again, writer, metrics)
