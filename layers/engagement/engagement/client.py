"""A stock boto3 Pinpoint client for this backend's HTTP API: ``pinpoint(url)``.

    from engagement.client import pinpoint
    client = pinpoint("https://abc123.execute-api.eu-west-1.amazonaws.com/prod")
    client.send_users_messages(ApplicationId=app, SendUsersMessageRequest={...})

It is ``boto3.client("pinpoint", endpoint_url=url)`` - same methods, arguments, responses and
exceptions (``client.exceptions.NotFoundException``) - with one supported botocore hook: API
Gateway's IAM auth checks SigV4 signatures for the service name ``execute-api``, while the
Pinpoint model says ``mobiletargeting``. A ``before-call`` handler sets the request context's
``signing.signing_name``, which botocore's ``RequestSigner`` honours (the same mechanism
endpoint rule sets use). Existing code that builds its own client adds the same two lines::

    client = boto3.client("pinpoint", endpoint_url=url)
    client.meta.events.register("before-call.pinpoint", engagement.client.sign_for_api_gateway)

Sends and events also get an ``Idempotency-Key`` header (a fresh UUID per call, kept across
botocore's own retries), so a retried call never sends twice; :func:`idempotency_key` sets
your own key for a block of calls (e.g. your order id).
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import uuid
from collections.abc import Iterator
from typing import Any

# The header and operations the API deduplicates (one definition, so client and server agree).
from engagement.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from engagement.api.idempotency import OPERATIONS as IDEMPOTENT_OPERATIONS

__all__ = ["add_idempotency_key", "idempotency_key", "pinpoint", "sign_for_api_gateway"]

SIGNING_NAME = "execute-api"

_API_HOST = re.compile(r"\.execute-api\.([a-z0-9-]+)\.amazonaws\.com")
_explicit_key = contextvars.ContextVar("pinpoint_idempotency_key", default="")


def sign_for_api_gateway(context: dict[str, Any], **_: Any) -> None:
    """``before-call`` handler: sign for ``execute-api`` instead of ``mobiletargeting``."""
    context.setdefault("signing", {})["signing_name"] = SIGNING_NAME


def add_idempotency_key(params: dict[str, Any], **_: Any) -> None:
    """``before-call`` handler: one ``Idempotency-Key`` per call (set once, so retries reuse it)."""
    headers = params.setdefault("headers", {})
    if IDEMPOTENCY_HEADER not in headers:
        headers[IDEMPOTENCY_HEADER] = _explicit_key.get() or str(uuid.uuid4())


@contextlib.contextmanager
def idempotency_key(key: str) -> Iterator[None]:
    """Use ``key`` for the calls made in this block (``with idempotency_key(order_id): ...``)."""
    token = _explicit_key.set(key)
    try:
        yield
    finally:
        _explicit_key.reset(token)


def pinpoint(url: str, *, session: Any = None, idempotent: bool = True, **client_kwargs: Any) -> Any:
    """A boto3 ``pinpoint`` client for the API at ``url``, signed for API Gateway."""
    import boto3

    session = session or boto3.session.Session()
    client_kwargs.setdefault("region_name", _region(url) or session.region_name or "us-east-1")
    client = session.client("pinpoint", endpoint_url=url, **client_kwargs)
    client.meta.events.register("before-call.pinpoint", sign_for_api_gateway)
    if idempotent:
        for operation in IDEMPOTENT_OPERATIONS:
            client.meta.events.register(f"before-call.pinpoint.{operation}", add_idempotency_key)
    return client


def _region(url: str) -> str | None:
    """The region of an ``execute-api`` URL (the signature's credential scope must name it)."""
    match = _API_HOST.search(url)
    return match.group(1) if match else None
