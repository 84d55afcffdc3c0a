"""Choose the endpoint registry backend from a URI-like setting (``ENDPOINT_STORE``).

``dynamodb://<table>`` (standalone, default in template.yaml) or ``pinpoint``. boto3 is
imported here, not at package import, so ``import engagement.endpoints`` stays cheap.
Clients use botocore's standard retry mode and the standard ``AWS_ENDPOINT_URL`` setting
(how the local moto stack is reached), so there is no local-mode branch.
"""

from __future__ import annotations

from typing import Any

from engagement.endpoints.protocol import EndpointRegistry

DYNAMODB_SCHEME = "dynamodb://"
PINPOINT = "pinpoint"


def build_registry(store: str, *, session: Any = None) -> EndpointRegistry:
    """``build_registry("dynamodb://Endpoints")`` or ``build_registry("pinpoint")``."""
    store = (store or "").strip()
    if store.startswith(DYNAMODB_SCHEME) and len(store) > len(DYNAMODB_SCHEME):
        table = store[len(DYNAMODB_SCHEME) :]
        from engagement.endpoints.dynamodb import DynamoDBEndpointRegistry

        return DynamoDBEndpointRegistry(_client(session, "dynamodb"), table)
    if store == PINPOINT:
        from engagement.endpoints.pinpoint import PinpointEndpointRegistry

        return PinpointEndpointRegistry(_client(session, "pinpoint"))
    raise ValueError(f"ENDPOINT_STORE must be 'dynamodb://<table>' or 'pinpoint', got {store!r}")


def _client(session: Any, service: str) -> Any:
    from engagement.aws import aws_client

    return aws_client(service, session=session)
