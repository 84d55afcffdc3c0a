"""Campaigns: Pinpoint's ``WriteCampaignRequest`` run standalone (docs/campaigns.md).

    from engagement.campaigns import CampaignStore, run_campaign
    store = CampaignStore(table="...", dynamodb=client, segments=segment_store, templates=template_store)
    store.create_campaign(ApplicationId=app, WriteCampaignRequest=body)   # validated, scheduled
    activity = run_campaign(services, ApplicationId=app, CampaignId=cid)   # one run, in-process

A run is: snapshot the segment, cut it into batches of at most 50 endpoints, plan each batch
(user expansion, filters, cohort allocation, local time, quiet time, limits) and hand the
planned endpoints to the custom channel, paced under ``MessagesPerSecond``. The same
``run_batch`` runs in-process and inside the Step Functions Distributed Map.

Names resolve lazily (PEP 562): importing this package loads neither boto3 nor botocore.
"""

from __future__ import annotations

from engagement.lazy import lazy_exports

_EXPORTS = {
    "Campaign": "definition",
    "compile_campaign": "definition",
    "validate_campaign": "definition",
    "CampaignStore": "store",
    "MemoryLedger": "ledger",
    "DynamoDBLedger": "ledger",
    "Pacer": "pacing",
    "plan_batch": "planner",
    "RunServices": "run",
    "run_batch": "run",
    "run_campaign": "run",
    "schedule_expression": "schedule",
}
__all__ = sorted(_EXPORTS)


__getattr__ = lazy_exports(__name__, _EXPORTS)
