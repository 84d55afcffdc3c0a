"""The endpoint registry port: boto3 ``pinpoint`` names, keyword arguments and responses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class EndpointRegistry(Protocol):
    """What handlers and the CLI use; ``DynamoDBEndpointRegistry`` or ``PinpointEndpointRegistry``.

    Errors are ``botocore.exceptions.ClientError`` with Pinpoint's codes
    (``BadRequestException`` 400, ``NotFoundException`` 404) from either backend.
    """

    #: Whether ``find_endpoints_by_address`` works (not in Pinpoint mode: callers then work from
    #: endpoint ids, one ``update_endpoint`` each).
    finds_by_address: bool

    def get_endpoint(self, *, ApplicationId: str, EndpointId: str) -> dict[str, Any]:  # noqa: N803
        """``{"EndpointResponse": {...}}``."""
        ...

    def update_endpoint(
        self,
        *,
        ApplicationId: str,  # noqa: N803
        EndpointId: str,  # noqa: N803
        EndpointRequest: dict[str, Any],  # noqa: N803
    ) -> dict[str, Any]:
        """``{"MessageBody": {"Message": "Accepted", "RequestID": ...}}``."""
        ...

    def update_endpoints_batch(
        self,
        *,
        ApplicationId: str,  # noqa: N803
        EndpointBatchRequest: dict[str, Any],  # noqa: N803
    ) -> dict[str, Any]:
        """``EndpointBatchRequest={"Item": [...]}`` with at most 100 items; ``MessageBody`` response."""
        ...

    def get_user_endpoints(self, *, ApplicationId: str, UserId: str) -> dict[str, Any]:  # noqa: N803
        """``{"EndpointsResponse": {"Item": [...]}}``."""
        ...

    def delete_endpoint(self, *, ApplicationId: str, EndpointId: str) -> dict[str, Any]:  # noqa: N803
        """The deleted endpoint: ``{"EndpointResponse": {...}}``."""
        ...

    def delete_user_endpoints(self, *, ApplicationId: str, UserId: str) -> dict[str, Any]:  # noqa: N803
        """The deleted endpoints: ``{"EndpointsResponse": {"Item": [...]}}``."""
        ...

    def find_endpoints_by_address(
        self, application_id: str, channel_type: str, address: str, *, user_attributes: bool = True
    ) -> list[dict[str, Any]]:
        """``EndpointResponse`` dicts with this channel and address (not in Pinpoint's API).

        ``user_attributes=False``: the caller needs only ids, status and ``OptOut``, so a backend
        may leave out the users' shared ``UserAttributes`` (cheaper); ``True`` joins them.
        """
        ...

    def iter_endpoints(self, application_id: str) -> Iterator[dict[str, Any]]:
        """Every ``EndpointResponse`` of an application (export; not in Pinpoint's API)."""
        ...
