"""Write Pinpoint-format records to the Kinesis event stream with PutRecords.

PutRecords is not all-or-nothing: a 200 response can carry per-entry failures
(``ProvisionedThroughputExceededException``, ``InternalFailure``). botocore's retries only cover
whole-call errors, so this writer re-sends just the failed entries, with backoff, and raises
:class:`EventStreamWriteError` naming what is still unwritten: no event is dropped silently.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from engagement.aws import aws_client

MAX_RECORDS_PER_CALL = 500  # Kinesis PutRecords limit
MAX_BYTES_PER_CALL = 5 * 1024 * 1024  # 5 MiB per request (data + partition keys)
MAX_BYTES_PER_RECORD = 1024 * 1024  # 1 MiB per record (data + partition key)
MAX_PARTITION_KEY_CHARS = 256


class EventStreamWriteError(RuntimeError):
    """Some records could not be written after all retries."""

    def __init__(self, stream_name: str, failures: list[dict[str, Any]]):
        self.stream_name = stream_name
        self.failures = failures  # [{"record": ..., "ErrorCode": ..., "ErrorMessage": ...}]
        codes = sorted({str(failure.get("ErrorCode")) for failure in failures})
        super().__init__(
            f"{len(failures)} record(s) not written to Kinesis stream {stream_name!r} "
            f"after retries (error codes: {', '.join(codes)})"
        )


def partition_key(record: Mapping) -> str:
    """``client.client_id`` (the endpoint id): keeps one endpoint's events in order on one shard."""
    client = record.get("client") or {}
    key = str(client.get("client_id") or "") if isinstance(client, Mapping) else ""
    return (key or "unknown")[:MAX_PARTITION_KEY_CHARS]


class EventStreamWriter:
    """Put Pinpoint-format records on a Kinesis data stream, losing none."""

    def __init__(
        self,
        stream_name: str,
        *,
        client=None,
        max_attempts: int = 5,
        base_delay_s: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.stream_name = stream_name
        self.client = client if client is not None else aws_client("kinesis")  # created on first use
        self.max_attempts = max_attempts
        self.base_delay_s = base_delay_s
        self._sleep = sleep

    def put(self, records: Sequence[Mapping]) -> None:
        """Write all ``records``; raise :class:`EventStreamWriteError` if some still fail."""
        entries = [self._entry(record) for record in records]
        failures: list[dict[str, Any]] = []
        for chunk in _chunks(entries):
            failures.extend(self._put_chunk(chunk))
        if failures:
            raise EventStreamWriteError(self.stream_name, failures)

    def _entry(self, record: Mapping) -> tuple[Mapping, dict[str, Any]]:
        data = json.dumps(record, separators=(",", ":"), default=str).encode()
        key = partition_key(record)
        if len(data) + len(key.encode()) > MAX_BYTES_PER_RECORD:
            raise ValueError(f"event record for {key!r} is {len(data)} bytes; Kinesis allows 1 MiB")
        return record, {"Data": data, "PartitionKey": key}

    def _put_chunk(self, chunk: list[tuple[Mapping, dict[str, Any]]]) -> list[dict[str, Any]]:
        pending = chunk
        last_errors: list[dict[str, Any]] = []
        for attempt in range(self.max_attempts):
            if attempt:
                self._sleep(self.base_delay_s * (2 ** (attempt - 1)) * (1 + random.random()))
            response = self.client.put_records(
                StreamName=self.stream_name, Records=[entry for _, entry in pending]
            )
            if not response.get("FailedRecordCount"):
                return []
            retry, last_errors = [], []
            for item, result in zip(pending, response["Records"], strict=True):
                if result.get("ErrorCode"):
                    retry.append(item)
                    last_errors.append(
                        {
                            "record": item[0],
                            "ErrorCode": result["ErrorCode"],
                            "ErrorMessage": result.get("ErrorMessage", ""),
                        }
                    )
            pending = retry
        return last_errors


def _chunks(
    entries: list[tuple[Mapping, dict[str, Any]]],
) -> Iterator[list[tuple[Mapping, dict[str, Any]]]]:
    chunk: list[tuple[Mapping, dict[str, Any]]] = []
    size = 0
    for item in entries:
        entry_size = len(item[1]["Data"]) + len(item[1]["PartitionKey"].encode())
        if chunk and (len(chunk) >= MAX_RECORDS_PER_CALL or size + entry_size > MAX_BYTES_PER_CALL):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += entry_size
    if chunk:
        yield chunk
