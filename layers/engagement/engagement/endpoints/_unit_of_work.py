"""Read many items at once, change them in memory, write them back atomically per endpoint.

Reads are strongly consistent BatchGetItem calls (100 keys each). Groups of brand-new items are
written with BatchWriteItem (see ``_batch_write``); every other write is a TransactWriteItems
conditioned on each item's ``ver`` (optimistic concurrency): a concurrent writer makes the
transaction fail as a whole and the caller re-plans from fresh reads. Items changed together
(an endpoint, its user, its address pointer, the endpoint it deactivated) form one group that
is never split across transactions; many groups share one transaction (<= 100 actions), so a
100-endpoint batch costs a handful of calls.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from engagement.endpoints._items import Record, decode, encode, partition_key

MAX_BATCH_GET_KEYS = 100
MAX_TRANSACTION_ACTIONS = 100
MAX_BATCH_WRITE_ITEMS = 25
_RETRYABLE_CANCELLATIONS = frozenset({"None", "ConditionalCheckFailed", "TransactionConflict"})
_UNPROCESSED_ROUNDS = 8  # BatchGetItem may return UnprocessedKeys under load; not an error


class ConcurrentChange(Exception):  # noqa: N818 - a signal, not an error shown to callers
    """Another writer changed an item between our read and our write."""


class OversizedGroup(Exception):  # noqa: N818
    """A group of items changed together needs more than one transaction."""


class UnitOfWork:
    """Items of one application, keyed by sort key."""

    def __init__(self, client: Any, table: str, application_id: str) -> None:
        self._client = client
        self._table = table
        self._application_id = application_id
        self._pk = partition_key(application_id)
        self._records: dict[str, Record] = {}
        self._parent: dict[str, str] = {}

    # ---------------------------------------------------------------- reading
    def load(self, sort_keys: Iterable[str]) -> None:
        """Fetch the keys not read yet; missing items become records with ``data=None``."""
        missing = sorted({key for key in sort_keys if key not in self._records})
        for start in range(0, len(missing), MAX_BATCH_GET_KEYS):
            self._batch_get(missing[start : start + MAX_BATCH_GET_KEYS])
        for key in missing:
            self._records.setdefault(key, Record(sk=key, data=None))

    def _batch_get(self, sort_keys: list[str]) -> None:
        request = {
            self._table: {
                "Keys": [{"pk": {"S": self._pk}, "sk": {"S": key}} for key in sort_keys],
                "ConsistentRead": True,
            }
        }
        for round_number in range(_UNPROCESSED_ROUNDS):
            response = self._client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self._table, []):
                record = decode(item)
                self._records[record.sk] = record
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return
            time.sleep(0.05 * 2**round_number)
        raise ConcurrentChange("BatchGetItem kept returning UnprocessedKeys")

    def get(self, sort_key: str) -> Record:
        return self._records[sort_key]

    # ---------------------------------------------------------------- changing
    def put(self, group: str, record: Record, data: dict[str, Any]) -> None:
        record.data = data
        record.dirty = True
        self._union(group, record.sk)

    def delete(self, group: str, record: Record) -> None:
        record.data = None
        record.dirty = True
        self._union(group, record.sk)

    def _find(self, key: str) -> str:
        parent = self._parent.setdefault(key, key)
        if parent != key:
            parent = self._parent[key] = self._find(parent)
        return parent

    def _union(self, left: str, right: str) -> None:
        self._parent[self._find(left)] = self._find(right)

    # ---------------------------------------------------------------- writing
    def commit(self) -> int:
        """Write every changed item; returns the number of transactions used."""
        groups: dict[str, list[dict[str, Any]]] = {}
        fresh: dict[str, bool] = {}
        for record in self._records.values():
            action = self._action(record)
            if action is not None:
                group = self._find(record.sk)
                groups.setdefault(group, []).append(action)
                fresh[group] = fresh.get(group, True) and record.version == 0
        self._batch_write([action for group, actions in groups.items() if fresh[group] for action in actions])
        batches: list[list[dict[str, Any]]] = []
        for group, actions in groups.items():
            if fresh[group]:
                continue
            if len(actions) > MAX_TRANSACTION_ACTIONS:
                raise OversizedGroup(f"{len(actions)} items must change together")
            if not batches or len(batches[-1]) + len(actions) > MAX_TRANSACTION_ACTIONS:
                batches.append([])
            batches[-1].extend(actions)
        for actions in batches:
            self._transact(actions)
        return len(batches)

    def _batch_write(self, actions: list[dict[str, Any]]) -> None:
        """Groups of items that did not exist when read: BatchWriteItem, 25 puts a call.

        Their own content can break no rule (the plan checked it); the one race left is another
        writer creating the same endpoint or user in the same instant, where the last write wins,
        as with Pinpoint's own asynchronous batch. Transactions would cost twice the write units.
        """
        puts = [{"PutRequest": {"Item": action["Put"]["Item"]}} for action in actions]
        for start in range(0, len(puts), MAX_BATCH_WRITE_ITEMS):
            request = {self._table: puts[start : start + MAX_BATCH_WRITE_ITEMS]}
            for round_number in range(_UNPROCESSED_ROUNDS):
                request = self._client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
                if not request:
                    break
                time.sleep(0.05 * 2**round_number)
            else:
                raise ConcurrentChange("BatchWriteItem kept returning UnprocessedItems")

    def _action(self, record: Record) -> dict[str, Any] | None:
        if not record.dirty or (record.data is None and record.version == 0):
            return None
        key = {"pk": {"S": self._pk}, "sk": {"S": record.sk}}
        if record.version == 0:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {
                "ConditionExpression": "ver = :ver",
                "ExpressionAttributeValues": {":ver": {"N": str(record.version)}},
            }
        if record.data is None:
            return {"Delete": {"TableName": self._table, "Key": key, **condition}}
        item = encode(self._application_id, record)
        return {"Put": {"TableName": self._table, "Item": item, **condition}}

    def _transact(self, actions: list[dict[str, Any]]) -> None:
        try:
            self._client.transact_write_items(TransactItems=actions)
        except self._client.exceptions.TransactionCanceledException as error:
            reasons = {reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])}
            if reasons <= _RETRYABLE_CANCELLATIONS:
                raise ConcurrentChange(str(error)) from error
            raise
