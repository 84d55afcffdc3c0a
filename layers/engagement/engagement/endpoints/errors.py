"""Pinpoint's error codes for the registry; defined in :mod:`engagement.models.errors` for every feature."""

from engagement.models.errors import (
    BadRequestException,
    ConflictException,
    EndpointRegistryError,
    NotFoundException,
    UnsupportedOperationError,
)

__all__ = [
    "BadRequestException",
    "ConflictException",
    "EndpointRegistryError",
    "NotFoundException",
    "UnsupportedOperationError",
]
