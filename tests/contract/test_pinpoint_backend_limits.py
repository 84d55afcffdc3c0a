"""What the Pinpoint backend cannot do says so clearly instead of pretending."""

from __future__ import annotations

import boto3
import pytest

from engagement.endpoints import UnsupportedOperationError, build_registry


def test_pinpoint_cannot_find_endpoints_by_address() -> None:
    registry = build_registry("pinpoint", session=boto3.session.Session(region_name="us-east-1"))

    assert registry.finds_by_address is False  # what callers check (suppression) before asking
    with pytest.raises(UnsupportedOperationError, match="client_id"):
        registry.find_endpoints_by_address("app", "EMAIL", "ana@example.com", user_attributes=False)


def test_pinpoint_cannot_list_endpoints_for_export() -> None:
    registry = build_registry("pinpoint", session=boto3.session.Session(region_name="us-east-1"))

    with pytest.raises(UnsupportedOperationError, match="export job"):
        next(iter(registry.iter_endpoints("app")))


@pytest.mark.parametrize("store", ["", "dynamodb://", "dynamo://table", "s3://bucket", "PINPOINT "])
def test_unknown_store_is_a_clear_error(store: str) -> None:
    with pytest.raises(ValueError, match="ENDPOINT_STORE must be"):
        build_registry(store.strip() if store == "PINPOINT " else store)
