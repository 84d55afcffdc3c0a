"""The Pinpoint backend: boto3's ``pinpoint`` client itself, behind ``EndpointRegistry``.

The six endpoint operations are passed through untouched (same names, arguments, responses and
``ClientError``s). Pinpoint has no API to find endpoints by address or to list an application's
endpoints synchronously, so those raise ``UnsupportedOperationError``: in Pinpoint mode,
suppression works on the event's ``client_id`` (the endpoint id) only, and exports go through
Pinpoint's own export jobs (``create_export_job``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engagement.endpoints.errors import UnsupportedOperationError


class PinpointEndpointRegistry:
    """Thin adapter over a boto3 ``pinpoint`` client."""

    finds_by_address = False  # Pinpoint has no find-by-address

    def __init__(self, client: Any) -> None:
        self._client = client

    def get_endpoint(self, *, ApplicationId: str, EndpointId: str) -> dict[str, Any]:  # noqa: N803
        return self._client.get_endpoint(ApplicationId=ApplicationId, EndpointId=EndpointId)

    def update_endpoint(
        self,
        *,
        ApplicationId: str,  # noqa: N803
        EndpointId: str,  # noqa: N803
        EndpointRequest: dict[str, Any],  # noqa: N803
    ) -> dict[str, Any]:
        return self._client.update_endpoint(
            ApplicationId=ApplicationId, EndpointId=EndpointId, EndpointRequest=EndpointRequest
        )

    def update_endpoints_batch(
        self,
        *,
        ApplicationId: str,  # noqa: N803
        EndpointBatchRequest: dict[str, Any],  # noqa: N803
    ) -> dict[str, Any]:
        return self._client.update_endpoints_batch(
            ApplicationId=ApplicationId, EndpointBatchRequest=EndpointBatchRequest
        )

    def get_user_endpoints(self, *, ApplicationId: str, UserId: str) -> dict[str, Any]:  # noqa: N803
        return self._client.get_user_endpoints(ApplicationId=ApplicationId, UserId=UserId)

    def delete_endpoint(self, *, ApplicationId: str, EndpointId: str) -> dict[str, Any]:  # noqa: N803
        return self._client.delete_endpoint(ApplicationId=ApplicationId, EndpointId=EndpointId)

    def delete_user_endpoints(self, *, ApplicationId: str, UserId: str) -> dict[str, Any]:  # noqa: N803
        return self._client.delete_user_endpoints(ApplicationId=ApplicationId, UserId=UserId)

    def find_endpoints_by_address(
        self, application_id: str, channel_type: str, address: str, *, user_attributes: bool = True
    ) -> list[dict[str, Any]]:
        raise UnsupportedOperationError(
            "Pinpoint has no API to find endpoints by address; in Pinpoint mode suppression "
            "applies to the event's client_id (endpoint id) only. Use ENDPOINT_STORE=dynamodb://<table>."
        )

    def iter_endpoints(self, application_id: str) -> Iterator[dict[str, Any]]:
        raise UnsupportedOperationError(
            "Pinpoint cannot list endpoints synchronously; export them with a Pinpoint export job "
            "(create_export_job to S3), or use ENDPOINT_STORE=dynamodb://<table>."
        )
