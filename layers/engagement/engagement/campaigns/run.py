"""One campaign run, step by step - the same functions in-process and in Step Functions.

=========================  ===========================================================
``start_run``              load the campaign (skip if paused or past ``EndTime``), name the
                           run (activity id from campaign + scheduled time, so a re-fired
                           or resumed run is the same run), record the activity RUNNING
``snapshot_batches``       the segment's members, pinned version, in batches of <= 50
``run_batch``              plan (``planner.py``), deliver through the channel, paced,
                           write ``_campaign.send`` records, store the batch's counters
``finish_run``             sum the batches' counters into the activity; the campaign goes
                           PENDING_NEXT_RUN or COMPLETED
=========================  ===========================================================

``run_campaign`` chains them in this process (``engagement campaigns run ID``), with a few batches
in flight sharing one pacer; Step Functions chains them with a Distributed Map in AWS
(``statemachines/campaign_run.asl.json``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger

from engagement.campaigns.clock import iso, parse_time
from engagement.campaigns.definition import Campaign, compile_campaign
from engagement.campaigns.ledger import RunKey
from engagement.campaigns.pacing import Pacer
from engagement.campaigns.planner import MAX_BATCH, Planner
from engagement.campaigns.records import campaign_send_record
from engagement.campaigns.schedule import has_later_run

logger = Logger(child=True)

# The channel's delivery_status -> the run counter it adds to.
DELIVERY_COUNTERS = {
    "SUCCESSFUL": "DELIVERED",
    "DUPLICATE": "ALREADY_SENT",
    "PERMANENT_FAILURE": "DELIVERY_PERMANENT_FAILURE",
    "TEMPORARY_FAILURE": "DELIVERY_TEMPORARY_FAILURE",
    "OPTED_OUT": "ENDPOINT_OPT_OUT_AT_SEND",
    "INACTIVE": "ENDPOINT_INACTIVE_AT_SEND",
}


class TemporaryBatchError(RuntimeError):
    """Some sends of the batch failed temporarily: run the batch again (nothing is sent twice)."""

    def __init__(self, batch: str, count: int):
        super().__init__(f"batch {batch}: {count} temporary delivery failure(s); retry the batch")
        self.batch = batch
        self.count = count


@dataclass
class RunServices:
    """What a run needs, built once per process (``factory.build_run_services``)."""

    store: Any  # CampaignStore
    ledger: Any  # DynamoDBLedger | MemoryLedger
    delivery: Any  # ChannelDelivery
    members: Callable[[Campaign, dt.datetime], Iterable[Mapping[str, Any]]]  # segment snapshot
    registry: Any = None
    writer: Any = None  # event stream
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    max_attempts: int = 3
    retry_delay_s: float = 0.5
    batches_in_flight: int = 4
    _pacers: dict[tuple[str, float], Pacer] = field(default_factory=dict)

    def pacer(self, key: RunKey, rate: float) -> Pacer | None:
        if rate <= 0:
            return None
        return self._pacers.setdefault((key.run_pk, rate), Pacer(rate))


def activity_id_for(campaign_id: str, scheduled_time: str) -> str:
    return hashlib.sha256(f"{campaign_id}|{scheduled_time}".encode()).hexdigest()[:32]


def _key(run: Mapping[str, Any]) -> RunKey:
    return RunKey(run["ApplicationId"], run["CampaignId"], run["ActivityId"])


def _campaign(services: RunServices, run: Mapping[str, Any]) -> Campaign:
    response = services.store.get_campaign_version(
        ApplicationId=run["ApplicationId"], CampaignId=run["CampaignId"], Version=run["Version"]
    )["CampaignResponse"]
    return compile_campaign(response)


# -- the four steps ---------------------------------------------------------------------------
def start_run(
    services: RunServices,
    *,
    ApplicationId: str,  # noqa: N803 - the scheduler's input keys
    CampaignId: str,  # noqa: N803
    ScheduledTime: str | None = None,  # noqa: N803
    Concurrency: int = 1,  # noqa: N803
) -> dict[str, Any]:
    """The run's identity, or ``{"Skip": True, "Reason": ...}`` when nothing should run."""
    now = services.clock()
    current = services.store.get_campaign(ApplicationId=ApplicationId, CampaignId=CampaignId)[
        "CampaignResponse"
    ]
    campaign = compile_campaign(current)
    scheduled = parse_time(ScheduledTime) if ScheduledTime else now
    ids = {"ApplicationId": ApplicationId, "CampaignId": CampaignId}
    if campaign.is_paused:
        return {**ids, "Skip": True, "Reason": "PAUSED"}
    if campaign.schedule.end is not None and scheduled > campaign.schedule.end:
        return {**ids, "Skip": True, "Reason": "ENDED"}
    activity_id = activity_id_for(CampaignId, iso(scheduled))
    activity = services.store.get_activity(ApplicationId, CampaignId, activity_id)
    if activity is not None and activity.get("State") == "COMPLETED" and activity.get("Result") != "FAIL":
        return {**ids, "Skip": True, "Reason": "COMPLETED", "ActivityId": activity_id}
    version = int(
        (activity or {}).get("CampaignVersion") or campaign.version
    )  # a resumed run keeps its version
    local = campaign.schedule.is_local_time and campaign.schedule.frequency != "HOURLY"
    services.store.put_activity(
        {
            "Id": activity_id,
            "ApplicationId": ApplicationId,
            "CampaignId": CampaignId,
            "CampaignVersion": version,
            "ScheduledStart": iso(scheduled),
            "Start": (activity or {}).get("Start") or iso(now),
            "State": "RUNNING",
            "TimezonesTotalCount": 1,
            "TimezonesCompletedCount": 0,
        }
    )
    services.store.set_state(ApplicationId, CampaignId, "EXECUTING")
    logger.info(
        "campaign run started", extra={**ids, "activity_id": activity_id, "resumed": activity is not None}
    )
    return {
        **ids,
        "ActivityId": activity_id,
        "Version": version,
        "SegmentId": campaign.segment_id,
        "SegmentVersion": campaign.segment_version
        or services.store.segment_version(ApplicationId, campaign.segment_id)
        or 1,
        "ScheduledTime": iso(scheduled),
        "Wave": iso(scheduled) if local else None,
        "Concurrency": max(1, int(Concurrency)),
    }


