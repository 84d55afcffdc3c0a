"""Pinpoint's error codes, raised by every standalone feature as botocore ``ClientError``s.

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
    "ForbiddenException",
    "InternalServerErrorException",
    "MethodNotAllowedException",
    "NotFoundException",
    "PayloadTooLargeException",
    "PinpointError",
    "TooManyRequestsException",
    "UnsupportedOperationError",
]


class PinpointError(ClientError):
    """A ``ClientError`` shaped like the one boto3's ``pinpoint`` client raises.

    ``code`` and ``status`` are Pinpoint's error code and HTTP status; the HTTP API answers
    ``status`` with the body ``{"Message": message, "RequestID": ...}``.
    """

    code = "InternalServerErrorException"
    status = 500

    def __init__(self, message: str, operation_name: str) -> None:
        response = {
            "Error": {"Code": self.code, "Message": message},
            "Message": message,
            "ResponseMetadata": {"HTTPStatusCode": self.status},
        }
        super().__init__(response, operation_name)  # type: ignore[arg-type]
        self.message = message


EndpointRegistryError = PinpointError  # the registry's name for it, kept for existing callers


class BadRequestException(PinpointError):  # noqa: N818 - Pinpoint's error code
    """HTTP 400: the request breaks a Pinpoint rule; nothing was written."""

    code = "BadRequestException"
    status = 400


class NotFoundException(PinpointError):  # noqa: N818 - Pinpoint's error code
    """HTTP 404: no such endpoint or user in the application."""

    code = "NotFoundException"
    status = 404


class ConflictException(PinpointError):  # noqa: N818 - Pinpoint's error code
    """HTTP 409: concurrent writers kept changing the same items; nothing of this call was written."""

    code = "ConflictException"
    status = 409


class ForbiddenException(PinpointError):  # noqa: N818 - Pinpoint's error code
    """HTTP 403: the caller may not do this."""

    code = "ForbiddenException"
    status = 403


class MethodNotAllowedException(PinpointError):  # noqa: N818 - Pinpoint's error code
    """HTTP 405: the operation is not allowed on this resource in its current state."""

    code = "MethodNotAllowedException"
    status = 405


class PayloadTooLargeException(PinpointError):  # noqa: N818 - Pinpoint's error code
    """HTTP 413: the request exceeds one of Pinpoint's size limits."""

    code = "PayloadTooLargeException"
    status = 413


class TooManyRequestsException(PinpointError):  # noqa: N818 - Pinpoint's error code
    """HTTP 429: throttled; retry later."""

    code = "TooManyRequestsException"
    status = 429


class InternalServerErrorException(PinpointError):  # noqa: N818 - Pinpoint's error code
    """HTTP 500: a transient failure on our side; retry."""

    code = "InternalServerErrorException"
    status = 500


class UnsupportedOperationError(NotImplementedError):
    """The backend has no API for this operation (e.g. find-by-address on Pinpoint)."""
