"""Shared fixtures: fake AWS credentials for every test, and the local stack for integration tests."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Shared, noisy machines: no per-example wall-clock deadline (property tests check behaviour,
# benchmarks check speed).
settings.register_profile("engagement", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("engagement")

# No test may reach real AWS: fake credentials and a region before any client is built.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "EngagementTests",
        "POWERTOOLS_SERVICE_NAME": "engagement-tests",
    }
)
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture(scope="session")
def local_stack() -> Iterator[Any]:
    """moto's server on loopback with every resource of template.yaml (created from the template)."""
    from local.stack import LocalStack

    stack = LocalStack()
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def invoke_function(local_stack: Any) -> Callable[..., Any]:
    """Cold-start and invoke a handler in-process: ``invoke_function("event_stream", event, env={...})``."""
    from local.functions import invoke

    def _invoke(name: str, event: Any, *, env: dict[str, str] | None = None, timeout_s: float | None = None):
        return invoke(local_stack, name, event, env=env, timeout_s=timeout_s)

    return _invoke