def snapshot_batches(
    services: RunServices, run: Mapping[str, Any], members: Iterable[Mapping[str, Any]] | None = None
) -> Iterator[tuple[str, list[dict]]]:
    """``("00001", [≤ 50 snapshot entries]), ...``: ``members`` (a snapshot read back from S3 in
    AWS) or, in-process, the segment's members at the campaign's pinned version."""
    if members is None:
        members = services.members(_campaign(services, run), services.clock())
    batch: list[dict] = []
    number = 0
    for member in members:
        batch.append(dict(member))
        if len(batch) == MAX_BATCH:
            number += 1
            yield f"{number:05d}", batch
            batch = []
    if batch:
        yield f"{number + 1:05d}", batch


def run_batch(
    services: RunServices,
    run: Mapping[str, Any],
    batch: str,
    entries: Iterable[Mapping[str, Any]],
    *,
    attempt: int = 0,
    lambda_context: Any = None,
) -> dict[str, int]:
    """Plan and deliver one batch; its counters. Raises TemporaryBatchError to be retried."""
    campaign = _campaign(services, run)
    key = _key(run)
    scheduled = parse_time(run["ScheduledTime"])
    planner = Planner(
        campaign,
        key,
        scheduled,
        services.ledger,
        registry=services.registry,
        wave=parse_time(run["Wave"]) if run.get("Wave") else None,
        clock=services.clock,
    )
    plan = planner.plan(batch, entries)
    rate = campaign.limits.messages_per_second / max(1, int(run.get("Concurrency") or 1))
    services.delivery.set_pacer(services.pacer(key, rate))
    ids = {k: run[k] for k in ("ApplicationId", "CampaignId", "ActivityId", "ScheduledTime")}
    answers = services.delivery.deliver(ids, plan.sends, lambda_context) if plan.sends else {}
    counters = plan.counters
    records = [
        campaign_send_record(ids, eid, ep, treatment, status) for eid, ep, treatment, status in plan.dropped
    ]
    temporary = 0
    for send in plan.sends:
        status = (answers.get(send.endpoint_id) or {}).get("delivery_status", "TEMPORARY_FAILURE")
        counters[DELIVERY_COUNTERS.get(status, "DELIVERY_PERMANENT_FAILURE")] += 1
        temporary += status == "TEMPORARY_FAILURE"
        if status == "SUCCESSFUL":
            records.append(
                campaign_send_record(ids, send.endpoint_id, send.endpoint, send.treatment.id, "SUCCESS")
            )
    if records and services.writer is not None:
        try:
            services.writer.put(records)
        except Exception as error:  # the messages are out; a retry would only find duplicates
            logger.error("campaign records not written", extra={"records": len(records), "error": str(error)})
            counters["EVENT_RECORDS_NOT_WRITTEN"] += len(records)
    services.ledger.record_batch(key, batch, counters)
    if temporary and attempt + 1 < services.max_attempts:
        raise TemporaryBatchError(batch, temporary)
    return dict(counters)


