"""At most one send per (application, campaign|journey, activity, treatment, scheduled time,
endpoint), recorded with Powertools Idempotency.

Only a send that happened is recorded: a send that raises (temporary or permanent failure,
nothing sent) deletes its in-progress record, so a repeated invocation tries it again. A
repeated invocation finds completed sends and reports them as DUPLICATE with the original
message id. An in-progress record expires when the invocation that wrote it would time out.

The crash window: if the process dies after the provider accepted a message and before the
record is marked complete, the in-progress record expires with that invocation and a retry
sends again. We prefer that rare duplicate to a message lost for good; the webhook carries an
``Idempotency-Key`` header so receivers can close the window on their side.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyItemAlreadyExistsError,
    IdempotencyPersistenceLayerError,
)

from engagement.channel.outcome import DeliveryStatus, Outcome

KEY_PREFIX = "custom_channel.send"


def idempotency_key(key: Mapping[str, str]) -> str:
    """A stable digest of the key fields (sent as the webhook's ``Idempotency-Key``)."""
    return hashlib.sha256(json.dumps(dict(key), sort_keys=True).encode()).hexdigest()


class SendOnce:
    """Run ``send`` unless the same key already sent; map store trouble to temporary failures."""

    def __init__(self, persistence_store: Any, expires_after_seconds: int = 86400):
        self.config = IdempotencyConfig(
            expires_after_seconds=expires_after_seconds,
            raise_on_no_idempotency_key=True,
            response_hook=lambda response, _record: {**response, "replayed": True},
        )
        self._guarded = idempotent_function(
            data_keyword_argument="key",
            persistence_store=persistence_store,
            config=self.config,
            key_prefix=KEY_PREFIX,
        )(_call)

    def register_context(self, lambda_context: Any) -> None:
        """In-progress records expire with the current invocation."""
        self.config.register_lambda_context(lambda_context)

    def run(self, key: Mapping[str, str], send: Callable[[], Outcome], channel: str) -> Outcome:
        """The outcome of ``send()``, or DUPLICATE/TEMPORARY_FAILURE without calling it."""
        fresh: list[Outcome] = []

        def attempt() -> dict[str, str]:
            outcome = send()
            fresh.append(outcome)
            return outcome.to_record()

        try:
            record = self._guarded(key=dict(key), send=attempt)
        except (IdempotencyAlreadyInProgressError, IdempotencyItemAlreadyExistsError):
            return Outcome(DeliveryStatus.TEMPORARY_FAILURE, channel=channel, reason="send_in_progress")
        except IdempotencyPersistenceLayerError:
            if fresh:  # sent, but the completion was not recorded: still a success for this call
                return fresh[0]
            return Outcome(
                DeliveryStatus.TEMPORARY_FAILURE, channel=channel, reason="idempotency_unavailable"
            )
        if record.get("replayed"):
            return Outcome.replayed(record)
        return fresh[0] if fresh else Outcome.replayed(record)


def _call(*, key: dict[str, str], send: Callable[[], dict[str, str]]) -> dict[str, str]:
    return send()
