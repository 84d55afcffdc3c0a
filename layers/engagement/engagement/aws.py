"""boto3 clients with the project's retry policy: botocore's standard mode (exponential backoff
with jitter, throttling-aware), never hand-written retries, from ONE session per process.

A boto3 session owns botocore's loader, which parses ``endpoints.json`` and every service model
it is asked for: five sessions in one Lambda parsed them five times (issue 10, ~70 ms of cold
start). ``shared_session()`` is the process's one session; ``aws_client`` and the factories
(custom channel, template stores, Powertools persistence layers) build their clients from it.
Creating clients is serialised: a boto3 session is not safe to create clients from in several
threads at once.

boto3 is imported here, on first use, not at import time: code paths that never call AWS do
not pay for it. ``AWS_ENDPOINT_URL`` (the local stack) is honoured by boto3 itself, so there is
no local branch. Whoever builds the session also caps the AWS SDK's loggers (``quiet_sdk_loggers``):
at DEBUG botocore logs request and response bodies, secrets and session tokens included.
"""

from __future__ import annotations

import logging
import threading
from contextlib import nullcontext
from typing import Any

# Loggers that log request/response bodies, headers or credentials at DEBUG.
SDK_LOGGERS = ("boto3", "botocore", "s3transfer", "urllib3", "aws_xray_sdk")

_lock = threading.RLock()
_session: Any = None


def quiet_sdk_loggers(level: int = logging.INFO) -> None:
    """Never let the SDK's loggers log below ``level``, whatever the root or Lambda log level."""
    for name in SDK_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < level or logger.level < level:
            logger.setLevel(level)


def shared_session() -> Any:
    """The process's one boto3 session (created on first use)."""
    global _session
    if _session is None:
        with _lock:
            if _session is None:
                import boto3

                quiet_sdk_loggers()
                _session = boto3.session.Session()
    return _session


def botocore_session() -> Any:
    """The botocore session under ``shared_session()`` (for code that sets client defaults on it)."""
    return shared_session()._session


def aws_client(service: str, *, session: Any = None) -> Any:
    """A client for ``service`` from ``session`` (default: the shared session) with standard retries,
    created on first use (``LazyClient``)."""
    return LazyClient(service, session)


def _create(service: str, session: Any, config: dict[str, Any] | None = None) -> Any:
    from botocore.config import Config

    options = {"retries": {"mode": "standard"}} if config is None else config
    with _lock if session is None else nullcontext():
        return (session or shared_session()).client(service, config=Config(**options))


class LazyClient:
    """A boto3 client that is created when first used, then stands for it.

    Creating a client loads its service model (the largest JSON files botocore reads): 40-80 ms
    each, most of a handler's init beyond importing boto3 and Powertools. Handlers build their
    clients at cold start but many invocations never call some of them (SMS in an email-only
    batch, the quarantine queue when every record parses), and the rest pay it once, on first use.
    Every attribute (methods, ``meta``, ``exceptions``) is the real client's, with one exception:
    handlers registered on ``meta.events`` before the client exists (Powertools registers a
    user-agent handler on the clients it is given) are kept and registered when it is created,
    rather than creating it.
    """

    __slots__ = ("_client", "_config", "_pending", "_service", "_session")

    def __init__(self, service: str, session: Any = None, config: dict[str, Any] | None = None) -> None:
        """``config``: the botocore ``Config`` arguments (default: standard retries)."""
        self._service = service
        self._session = session
        self._config = config
        self._client: Any = None
        self._pending: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def _resolve(self) -> Any:
        if self._client is None:
            with _lock:
                if self._client is None:
                    client = _create(self._service, self._session, self._config)
                    for method, args, kwargs in self._pending:
                        getattr(client.meta.events, method)(*args, **kwargs)
                    self._client = client
        return self._client

    def __getattr__(self, name: str) -> Any:
        if name == "meta" and self._client is None:
            return _LazyMeta(self)
        return getattr(self._resolve(), name)

    def __repr__(self) -> str:
        state = "created" if self._client is not None else "not created yet"
        return f"<LazyClient {self._service} ({state})>"


class LazyTable:
    """A boto3 ``dynamodb.Table`` resource created on first use, from ``session`` (default: the
    shared session). Creating it loads the DynamoDB service and resource models (~100 ms at cold
    start); every attribute is the real resource's."""

    __slots__ = ("_name", "_session", "_table")

    def __init__(self, name: str, session: Any = None) -> None:
        self._name = name
        self._session = session
        self._table: Any = None

    def _resolve(self) -> Any:
        if self._table is None:
            with _lock:
                if self._table is None:
                    self._table = (self._session or shared_session()).resource("dynamodb").Table(self._name)
        return self._table

    def __getattr__(self, name: str) -> Any:
        return getattr(self._resolve(), name)

    def __repr__(self) -> str:
        state = "created" if self._table is not None else "not created yet"
        return f"<LazyTable {self._name} ({state})>"


class _LazyMeta:
    """``client.meta`` of a client not created yet: ``events.register*`` is deferred, the rest creates it."""

    __slots__ = ("_lazy",)

    def __init__(self, lazy: LazyClient) -> None:
        self._lazy = lazy

    @property
    def events(self) -> Any:
        return _DeferredEvents(self._lazy)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lazy._resolve().meta, name)


class _DeferredEvents:
    __slots__ = ("_lazy",)

    def __init__(self, lazy: LazyClient) -> None:
        self._lazy = lazy

    def __getattr__(self, name: str) -> Any:
        lazy = self._lazy
        if lazy._client is not None or name not in ("register", "register_first", "register_last"):
            return getattr(lazy._resolve().meta.events, name)

        def defer(*args: Any, **kwargs: Any) -> None:
            with _lock:
                if lazy._client is None:
                    lazy._pending.append((name, args, kwargs))
                    return
            getattr(lazy._client.meta.events, name)(*args, **kwargs)

        return defer


BATCH_WRITE_SIZE = 25  # DynamoDB's BatchWriteItem limit
BATCH_WRITE_ATTEMPTS = 5  # per chunk; each call is already retried by botocore's standard mode


def batch_write(
    client: Any,
    table: str,
    requests: list[dict[str, Any]],
    *,
    operation: str,
    attempts: int = BATCH_WRITE_ATTEMPTS,
    sleep: Any = None,
) -> None:
    """``BatchWriteItem`` of ``requests`` (``PutRequest``/``DeleteRequest``) in chunks of 25.

    A successful call may leave ``UnprocessedItems`` (throttling): they are sent again after an
    exponential backoff with full jitter (50 ms doubling, at most 1 s), at most ``attempts`` times
    per chunk; what still remains is a ``TooManyRequestsException`` (transient: retry the
    operation), never an endless loop.
    """
    import random
    import time

    pause = time.sleep if sleep is None else sleep
    for start in range(0, len(requests), BATCH_WRITE_SIZE):
        pending = {table: requests[start : start + BATCH_WRITE_SIZE]}
        for attempt in range(attempts):
            if attempt:
                pause(random.uniform(0, min(1.0, 0.05 * 2**attempt)))
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
        else:
            from engagement.models.errors import TooManyRequestsException

            unwritten = sum(map(len, pending.values())) + max(0, len(requests) - start - BATCH_WRITE_SIZE)
            raise TooManyRequestsException(
                f"{unwritten} of {len(requests)} writes still unprocessed after {attempts} attempts; retry",
                operation,
            )
