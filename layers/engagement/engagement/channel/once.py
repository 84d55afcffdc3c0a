"""At most one send per (application, campaign|journey, activity, treatment, scheduled time,
endpoint), recorded in the Powertools Idempotency table with Powertools' record format.

A send is a lock with an owner, taken BEFORE anything else is asked (the registry included):

1. ``claim`` / ``claim_many``: a conditional put of an INPROGRESS record carrying a random
   owner token (in Powertools' payload-validation attribute); a batch's puts go in one
   TransactWriteItems. A COMPLETED record answers ``DUPLICATE`` with the
   original message id; another owner's lock answers ``send_in_progress``. If botocore retried
   a put that had already taken effect, the record found is our own (same owner): still ours.
2. ``release`` (nothing was sent: skipped, refused, throttled): a delete conditioned on the
   owner, retried inside the deadline, so a later invocation may send.
3. ``complete`` (the provider accepted the message, or may have): the COMPLETED record,
   written for the whole batch at once (BatchWriteItem, 25 per call) and retried inside the
   deadline.

The lock does NOT expire with the invocation: it is held for ``IDEMPOTENCY_TTL_SECONDS``. So
once a provider may have accepted a message, no later invocation sends it again, even when
every completion write failed: it finds the lock and answers ``send_in_progress``. The price
is the opposite corner: a lock that could be neither completed nor released (the process
died between claim and send, or every release attempt failed) keeps that endpoint from being
sent until the record expires. We chose that over a duplicate (docs/custom-channel.md).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from engagement.channel.outcome import DeliveryStatus, Outcome

KEY_PREFIX = "custom_channel.send"
INPROGRESS, COMPLETED = "INPROGRESS", "COMPLETED"
MAX_BATCH_WRITE = 25
MAX_TRANSACTION_ITEMS = 100
RETRY_BASE_S = 0.05
MIN_TIME_FOR_A_WRITE_S = 0.15
# A 50-endpoint batch completes in two BatchWriteItem calls, written side by side.
_CHUNKS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="complete")
# Where a claim's data keeps its two digests; the jmespath of each (``key``, ``owner``) never reads it.
_HASHES = "_hashes"


def idempotency_key(key: Mapping[str, str]) -> str:
    """A stable digest of the key fields (sent as the webhook's ``Idempotency-Key``)."""
    import hashlib

    return hashlib.sha256(json.dumps(dict(key), sort_keys=True).encode()).hexdigest()


@dataclass
class Claim:
    """The result of asking for the lock: ``claimed`` (ours), ``done``, ``busy`` or ``unavailable``."""

    state: str
    data: dict[str, Any]
    replay: Outcome | None = None
    reason: str = ""

    @property
    def owned(self) -> bool:
        return self.state == "claimed"


class SendOnce:
    """Claim, release and complete send locks; map store trouble to temporary failures."""

    def __init__(
        self,
        persistence_store: Any,
        expires_after_seconds: int = 86400,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.persistence = persistence_store
        self.config = IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="owner",
            expires_after_seconds=expires_after_seconds,
            raise_on_no_idempotency_key=True,
        )
        persistence_store.configure(self.config, key_prefix=KEY_PREFIX)
        self.hold_ms = expires_after_seconds * 1000
        self._sleep = sleep

    def register_context(self, lambda_context: Any) -> None:
        """Kept for callers: the lock no longer expires with the invocation (see module doc)."""

    # -- claim -----------------------------------------------------------------------------
    def claim(
        self,
        key: Mapping[str, str],
        time_left_s: Callable[[], float] = lambda: 1.0,
        data: dict[str, Any] | None = None,
    ) -> Claim:
        """Take the lock for ``key``; a failed put is retried with the same owner inside the
        deadline (a retry that finds our own lock has it)."""
        data = data or {"key": dict(key), "owner": uuid.uuid4().hex}
        found: list[Claim] = []

        def put() -> None:
            found.append(self._put(data))

        if self._retry(put, time_left_s):
            return found[-1]
        # Unknown whether a put took effect: give our lock back if it exists.
        claim = Claim("unavailable", data, reason="idempotency_unavailable")
        self.release(claim, time_left_s)
        return claim

    def _put(self, data: dict[str, Any]) -> Claim:
        try:
            self.persistence.save_inprogress(data=data, remaining_time_in_millis=self.hold_ms)
            return Claim("claimed", data)
        except (IdempotencyItemAlreadyExistsError, IdempotencyValidationError) as exists:
            old = self._existing(data, exists)
        return self._classify(data, old)

    def _classify(self, data: dict[str, Any], old: DataRecord | None) -> Claim:
        """What an existing record means for our claim."""
        if old is None:  # gone between the put and the read: try again later
            return Claim("busy", data, reason="send_in_progress")
        if old.status == COMPLETED:
            return Claim("done", data, replay=Outcome.replayed(_response(old)))
        if old.payload_hash == self._owner_hash(data):
            return Claim("claimed", data)  # our own put, retried after it took effect
        return Claim("busy", data, reason="send_in_progress")

    def claim_many(self, keys: list[Mapping[str, str]], time_left_s: Callable[[], float]) -> list[Claim]:
        """``claim`` for a whole batch: one TransactWriteItems of the same conditional puts
        (<= 100) instead of one PutItem each. A cancelled transaction names the records that
        exist (their items come back: DUPLICATE, busy or our own); the others are put again
        together; whatever is still open is claimed one by one, with the same owners."""
        batch = uuid.uuid4().hex  # one random draw per batch: owners are unique by batch and index
        datas = [{"key": dict(key), "owner": f"{batch}{index:03x}"} for index, key in enumerate(keys)]
        claims: dict[int, Claim] = {}
        if hasattr(self.persistence, "table_name") and len(datas) > 1:
            for start in range(0, len(datas), MAX_TRANSACTION_ITEMS):
                open_ = list(range(start, min(start + MAX_TRANSACTION_ITEMS, len(datas))))
                for _ in range(3):
                    if not open_ or time_left_s() < MIN_TIME_FOR_A_WRITE_S:
                        break
                    open_ = self._transact(datas, open_, claims)
        return [claims.get(i) or self.claim(keys[i], time_left_s, data) for i, data in enumerate(datas)]

    def _transact(
        self, datas: list[dict[str, Any]], indexes: list[int], claims: dict[int, Claim]
    ) -> list[int]:
        """One transaction for ``indexes``; returns the indexes still to claim."""
        from botocore.exceptions import ClientError

        store = self.persistence
        now = time.time()
        try:
            store.client.transact_write_items(
                TransactItems=[{"Put": self._inprogress_put(datas[i], now)} for i in indexes]
            )
        except ClientError as error:
            response = error.response or {}
            if response.get("Error", {}).get("Code") != "TransactionCanceledException":
                return []  # unknown whether it applied: claim one by one (same owners)
            still_open = []
            for index, reason in zip(indexes, response.get("CancellationReasons", []), strict=False):
                if reason.get("Code") == "ConditionalCheckFailed" and reason.get("Item"):
                    claims[index] = self._classify(datas[index], store._item_to_data_record(reason["Item"]))
                elif reason.get("Code") in ("None", None):
                    still_open.append(index)
            return still_open
        except Exception:
            return []
        for index in indexes:
            claims[index] = Claim("claimed", datas[index])
        return []

    def _inprogress_put(self, data: dict[str, Any], now: float) -> dict[str, Any]:
        """The conditional put Powertools' ``save_inprogress`` makes, as a transaction item."""
        store = self.persistence
        return {
            "TableName": store.table_name,
            "Item": {
                **store._get_key(self._hashed_key(data)),
                store.expiry_attr: {"N": str(store._get_expiry_timestamp())},
                store.status_attr: {"S": INPROGRESS},
                store.in_progress_expiry_attr: {"N": str(int(now * 1000) + self.hold_ms)},
                store.validation_key_attr: {"S": self._owner_hash(data)},
            },
            "ConditionExpression": (
                "attribute_not_exists(#id) OR #expiry < :now OR "
                "(#status = :inprogress AND attribute_exists(#in_progress_expiry) "
                "AND #in_progress_expiry < :now_in_millis)"
            ),
            "ExpressionAttributeNames": {
                "#id": store.key_attr,
                "#expiry": store.expiry_attr,
                "#in_progress_expiry": store.in_progress_expiry_attr,
                "#status": store.status_attr,
            },
            "ExpressionAttributeValues": {
                ":now": {"N": str(int(now))},
                ":now_in_millis": {"N": str(int(now * 1000))},
                ":inprogress": {"S": INPROGRESS},
            },
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def _existing(self, data: dict[str, Any], error: Exception) -> DataRecord | None:
        old = getattr(error, "old_data_record", None)
        if old is not None:
            return old
        item = (getattr(error.__cause__, "response", None) or {}).get("Item")
        if item and hasattr(self.persistence, "_item_to_data_record"):
            return self.persistence._item_to_data_record(item)
        from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyItemNotFoundError

        try:
            return self.persistence._get_record(self._hashed_key(data))
        except IdempotencyItemNotFoundError:
            return None

    # -- release ---------------------------------------------------------------------------
    def release(self, claim: Claim, time_left_s: Callable[[], float]) -> bool:
        """Delete our INPROGRESS lock (only ours); True when it is gone."""
        return self._retry(lambda: self._delete_if_owner(claim.data), time_left_s)

    def _delete_if_owner(self, data: dict[str, Any]) -> None:
        key, owner = self._hashed_key(data), self._owner_hash(data)
        store = self.persistence
        if hasattr(store, "delete_if_owner"):  # the in-memory layer
            store.delete_if_owner(key, owner)
            return
        from botocore.exceptions import ClientError

        try:
            store.client.delete_item(
                TableName=store.table_name,
                Key=store._get_key(key),
                ConditionExpression="#owner = :owner AND #status = :inprogress",
                ExpressionAttributeNames={"#owner": store.validation_key_attr, "#status": store.status_attr},
                ExpressionAttributeValues={":owner": {"S": owner}, ":inprogress": {"S": INPROGRESS}},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise  # ConditionalCheckFailed: not ours (any more), nothing to give back

    # -- complete --------------------------------------------------------------------------
    def complete(self, done: Iterable[tuple[Claim, Outcome]], time_left_s: Callable[[], float]) -> int:
        """Record every (claim, outcome) as COMPLETED; return how many could not be recorded.

        An unrecorded one keeps its lock, so it is never sent again (module doc)."""
        records = [self._completed(claim.data, outcome) for claim, outcome in done if claim.owned]
        pending = list(records)

        def write() -> None:
            nonlocal pending
            pending = self._write_completed(pending)
            if pending:
                raise RuntimeError(f"{len(pending)} completion record(s) not written yet")

        if pending:
            self._retry(write, time_left_s)
        return len(pending)

    def _completed(self, data: dict[str, Any], outcome: Outcome) -> DataRecord:
        store = self.persistence
        return DataRecord(
            idempotency_key=self._hashed_key(data),
            status=COMPLETED,
            expiry_timestamp=store._get_expiry_timestamp(),
            response_data=json.dumps(outcome.to_record(), sort_keys=True),
            payload_hash=self._owner_hash(data),
        )

    def _write_completed(self, records: list[DataRecord]) -> list[DataRecord]:
        """Write ``records``; return those still unwritten (unprocessed or failed chunks)."""
        store = self.persistence
        if not hasattr(store, "table_name"):  # the in-memory layer
            for record in records:
                store._update_record(record)
            return []
        chunks = [
            records[start : start + MAX_BATCH_WRITE] for start in range(0, len(records), MAX_BATCH_WRITE)
        ]
        if len(chunks) == 1:
            return self._write_chunk(chunks[0])
        return [record for left in _CHUNKS.map(self._write_chunk, chunks) for record in left]

    def _write_chunk(self, chunk: list[DataRecord]) -> list[DataRecord]:
        """One BatchWriteItem; returns the records it did not write."""
        store = self.persistence
        by_key = {record.idempotency_key: record for record in chunk}
        try:
            response = store.client.batch_write_item(
                RequestItems={store.table_name: [{"PutRequest": {"Item": self._item(r)}} for r in chunk]}
            )
        except Exception:
            return chunk
        unprocessed = (response.get("UnprocessedItems") or {}).get(store.table_name, [])
        key_attr = store.sort_key_attr or store.key_attr
        return [by_key[request["PutRequest"]["Item"][key_attr]["S"]] for request in unprocessed]

    def _item(self, record: DataRecord) -> dict[str, Any]:
        store = self.persistence
        return {
            **store._get_key(record.idempotency_key),
            store.expiry_attr: {"N": str(record.expiry_timestamp)},
            store.status_attr: {"S": COMPLETED},
            store.data_attr: {"S": record.response_data},
            store.validation_key_attr: {"S": record.payload_hash},
        }

    # -- one send, start to finish (callers that are not batches) ----------------------------
    def run(
        self,
        key: Mapping[str, str],
        send: Callable[[], Outcome],
        channel: str,
        time_left_s: Callable[[], float] = lambda: 5.0,
    ) -> Outcome:
        """The outcome of ``send()``, or DUPLICATE/TEMPORARY_FAILURE without calling it.

        ``send`` raises ``DeliveryError`` when nothing was sent; a ``maybe_sent`` error is
        recorded like a send, so it is never repeated."""
        claim = self.claim(key)
        if not claim.owned:
            return claim.replay or Outcome(
                DeliveryStatus.TEMPORARY_FAILURE, channel=channel, reason=claim.reason
            )
        try:
            outcome = send()
        except Exception as error:
            if getattr(error, "maybe_sent", False):
                self.complete([(claim, unconfirmed(channel, error))], time_left_s)
            else:
                self.release(claim, time_left_s)
            raise
        self.complete([(claim, outcome)], time_left_s)
        return outcome

    # -- helpers ---------------------------------------------------------------------------
    def _hashed_key(self, data: dict[str, Any]) -> str:
        """Powertools' record key for ``data`` (its prefix, then an md5 of the key fields),
        computed once per claim: the claim and the completion both need it."""
        hashes = data.setdefault(_HASHES, {})
        if "key" not in hashes:
            hashes["key"] = str(self.persistence._get_hashed_idempotency_key(data=data))
        return hashes["key"]

    def _owner_hash(self, data: dict[str, Any]) -> str:
        hashes = data.setdefault(_HASHES, {})
        if "owner" not in hashes:
            hashes["owner"] = self.persistence._get_hashed_payload(data=data)
        return hashes["owner"]

    def _retry(self, write: Callable[[], None], time_left_s: Callable[[], float]) -> bool:
        """``write()`` until it works or the deadline is near (botocore already retried each call)."""
        attempt = 0
        while True:
            try:
                write()
                return True
            except Exception:
                delay = RETRY_BASE_S * 2**attempt
                if time_left_s() < delay + MIN_TIME_FOR_A_WRITE_S or attempt >= 6:
                    return False
                self._sleep(delay)
                attempt += 1


def unconfirmed(channel: str, error: Exception) -> Outcome:
    """A send whose answer was lost: reported, recorded, and never repeated."""
    return Outcome(
        DeliveryStatus.UNKNOWN_FAILURE,
        channel=channel,
        reason=f"unconfirmed_{getattr(error, 'reason', type(error).__name__)}"[:128],
        details={"detail": getattr(error, "detail", "")},
    )


def _response(record: DataRecord) -> dict[str, Any]:
    try:
        value = json.loads(record.response_data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
