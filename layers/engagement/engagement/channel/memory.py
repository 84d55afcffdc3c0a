"""An in-process Powertools persistence layer: the same idempotency rules without DynamoDB.

For unit tests and the benchmark, which measure the channel's own overhead without a network.
Deployed functions use ``DynamoDBPersistenceLayer`` (``factory.build_channel``).
"""

from __future__ import annotations

import datetime as dt
import threading

from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

INPROGRESS = "INPROGRESS"


class InMemoryPersistenceLayer(BasePersistenceLayer):
    """Records in a dict; writes follow DynamoDBPersistenceLayer's conditional put."""

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, DataRecord] = {}
        self._lock = threading.Lock()

    def _get_record(self, idempotency_key: str) -> DataRecord:
        with self._lock:
            try:
                return self.records[idempotency_key]
            except KeyError:
                raise IdempotencyItemNotFoundError from None

    def _put_record(self, data_record: DataRecord) -> None:
        now_ms = int(dt.datetime.now().timestamp() * 1000)
        with self._lock:
            old = self.records.get(data_record.idempotency_key)
            stale_lock = (
                old is not None
                and old.status == INPROGRESS
                and old.in_progress_expiry_timestamp is not None
                and old.in_progress_expiry_timestamp < now_ms
            )
            if old is not None and not old.is_expired and not stale_lock:
                raise IdempotencyItemAlreadyExistsError(old_data_record=old)
            self.records[data_record.idempotency_key] = data_record

    def _update_record(self, data_record: DataRecord) -> None:
        with self._lock:
            self.records[data_record.idempotency_key] = data_record

    def delete_if_owner(self, idempotency_key: str, owner_hash: str) -> None:
        """DynamoDB's conditional delete: only an INPROGRESS record with this owner goes."""
        with self._lock:
            old = self.records.get(idempotency_key)
            if old is not None and old.status == INPROGRESS and old.payload_hash == owner_hash:
                del self.records[idempotency_key]

    def _delete_record(self, data_record: DataRecord) -> None:
        with self._lock:
            self.records.pop(data_record.idempotency_key, None)
