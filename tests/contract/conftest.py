"""Backends for the endpoint-registry contract suite.

Every test taking ``backend`` runs twice: on the DynamoDB registry (moto's server from the
shared ``local_stack`` fixture) and on the Pinpoint adapter (boto3's ``pinpoint`` client under
botocore's ``Stubber``, which checks every request against the real service model).
Tests marked ``ours_only`` check rules the DynamoDB backend enforces itself (ACTIVE/INACTIVE,
merging, 15 endpoints per user...): on Pinpoint they would only replay the stub, so they run on
DynamoDB alone.

A contract test says what Pinpoint returns with ``backend.expect(...)``; the DynamoDB harness
ignores that and answers for real, the Pinpoint harness queues it as the stubbed response and
checks that the adapter sent exactly ``params``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "ours_only: a rule our DynamoDB backend enforces (not run on the stub)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        names = (
            ["dynamodb"] if metafunc.definition.get_closest_marker("ours_only") else ["dynamodb", "pinpoint"]
        )
        metafunc.parametrize("backend", names, indirect=True)


@dataclass
class Harness:
    """A registry plus what its backend needs told about the responses Pinpoint would give."""

    name: str
    registry: Any
    application_id: str
    stubber: Any = None
    calls: list[str] = field(default_factory=list)

    def expect(self, operation: str, params: dict[str, Any], response: dict[str, Any]) -> None:
        if self.stubber is not None:
            self.stubber.add_response(operation, response, params)

    def expect_error(
        self, operation: str, code: str, status: int, params: dict[str, Any] | None = None
    ) -> None:
        if self.stubber is not None:
            self.stubber.add_client_error(
                operation, service_error_code=code, service_message=code, http_status_code=status,
                expected_params=params,
            )  # fmt: skip


@pytest.fixture(scope="session")
def endpoints_table(local_stack: Any) -> str:
    return local_stack.physical_id("EndpointsTable")


@pytest.fixture
def dynamodb_registry(endpoints_table: str) -> Any:
    from engagement.endpoints import build_registry

    return build_registry(f"dynamodb://{endpoints_table}")


@pytest.fixture
def application_id() -> str:
    """A fresh application per test: tests share the table, never their data."""
    return uuid.uuid4().hex


@pytest.fixture
def backend(request: pytest.FixtureRequest, application_id: str) -> Iterator[Harness]:
    if request.param == "dynamodb":
        yield Harness("dynamodb", request.getfixturevalue("dynamodb_registry"), application_id)
        return
    import boto3
    from botocore.stub import Stubber

    from engagement.endpoints.pinpoint import PinpointEndpointRegistry

    client = boto3.session.Session(region_name="us-east-1").client("pinpoint")
    with Stubber(client) as stubber:
        yield Harness("pinpoint", PinpointEndpointRegistry(client), application_id, stubber)
        stubber.assert_no_pending_responses()
