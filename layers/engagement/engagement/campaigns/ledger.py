"""What a run has promised: one plan record per (campaign, run, endpoint) and per-endpoint limit
counters, written together so a crash between them cannot leave one without the other.

``reserve`` is the single atomic step before an endpoint is handed to delivery:

- the plan record is written only if absent; if present, the endpoint was planned before in this
  run (a resumed or retried batch, or the endpoint twice in the snapshot): ``RESUMED``, delivered
  again, and the channel's exactly-once key turns a completed send into a DUPLICATE - so a crash
  between planning and sending loses nothing and sends nothing twice, whatever batch the
  endpoint lands in on resume;
- ``Limits.Daily`` (per UTC calendar day) and ``Limits.Total`` (over the campaign's life) counters
  are incremented only while under their limit, in the same DynamoDB transaction.

A planned attempt counts toward the limits whether or not the provider then accepts it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

PLAN_TTL_S = 35 * 86400  # a run's plan outlives any resume (Step Functions keeps executions 90 days)
DAY_TTL_S = 2 * 86400


class Reservation(StrEnum):
    NEW = "NEW"
    RESUMED = "RESUMED"
    DAILY_CAP = "DAILY_CAP"
    TOTAL_CAP = "TOTAL_CAP"


@dataclass(frozen=True)
class RunKey:
    application_id: str
    campaign_id: str
    activity_id: str

    @property
    def run_pk(self) -> str:
        return f"RUN#{self.application_id}#{self.campaign_id}#{self.activity_id}"

    @property
    def batches_pk(self) -> str:
        return f"BATCHES#{self.application_id}#{self.campaign_id}#{self.activity_id}"

    def limit_pk(self, endpoint_id: str) -> str:
        return f"LIMIT#{self.application_id}#{self.campaign_id}#{endpoint_id}"


@dataclass(frozen=True)
class Limits:
    day: str  # UTC calendar day, "2026-12-01"
    daily: int  # 0: no limit
    total: int


class Ledger:
    """``reserve`` the endpoint for this run, within its limits (both ledgers answer alike)."""

    def reserve(
        self,
        key: RunKey,
        batch: str,
        endpoint_id: str,
        treatment_id: str,
        *,
        day: str,
        daily: int,
        total: int,
    ) -> Reservation:
        return self._reserve(key, batch, endpoint_id, treatment_id, Limits(day, daily, total))

    def _reserve(
        self, key: RunKey, batch: str, endpoint_id: str, treatment_id: str, limits: Limits
    ) -> Reservation:
        raise NotImplementedError


class MemoryLedger(Ledger):
    """The in-process ledger (tests, benchmarks, ``engagement campaigns run`` without a table)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.plans: dict[tuple[str, str], tuple[str, str]] = {}
        self.counts: Counter[tuple[str, str]] = Counter()
        self.batches: dict[tuple[str, str], dict[str, int]] = {}

    def _reserve(
        self, key: RunKey, batch: str, endpoint_id: str, treatment_id: str, limits: Limits
    ) -> Reservation:
        with self._lock:
            plan = self.plans.get((key.run_pk, endpoint_id))
            if plan is not None:
                return Reservation.RESUMED
            limit_pk = key.limit_pk(endpoint_id)
            if limits.daily and self.counts[(limit_pk, limits.day)] >= limits.daily:
                return Reservation.DAILY_CAP
            if limits.total and self.counts[(limit_pk, "TOTAL")] >= limits.total:
                return Reservation.TOTAL_CAP
            self.plans[(key.run_pk, endpoint_id)] = (batch, treatment_id)
            self.counts[(limit_pk, limits.day)] += 1
            self.counts[(limit_pk, "TOTAL")] += 1
            return Reservation.NEW

    def record_batch(self, key: RunKey, batch: str, counters: Mapping[str, int]) -> None:
        with self._lock:
            self.batches[(key.batches_pk, batch)] = dict(counters)

    def run_counters(self, key: RunKey) -> Counter[str]:
        with self._lock:
            total: Counter[str] = Counter()
            for (pk, _batch), counters in self.batches.items():
                if pk == key.batches_pk:
                    total.update(counters)
            return total


class DynamoDBLedger(Ledger):
    """The ledger on the campaigns table (``pk``/``sk``, TTL attribute ``expiration``)."""

    def __init__(self, table: str, client: Any, clock: Any = time.time) -> None:
        self.table = table
        self.client = client
        self.clock = clock

    def _reserve(
        self, key: RunKey, batch: str, endpoint_id: str, treatment_id: str, limits: Limits
    ) -> Reservation:
        now = int(self.clock())
        plan = {
            "Put": {
                "TableName": self.table,
                "Item": {
                    "pk": {"S": key.run_pk},
                    "sk": {"S": f"EP#{endpoint_id}"},
                    "batch": {"S": batch},
                    "treatment": {"S": treatment_id},
                    "expiration": {"N": str(now + PLAN_TTL_S)},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        items = [plan]
        for sort_key, limit, ttl in (
            (f"DAY#{limits.day}", limits.daily, now + DAY_TTL_S),
            ("TOTAL", limits.total, None),
        ):
            if limit:
                items.append(self._increment(key.limit_pk(endpoint_id), sort_key, limit, ttl))
        try:
            self.client.transact_write_items(TransactItems=items)
        except self.client.exceptions.TransactionCanceledException as error:
            return self._cancelled(error, bool(limits.daily))
        return Reservation.NEW

    def _increment(self, pk: str, sk: str, limit: int, ttl: int | None) -> dict:
        update = "SET n = if_not_exists(n, :zero) + :one"
        values = {":zero": {"N": "0"}, ":one": {"N": "1"}, ":limit": {"N": str(limit)}}
        if ttl is not None:
            update += ", expiration = :ttl"
            values[":ttl"] = {"N": str(ttl)}
        return {
            "Update": {
                "TableName": self.table,
                "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
                "UpdateExpression": update,
                "ConditionExpression": "attribute_not_exists(n) OR n < :limit",
                "ExpressionAttributeValues": values,
            }
        }

    def _cancelled(self, error: Any, has_daily: bool) -> Reservation:
        reasons = [r.get("Code") for r in error.response.get("CancellationReasons") or []]
        failed = [i for i, code in enumerate(reasons) if code == "ConditionalCheckFailed"]
        if not failed:
            raise error  # throttling or a conflicting transaction: transient, the batch is retried
        if failed[0] == 0:
            return Reservation.RESUMED
        return Reservation.DAILY_CAP if failed[0] == 1 and has_daily else Reservation.TOTAL_CAP

    def record_batch(self, key: RunKey, batch: str, counters: Mapping[str, int]) -> None:
        """One item per batch, overwritten by a retry: summing them never double counts."""
        self.client.put_item(
            TableName=self.table,
            Item={
                "pk": {"S": key.batches_pk},
                "sk": {"S": f"BATCH#{batch}"},
                "counters": {"M": {name: {"N": str(value)} for name, value in counters.items()}},
                "expiration": {"N": str(int(self.clock()) + PLAN_TTL_S)},
            },
        )

    def run_counters(self, key: RunKey) -> Counter[str]:
        from engagement.paging import prefix_query, query_items

        total: Counter[str] = Counter()
        for item in query_items(self.client.query, **prefix_query(self.table, key.batches_pk, "")):
            total.update({k: int(v["N"]) for k, v in item.get("counters", {}).get("M", {}).items()})
        return total
