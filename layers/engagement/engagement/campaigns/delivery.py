"""Hand planned sends to the custom channel in Pinpoint's custom-channel payload.

One payload per (treatment, delivery) group of at most 50 endpoints::

    {"ApplicationId": ..., "CampaignId": ..., "TreatmentId": "1", "ActivityId": <run>,
     "ScheduledTime": ..., "Data": <CustomMessage.Data or {"template": ..., "channel": ...}>,
     "Endpoints": {endpointId: EndpointResponse, ...}}

It goes to the channel's own entry point, ``engagement.channel.handle.handle_batch`` - the very
code the custom-channel Lambda runs - so opt-out checks, rendering, sending, event records and the
exactly-once key (application, campaign, activity = run, treatment, scheduled time, endpoint) are
the channel's. A ``CustomDeliveryConfiguration.DeliveryUri`` naming another Lambda function gets
the same payload by ``lambda:Invoke``, as Pinpoint invoked it.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from engagement.campaigns.pacing import PacedSender, Pacer
from engagement.campaigns.planner import MAX_BATCH, PlannedSend

SENDERS = ("email", "sms", "webhook")
_NOT_PASSED = frozenset({"Id", "ApplicationId"})


class RunContext:
    """The Lambda-context shape ``handle_batch`` reads, for in-process runs."""

    function_name = "engagement-campaigns"
    memory_limit_in_mb = 512
    aws_request_id = "in-process"
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:engagement-campaigns"

    def __init__(self, budget_s: float = 900.0) -> None:
        self._end = time.monotonic() + budget_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._end - time.monotonic()) * 1000))


class _NoMetrics:
    def add_metric(self, **_: Any) -> None:
        pass


def payload(
    application_id: str,
    campaign_id: str,
    activity_id: str,
    scheduled_time: str,
    treatment_id: str,
    data: str,
    sends: Iterable[PlannedSend],
) -> dict[str, Any]:
    return {
        "ApplicationId": application_id,
        "CampaignId": campaign_id,
        "TreatmentId": treatment_id,
        "ActivityId": activity_id,
        "ScheduledTime": scheduled_time,
        "Data": data,
        "Endpoints": {
            s.endpoint_id: {k: v for k, v in s.endpoint.items() if k not in _NOT_PASSED} for s in sends
        },
    }


class ChannelDelivery:
    """``deliver(...)`` -> ``{endpointId: EventAttributes}`` as the channel answered."""

    def __init__(
        self,
        channel: Any,
        *,
        writer: Any = None,
        metrics: Any = None,
        lambda_client: Any = None,
        own_function_arns: Iterable[str] = (),
        build_channel: Callable[[], Any] | None = None,
    ) -> None:
        # Without ``channel``, ``build_channel()`` makes it on the first in-process send, so a
        # container that never sends (a run's Start and Finish steps, an event that starts no
        # campaign) never loads the channel.
        self._channel = channel
        self._build_channel = build_channel
        self.writer = writer
        self.metrics = metrics or _NoMetrics()
        self.lambda_client = lambda_client
        self.own = {arn for arn in own_function_arns if arn}
        self.pacer: Pacer | None = None
        if self._channel is not None:
            self._pace(self._channel)

    @property
    def channel(self) -> Any:
        if self._channel is None and self._build_channel is not None:
            self._channel = self._pace(self._build_channel())
        return self._channel

    def _pace(self, channel: Any) -> Any:
        """Pace the channel's real sends (its services are built once per process)."""
        for name in SENDERS:
            sender = getattr(channel.services, name, None)
            if sender is not None and not isinstance(sender, PacedSender):
                sender = PacedSender(sender)
                setattr(channel.services, name, sender)
            if isinstance(sender, PacedSender):
                sender.pacer = self.pacer
        return channel

    def set_pacer(self, pacer: Pacer | None) -> None:
        self.pacer = pacer
        if self._channel is not None:
            self._pace(self._channel)

    def deliver(
        self,
        ids: Mapping[str, str],
        sends: Iterable[PlannedSend],
        lambda_context: Any = None,
    ) -> dict[str, dict[str, str]]:
        """``ids``: ApplicationId, CampaignId, ActivityId, ScheduledTime."""
        groups: dict[tuple[str, Any], list[PlannedSend]] = defaultdict(list)
        for send in sends:
            groups[(send.treatment.id, send.delivery)].append(send)
        answers: dict[str, dict[str, str]] = {}
        context = lambda_context or RunContext()
        for (treatment_id, delivery), members in groups.items():
            for start in range(0, len(members), MAX_BATCH):
                chunk = members[start : start + MAX_BATCH]
                event = payload(
                    ids["ApplicationId"],
                    ids["CampaignId"],
                    ids["ActivityId"],
                    ids["ScheduledTime"],
                    treatment_id,
                    delivery.data,
                    chunk,
                )
                uri = delivery.delivery_uri
                if uri and uri not in self.own:
                    answers.update(self._invoke(uri, event))
                else:
                    answers.update(self._in_process(event, context))
        return answers

    def _in_process(self, event: dict[str, Any], context: Any) -> dict[str, dict[str, str]]:
        from engagement.channel.handle import handle_batch

        response = handle_batch(self.channel, event, context, writer=self.writer, metrics=self.metrics)
        return {eid: dict(answer.get("EventAttributes") or {}) for eid, answer in response.items()}

    def _invoke(self, function: str, event: dict[str, Any]) -> dict[str, dict[str, str]]:
        """Another team's custom-channel Lambda: paced per invocation (all of its endpoints)."""
        if self.pacer is not None:
            self.pacer.acquire(len(event["Endpoints"]))
        try:
            response = self.lambda_client.invoke(
                FunctionName=function, InvocationType="RequestResponse", Payload=json.dumps(event).encode()
            )
            body = json.loads(response["Payload"].read() or b"null")
            failed = response.get("FunctionError")
        except Exception as error:  # the whole invocation failed: every endpoint may be retried
            body, failed = None, str(error)[:100]
        answers = {}
        for endpoint_id in event["Endpoints"]:
            if failed or not isinstance(body, dict):
                answers[endpoint_id] = {
                    "delivery_status": "TEMPORARY_FAILURE",
                    "reason": "custom_channel_error",
                }
                continue
            attributes = dict((body.get(endpoint_id) or {}).get("EventAttributes") or {})
            attributes.setdefault("delivery_status", "SUCCESSFUL")
            attributes.setdefault("channel", "CUSTOM")
            answers[endpoint_id] = attributes
        return answers
