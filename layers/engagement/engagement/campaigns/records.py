"""``_campaign.send`` records (Pinpoint's stream schema) for what the campaign itself decided.

Delivery records (``_email.send``, ``_SMS.BUFFERED``, ``_custom.send``, failures) are the
channel's and carry the same ``campaign_id`` / ``campaign_activity_id`` / ``treatment_id``. The
campaign adds one ``_campaign.send`` per endpoint it handed over and the channel accepted
(``campaign_send_status`` SUCCESS) and per endpoint it planned but did not send: QUIET_TIME,
EXPIRED (``MaximumDuration``), DAILY_CAP, TOTAL_CAP. Held-out and filtered endpoints are
counted, not recorded (Pinpoint records only message events).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engagement.events.records import build_event_record


def campaign_send_record(
    ids: Mapping[str, str], endpoint_id: str, endpoint: Mapping[str, Any], treatment_id: str, status: str
) -> dict[str, Any]:
    return build_event_record(
        event_type="_campaign.send",
        application_id=ids["ApplicationId"],
        endpoint_id=endpoint_id,
        attributes={
            "campaign_id": ids["CampaignId"],
            "campaign_activity_id": ids["ActivityId"],
            "treatment_id": treatment_id,
            "campaign_send_status": status,
            "delivery_type": str(endpoint.get("ChannelType") or ""),
        },
        endpoint={k: v for k, v in endpoint.items() if k not in ("Address", "Id")},
    )
