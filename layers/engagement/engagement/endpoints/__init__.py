"""Endpoint registry: Pinpoint's endpoint API on DynamoDB (standalone) or on Pinpoint itself.

    from engagement.endpoints import build_registry
    registry = build_registry(settings.endpoint_store)   # "dynamodb://<table>" or "pinpoint"
    registry.update_endpoint(ApplicationId=app, EndpointId="ep-1", EndpointRequest={...})

Names resolve lazily (PEP 562): importing this package loads neither boto3 nor botocore.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engagement.endpoints.dynamodb import DynamoDBEndpointRegistry
    from engagement.endpoints.errors import (
        BadRequestException,
        ConflictException,
        NotFoundException,
        UnsupportedOperationError,
    )
    from engagement.endpoints.factory import build_registry
    from engagement.endpoints.pinpoint import PinpointEndpointRegistry
    from engagement.endpoints.protocol import EndpointRegistry

_EXPORTS = {
    "BadRequestException": "errors",
    "ConflictException": "errors",
    "NotFoundException": "errors",
    "UnsupportedOperationError": "errors",
    "DynamoDBEndpointRegistry": "dynamodb",
    "PinpointEndpointRegistry": "pinpoint",
    "EndpointRegistry": "protocol",
    "build_registry": "factory",
}
__all__ = [
    "BadRequestException",
    "ConflictException",
    "DynamoDBEndpointRegistry",
    "EndpointRegistry",
    "NotFoundException",
    "PinpointEndpointRegistry",
    "UnsupportedOperationError",
    "build_registry",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
