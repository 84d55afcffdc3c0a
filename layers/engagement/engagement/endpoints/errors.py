"""Pinpoint's error codes, raised by the standalone backend as botocore ``ClientError``s.

Callers handle both backends the same way::

    except ClientError as e:
        if e.response["Error"]["Code"] == "NotFoundException": ...

This module imports botocore (about 15 ms), so import it only where an error can be raised.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

__all__ = [
    "BadRequestException",
    "ConflictException",
    "EndpointRegistryError",
    "NotFoundException",
    "UnsupportedOperationError",
]


class EndpointRegistryError(ClientError):
    """A ``ClientError`` shaped like the one boto3's ``pinpoint`` client raises."""

    code = "InternalServerErrorException"
    status = 500

    def __init__(self, message: str, operation_name: str) -> None:
        response = {
            "Error": {"Code": self.code, "Message": message},
            "Message": message,
            "ResponseMetadata": {"HTTPStatusCode": self.status},
        }
        super().__init__(response, operation_name)  # type: ignore[arg-type]


class BadRequestException(EndpointRegistryError):  # noqa: N818 - Pinpoint's error code
    """HTTP 400: the request breaks a Pinpoint rule; nothing was written."""

    code = "BadRequestException"
    status = 400


class NotFoundException(EndpointRegistryError):  # noqa: N818 - Pinpoint's error code
    """HTTP 404: no such endpoint or user in the application."""

    code = "NotFoundException"
    status = 404


class ConflictException(EndpointRegistryError):  # noqa: N818 - Pinpoint's error code
    """HTTP 409: concurrent writers kept changing the same items; nothing of this call was written."""

    code = "ConflictException"
    status = 409


class UnsupportedOperationError(NotImplementedError):
    """The backend has no API for this operation (e.g. find-by-address on Pinpoint)."""
