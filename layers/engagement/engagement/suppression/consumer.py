"""The event-stream consumer: classify a whole batch, then write once per address.

Why not one record at a time? Kinesis hands us up to 10,000 records, often many for the same
few addresses. Handling them one by one would write the registry once per record. Instead
``StreamConsumer.process`` works in passes over the batch:

1. classify every record (quarantine / ignore / suppress / soft bounce), cheaply;
2. count soft bounces, one idempotent counter write per address;
3. resolve endpoint-only events to their address (``get_endpoint``), then coalesce everything
   into one target per (application, channel, address) and apply them: one read per address,
   writes shared by up to 100 endpoints (``apply.Suppressor.apply_all``);
4. enqueue the quarantined records.

Steps 2 and 3 run across addresses on a bounded thread pool (``max_workers``, default 16):
DynamoDB latency, not CPU, dominates, and one address's calls stay in order because each pass
finishes before the next starts.

It returns a ``BatchOutcome`` naming the records that failed transiently. ``handle`` then lets
Powertools' ``BatchProcessor`` settle each record from that outcome: the record handler raises
for the failed ones, so Powertools builds the ``batchItemFailures`` response (Kinesis retries
from the lowest failed sequence number) and raises if every record failed, exactly as with a
per-record handler. Re-processing is safe: opted-out endpoints are skipped and soft bounces are
counted once per record (``softbounce``).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from engagement.events.quarantine import QuarantineEntry
from engagement.masking import mask_address
from engagement.suppression.apply import Suppressor
from engagement.suppression.classify import IGNORE, QUARANTINE, SOFTBOUNCE, SUPPRESS, Classified, classify
from engagement.suppression.errors import error_code, is_permanent
from engagement.suppression.policy import SuppressionPolicy
from engagement.suppression.softbounce import SoftBounceCounter, counter_key
from engagement.suppression.targets import Target, coalesce, normalise, targets_of

logger = logging.getLogger(__name__)

KNOWN_PREFIXES = ("_email.", "_SMS.", "_campaign.", "_journey.", "_session.", "_monetization.", "_userauth.")


class TransientRecordError(Exception):
    """Raised for a record whose write failed transiently, so BatchProcessor reports it."""


@dataclass
class BatchOutcome:
    failed: dict[str, BaseException] = field(default_factory=dict)  # event id -> transient error
    quarantined: dict[str, str] = field(default_factory=dict)  # event id -> reason
    metrics: Counter = field(default_factory=Counter)
    by_event_type: Counter = field(default_factory=Counter)
    registry_writes: int = 0

    def fail(self, records: Iterable[Classified], error: BaseException) -> None:
        for record in records:
            self.failed.setdefault(record.event_id, error)


def event_type_dimension(event_type: str) -> str:
    """Pinpoint's own event types as they are; customers' custom events as one bucket."""
    return event_type if event_type.startswith(KNOWN_PREFIXES) else "custom"


class StreamConsumer:
    def __init__(
        self,
        policy: SuppressionPolicy,
        suppressor: Suppressor,
        counter: SoftBounceCounter,
        quarantine: Any,
        *,
        max_workers: int = 16,
    ):
        self.policy = policy
        self.suppressor = suppressor
        self.counter = counter
        self.quarantine = quarantine
        self.max_workers = max_workers
        self._pool: ThreadPoolExecutor | None = None
        self.last_outcome: BatchOutcome | None = None

    def _map(self, function: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        """``map`` over addresses, concurrently when there is more than one (results in order)."""
        items = list(items)
        if self.max_workers <= 1 or len(items) <= 1:
            return [function(item) for item in items]
        if self._pool is None:  # kept for the life of the Lambda sandbox
            self._pool = ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="stream")
        return list(self._pool.map(function, items))

    # -------------------------------------------------------------------------- Lambda entry
    def handle(self, event: Mapping[str, Any], context: Any = None, *, processor: Any = None) -> dict:
        """Process a Lambda Kinesis event; return the ``ReportBatchItemFailures`` response."""
        from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

        outcome = self.process(event.get("Records") or [])
        self.last_outcome = outcome
        processor = processor or BatchProcessor(event_type=EventType.KinesisDataStreams)
        return process_partial_response(
            event=dict(event), record_handler=settle_from(outcome), processor=processor, context=context
        )

    # -------------------------------------------------------------------------- the passes
    def process(self, records: Sequence[Mapping[str, Any]]) -> BatchOutcome:
        outcome = BatchOutcome()
        classified = [classify(record, self.policy) for record in records]
        quarantine: list[QuarantineEntry] = []
        suppress: list[Classified] = []
        soft: list[Classified] = []
        for record in classified:
            if record.kind == QUARANTINE:
                quarantine.append(QuarantineEntry(record.raw, record.reason))
                continue
            outcome.by_event_type[event_type_dimension(record.event_type)] += 1
            if record.kind == SUPPRESS:
                suppress.append(record)
            elif record.kind == SOFTBOUNCE:
                soft.append(record)
            else:
                assert record.kind == IGNORE
                outcome.metrics["Ignored"] += 1
        targets = [t for record in suppress for t in targets_of(record)]
        targets += self._count_soft_bounces(soft, outcome)
        targets = self._resolve(targets, outcome, quarantine)
        self._apply(coalesce(targets), outcome, quarantine)
        self._quarantine(quarantine, outcome)
        outcome.metrics["Suppressed"] += sum(1 for r in suppress if r.event_id not in outcome.failed)
        outcome.metrics["TransientFailures"] += len(outcome.failed)
        return outcome

    def _count_soft_bounces(self, records: list[Classified], outcome: BatchOutcome) -> list[Target]:
        groups: dict[tuple[str, str, str], list[Classified]] = defaultdict(list)
        addresses: dict[tuple[str, str, str], str | None] = {}
        for record in records:
            for address in record.addresses or (None,):
                key = normalise(record.channel, address) if address else "id:" + record.endpoint_id
                group = (record.application_id, record.channel, key)
                groups[group].append(record)
                addresses.setdefault(group, address)  # this group's own address, as an event wrote it

        def count(group: tuple[str, str, str]) -> int | BaseException:
            bounces = [(r.timestamp_ms, r.dedupe_key) for r in groups[group]]
            try:
                return self.counter.add(counter_key(*group), bounces)
            except Exception as exc:  # classified in _failed / outcome.fail, never swallowed
                return exc

        targets: list[Target] = []
        for (app, channel, key), result in zip(groups, self._map(count, groups), strict=True):
            group = groups[(app, channel, key)]
            if isinstance(result, BaseException):
                outcome.fail(group, result)
                continue
            outcome.metrics["SoftBouncesCounted"] += len(group)
            if result >= self.policy.softbounce_threshold:
                ids = {r.endpoint_id for r in group if r.endpoint_id}
                latest = max(r.timestamp_ms for r in group)
                address = addresses[(app, channel, key)]
                targets.append(Target(app, channel, address, "softbounce", latest, ids, list(group)))
        return targets

    def _resolve(
        self, targets: list[Target], outcome: BatchOutcome, quarantine: list[QuarantineEntry]
    ) -> list[Target]:
        """Give endpoint-only targets their endpoint's address, so they coalesce with the rest."""
        unresolved = [t for t in targets if not t.address and t.endpoint_ids]
        keys = sorted({(t.application_id, next(iter(t.endpoint_ids))) for t in unresolved})

        def lookup(key: tuple[str, str]) -> Any:
            try:
                return self.suppressor.get_endpoint(*key)
            except Exception as exc:
                return exc

        lookups = dict(zip(keys, self._map(lookup, keys), strict=True))
        for target in targets:
            if target.address or not target.endpoint_ids:
                continue
            found = lookups[(target.application_id, next(iter(target.endpoint_ids)))]
            if isinstance(found, BaseException):
                self._failed(target, found, outcome, quarantine)
            elif found and found.get("ChannelType") == target.channel and found.get("Address"):
                target.address = found["Address"]
        return [t for t in targets if not any(r.event_id in outcome.failed for r in t.records)]

    def _apply(self, targets: list[Target], outcome: BatchOutcome, quarantine: list[QuarantineEntry]) -> None:
        for target, applied in zip(targets, self.suppressor.apply_all(targets, self._map), strict=True):
            if isinstance(applied, BaseException):
                self._failed(target, applied, outcome, quarantine)
            else:
                self._record(target, applied, outcome)

    @staticmethod
    def _record(target: Target, applied: Any, outcome: BatchOutcome) -> None:
        outcome.registry_writes += 1 if applied.written else 0
        outcome.metrics["EndpointsOptedOut"] += len(applied.written)
        outcome.metrics["SesSuppressed"] += int(applied.ses_suppressed)
        if not applied.found:
            outcome.metrics["SuppressionTargetMissing"] += 1
            logger.warning(
                "no endpoint to opt out",
                extra={
                    "application_id": target.application_id,
                    "channel": target.channel,
                    "address": mask_address(target.address or ""),
                    "reason": target.reason,
                },
            )
        elif applied.written:
            logger.info(
                "opted out",
                extra={
                    "application_id": target.application_id,
                    "reason": target.reason,
                    "address": mask_address(target.address or ""),
                    "endpoints": applied.written,
                },
            )

    def _failed(
        self, target: Target, exc: BaseException, outcome: BatchOutcome, quarantine: list[QuarantineEntry]
    ) -> None:
        if is_permanent(exc):
            reason = f"registry rejected the opt-out ({error_code(exc)}): {exc}"
            for record in target.records:
                if record.event_id not in outcome.quarantined:
                    quarantine.append(QuarantineEntry(record.raw, reason[:1000]))
                    outcome.quarantined[record.event_id] = reason
            return
        logger.warning(
            "transient failure; records will be retried",
            extra={"error": repr(exc)[:300], "records": len(target.records)},
        )
        outcome.fail(target.records, exc)

    def _quarantine(self, entries: list[QuarantineEntry], outcome: BatchOutcome) -> None:
        entries = [e for e in entries if e.event_id not in outcome.failed]
        if not entries:
            return
        unsent = self.quarantine.put(entries)
        error = TransientRecordError("quarantine queue unavailable")
        for entry in entries:
            if entry.event_id in unsent:
                outcome.failed.setdefault(entry.event_id, error)
            else:
                outcome.quarantined[entry.event_id] = entry.reason
        outcome.metrics["Quarantined"] += len(entries) - len(unsent)


def settle_from(outcome: BatchOutcome) -> Callable[[Any], None]:
    """A BatchProcessor record handler that replays the batch's outcome for one record."""

    def settle(record: Any) -> None:
        error = outcome.failed.get(record.event_id)
        if error is not None:
            raise TransientRecordError(f"{record.event_id}: {error!r}"[:500]) from error

    return settle


def build_consumer(settings: Any, *, registry: Any = None, quarantine: Any = None) -> StreamConsumer:
    """Wire the consumer from ``StreamSettings`` (boto3 clients are created lazily)."""
    from engagement.endpoints import build_registry
    from engagement.events.quarantine import QuarantineMarkers, SqsQuarantine

    policy = settings.policy()
    markers = QuarantineMarkers(settings.idempotency_table)
    return StreamConsumer(
        policy,
        Suppressor(
            registry or build_registry(settings.endpoint_store),
            ses_account_suppression=policy.ses_account_suppression,
        ),
        SoftBounceCounter(settings.idempotency_table, window_ms=policy.softbounce_window_ms),
        quarantine or SqsQuarantine(settings.quarantine_queue_url, markers=markers),
        max_workers=settings.max_workers,
    )
