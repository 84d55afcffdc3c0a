"""The run state machine's Lambda steps (``statemachines/campaign_run.asl.json``).

- ``Start``: ``start_run`` (pin the campaign version, name the run, or skip it).
- then the state machine runs the segment snapshot state machine (``engagement.segments``):
  JSON Lines of the members in S3 (``{"Bucket", "Keys", "Count"}``);
- ``Cut``: the snapshot cut into S3 objects of <= 50 entries
  (``runs/<app>/<campaign>/<activity>/batch-00001.json``) for the Distributed Map's
  ``listObjectsV2`` reader. A resumed run finds its objects and keeps them, so every batch
  holds the same endpoints as before. Without a snapshot (tests), the members come in-process.
- ``Batch``: ``run_batch`` on one object; ``RetryCount`` is the state's retry count, so the last
  attempt records its temporary failures instead of raising.
- ``Finish``: ``finish_run`` (``Failed``: the Map failed, the activity records FAIL).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from engagement.campaigns.run import RunServices, finish_run, run_batch, snapshot_batches, start_run

PACE_PER_WORKER = 25  # messages/s each Map worker sends at, at most, when a campaign is paced


def concurrency_for(messages_per_second: int, max_concurrency: int) -> int:
    """Map workers for a campaign: enough that each sends <= 25/s, never above the setting."""
    if not messages_per_second:
        return max_concurrency
    return max(1, min(max_concurrency, math.ceil(messages_per_second / PACE_PER_WORKER)))


def handle_step(
    services: RunServices,
    event: Mapping[str, Any],
    lambda_context: Any,
    *,
    s3: Any,
    bucket: str,
    max_concurrency: int,
) -> dict[str, Any]:
    action = event.get("Action")
    if action == "Start":
        return _start(services, dict(event["Input"]), max_concurrency)
    if action == "Cut":
        return _cut(services, event["Run"], event.get("Snapshot"), s3=s3, bucket=bucket)
    if action == "Batch":
        run, key = event["Run"], event["Key"]
        entries = json.loads(s3.get_object(Bucket=run["Bucket"], Key=key)["Body"].read())
        batch = key.rsplit("batch-", 1)[-1].removesuffix(".json")
        attempt = int(event.get("RetryCount") or 0)
        return run_batch(services, run, batch, entries, attempt=attempt, lambda_context=lambda_context)
    if action == "Finish":
        return finish_run(services, event["Run"], failed=bool(event.get("Failed")))
    raise ValueError(f"unknown campaign step {action!r}: Start, Cut, Batch or Finish")


def _start(services: RunServices, payload: dict[str, Any], max_concurrency: int) -> dict[str, Any]:
    from engagement.campaigns.definition import compile_campaign

    current = services.store.get_campaign(
        ApplicationId=payload["ApplicationId"], CampaignId=payload["CampaignId"]
    )
    mps = compile_campaign(current["CampaignResponse"]).limits.messages_per_second
    return start_run(
        services,
        ApplicationId=payload["ApplicationId"],
        CampaignId=payload["CampaignId"],
        ScheduledTime=payload.get("ScheduledTime"),
        Concurrency=concurrency_for(mps, max_concurrency),
    )


def _cut(
    services: RunServices, run: Mapping[str, Any], snapshot: Mapping[str, Any] | None, *, s3: Any, bucket: str
) -> dict[str, Any]:
    prefix = f"runs/{run['ApplicationId']}/{run['CampaignId']}/{run['ActivityId']}/"
    existing = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1).get("KeyCount", 0)
    count = 0
    if not existing:
        members = None
        if snapshot:
            from engagement.segments import read_snapshot

            members = read_snapshot(s3, snapshot["Bucket"], snapshot["Keys"])
        for number, entries in snapshot_batches(services, run, members):
            s3.put_object(
                Bucket=bucket,
                Key=f"{prefix}batch-{number}.json",
                Body=json.dumps(entries, separators=(",", ":"), default=str).encode(),
                ContentType="application/json",
            )
            count += 1
    return {**run, "Bucket": bucket, "Prefix": prefix, "Batches": count, "Resumed": bool(existing)}
