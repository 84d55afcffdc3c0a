"""Endpoint registry: Pinpoint's endpoint API on DynamoDB (standalone) or on Pinpoint itself.

    from engagement.endpoints import build_registry
    registry = build_registry(settings.endpoint_store)   # "dynamodb://<table>" or "pinpoint"
    registry.update_endpoint(ApplicationId=app, EndpointId="ep-1", EndpointRequest={...})

Names resolve lazily (PEP 562): importing this package loads neither boto3 nor botocore.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engagement.lazy import lazy_exports

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


__getattr__ = lazy_exports(__name__, _EXPORTS)