def finish_run(services: RunServices, run: Mapping[str, Any], *, failed: bool = False) -> dict[str, Any]:
    """The activity with the run's counters (``get_campaign_activities`` shape)."""
    key = _key(run)
    counters = services.ledger.run_counters(key)
    activity = services.store.get_activity(run["ApplicationId"], run["CampaignId"], run["ActivityId"]) or {}
    activity.update(
        {
            "Id": run["ActivityId"],
            "ApplicationId": run["ApplicationId"],
            "CampaignId": run["CampaignId"],
            "End": iso(services.clock()),
            "State": "COMPLETED",
            "Result": "FAIL" if failed else "SUCCESS",
            "TotalEndpointCount": counters.get("PLANNED", 0),
            "SuccessfulEndpointCount": counters.get("DELIVERED", 0) + counters.get("ALREADY_SENT", 0),
            "TimezonesCompletedCount": 1,
            "ExecutionMetrics": {name: str(value) for name, value in sorted(counters.items()) if value},
        }
    )
    services.store.put_activity(activity)
    campaign = _campaign(services, run)
    later = has_later_run(campaign.schedule, parse_time(run["ScheduledTime"]))
    services.store.set_state(
        run["ApplicationId"], run["CampaignId"], "PENDING_NEXT_RUN" if later else "COMPLETED"
    )
    return activity


# -- in-process -------------------------------------------------------------------------------
def run_campaign(
    services: RunServices,
    *,
    ApplicationId: str,  # noqa: N803
    CampaignId: str,  # noqa: N803
    ScheduledTime: str | None = None,  # noqa: N803
) -> dict[str, Any]:
    """One whole run now, in this process: the activity, or the reason it was skipped."""
    run = start_run(services, ApplicationId=ApplicationId, CampaignId=CampaignId, ScheduledTime=ScheduledTime)
    if run.get("Skip"):
        return run
    try:
        with ThreadPoolExecutor(max_workers=services.batches_in_flight, thread_name_prefix="batch") as pool:
            pending = [
                pool.submit(_with_retries, services, run, batch, entries)
                for batch, entries in snapshot_batches(services, run)
            ]
            for future in pending:
                future.result()
    except Exception:
        logger.exception("campaign run failed", extra={"activity_id": run["ActivityId"]})
        finish_run(services, run, failed=True)
        raise
    return finish_run(services, run)


def _with_retries(
    services: RunServices, run: Mapping[str, Any], batch: str, entries: list[dict]
) -> dict[str, int]:
    """As the state machine's Retry on the batch task: same batch, same keys, backoff."""
    for attempt in range(services.max_attempts):
        try:
            return run_batch(services, run, batch, entries, attempt=attempt)
        except TemporaryBatchError:
            time.sleep(services.retry_delay_s * (2**attempt))
    raise AssertionError("unreachable: the last attempt returns")
