"""boto3 clients with the project's retry policy: botocore's standard mode (exponential backoff
with jitter, throttling-aware), never hand-written retries.

boto3 is imported here, on first use, not at import time: it costs ~180 ms of cold start that
code paths which never call AWS should not pay. ``AWS_ENDPOINT_URL`` (the local stack) is
honoured by boto3 itself, so there is no local branch.
"""

from __future__ import annotations

from typing import Any


def aws_client(service: str, *, session: Any = None) -> Any:
    """A client for ``service`` from ``session`` (default: a new boto3 session) with standard retries."""
    import boto3
    from botocore.config import Config

    session = session or boto3.session.Session()
    return session.client(service, config=Config(retries={"mode": "standard"}))
