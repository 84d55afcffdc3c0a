"""``Idempotency-Key``: a retried send or event call does nothing twice.

Two layers, both Powertools Idempotency on the idempotency table:

1. The whole call. A finished call with the same key, operation and application is answered
   with its stored response, nothing sent; a call still in progress gets 409
   ``ConflictException`` (retry later); the same key with a different request body gets 400.
2. Each recipient (``engagement.channel.once.SendOnce``). If the process dies mid-request, the
   call-level record expires with the invocation and the retry runs again - but every recipient
   already sent is answered ``DUPLICATE`` with its original message id instead of being sent again.

Without the header a call is not deduplicated (as in Pinpoint). ``engagement.client.pinpoint``
adds a fresh key to every send, kept across botocore's own retries.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Callable
from typing import Any

HEADER = "Idempotency-Key"
MAX_KEY_CHARS = 256
# Operations with effects a retry must not repeat.
OPERATIONS = frozenset({"SendMessages", "SendUsersMessages", "PutEvents"})
KEY_PREFIX = "api.request"

_current = contextvars.ContextVar("idempotency_key", default="")


def current_key() -> str:
    """The ``Idempotency-Key`` of the request being handled on this thread (``""`` if none)."""
    return _current.get()


class RequestIdempotency:
    """Run a call once per (operation, application, key); replay its response afterwards."""

    def __init__(self, persistence_store: Any, expires_after_seconds: int = 86400) -> None:
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

        self.config = IdempotencyConfig(
            event_key_jmespath="[operation, application_id, key]",
            payload_validation_jmespath="digest",
            expires_after_seconds=expires_after_seconds,
            raise_on_no_idempotency_key=True,
        )
        self._guarded = idempotent_function(
            data_keyword_argument="call",
            persistence_store=persistence_store,
            config=self.config,
            key_prefix=KEY_PREFIX,
        )(_run)

    def register_context(self, lambda_context: Any) -> None:
        self.config.register_lambda_context(lambda_context)

    def run(
        self, operation: str, params: dict[str, Any], key: str, call: Callable[[], dict]
    ) -> dict[str, Any]:
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        from engagement.models.errors import BadRequestException, ConflictException

        if len(key) > MAX_KEY_CHARS:
            raise BadRequestException(f"{HEADER} is longer than {MAX_KEY_CHARS} characters", operation)
        digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
        data = {
            "operation": operation,
            "application_id": str(params.get("ApplicationId", "")),
            "key": key,
            "digest": digest,
        }
        token = _current.set(key)
        try:
            stored = self._guarded(call=data, run=lambda: {"digest": digest, "response": call()})
        except IdempotencyAlreadyInProgressError as error:
            raise ConflictException(
                f"A request with this {HEADER} is still in progress; retry later", operation
            ) from error
        except IdempotencyValidationError as error:
            raise BadRequestException(
                f"{HEADER} {key!r} was already used for a different request", operation
            ) from error
        finally:
            _current.reset(token)
        if stored["digest"] != digest:  # every persistence layer, not only DynamoDB's, checks this
            raise BadRequestException(f"{HEADER} {key!r} was already used for a different request", operation)
        return stored["response"]


def _run(*, call: dict[str, Any], run: Callable[[], dict]) -> dict[str, Any]:
    return run()
