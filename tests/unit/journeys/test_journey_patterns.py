"""EventBridge pattern matching in code agrees with an independent implementation (moto's)."""

from __future__ import annotations

import json

import pytest
from moto.events.models import EventPattern

from engagement.journeys.patterns import check_pattern, matches

PATTERNS = [
    {"source": ["com.example.orders"], "detail-type": ["Order Placed"]},
    {"detail": {"status": ["PLACED", "PAID"]}},
    {"detail": {"customer": {"userId": [{"exists": True}]}}},
    {"detail": {"coupon": [{"exists": False}]}},
    {"detail": {"itemCount": [{"numeric": [">", 0]}]}},
    {"detail": {"total": [{"numeric": [">=", 10, "<", 100]}]}},
    {"detail": {"plan": [{"anything-but": "enterprise"}]}},
    {"detail": {"plan": [{"anything-but": ["enterprise", "free"]}]}},
    {"detail": {"sku": [{"prefix": "MUG-"}]}},
    {"detail": {"tags": ["vip"]}},
]
DETAILS = [
    {
        "status": "PLACED",
        "customer": {"userId": "u1"},
        "itemCount": 2,
        "total": 50,
        "plan": "pro",
        "sku": "MUG-1",
    },
    {
        "status": "CANCELLED",
        "customer": {},
        "itemCount": 0,
        "total": 100,
        "plan": "enterprise",
        "sku": "TEA-1",
    },
    {"status": "PAID", "coupon": "X", "itemCount": -1, "total": 9.99, "plan": "free", "tags": ["new", "vip"]},
    {"customer": {"userId": None}, "itemCount": "3", "total": 10, "plan": 5, "tags": []},
]


def _event(detail, source="com.example.orders", detail_type="Order Placed"):
    return {
        "version": "0",
        "id": "1",
        "source": source,
        "detail-type": detail_type,
        "account": "123456789012",
        "time": "2026-05-04T17:22:05Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: json.dumps(p)[:60])
@pytest.mark.parametrize("detail", DETAILS, ids=["placed", "cancelled", "paid", "odd-types"])
def test_matches_like_an_independent_eventbridge_implementation(pattern, detail):
    """moto's EventPattern (what the local bus uses to route) is the reference."""
    event = _event(detail)
    expected = EventPattern.load(json.dumps(pattern)).matches_event(event)
    assert matches(pattern, event) is expected


def test_shipped_route_patterns_pick_the_sample_events():
    from engagement.journeys.routes import load_routes
    from local.stack import REPO_ROOT

    routes = load_routes()
    for name, route_id in [
        ("eventbridge_order_placed.json", "OrderPlaced"),
        ("eventbridge_cart_abandoned.json", "CartAbandoned"),
        ("eventbridge_trial_ending.json", "TrialEnding"),
    ]:
        event = json.loads((REPO_ROOT / "events" / name).read_text())
        assert routes.match(event).id == route_id


@pytest.mark.parametrize(
    "pattern",
    [
        {"detail": {"x": [{"wildcard": "a*"}]}},
        {"detail": {"x": [{"cidr": "10.0.0.0/8"}]}},
        {"detail": {"x": [{"numeric": [">"]}]}},
        {"detail": {"x": [{"exists": "yes"}]}},
        {"detail": {"x": "PLACED"}},
        {"detail": {"x": []}},
        {},
    ],
)
def test_unsupported_patterns_are_refused_when_routes_load(pattern):
    with pytest.raises(ValueError):
        check_pattern(pattern)
