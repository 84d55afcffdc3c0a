"""The whole invocation: parse the payload, deliver, report, answer Pinpoint."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from engagement.channel.logs import masked
from engagement.channel.outcome import DeliveryStatus, Outcome, to_response
from engagement.channel.pipeline import CustomChannel
from engagement.channel.report import RESPONSE_MARGIN_S, add_metrics, write_records_within
from engagement.models.custom_channel import CustomChannelEvent

logger = Logger(child=True)


class InvalidPayloadError(ValueError):
    """The invocation is not a custom-channel payload at all (no endpoint map to answer for)."""


def handle_batch(
    channel: CustomChannel, raw_event: Any, lambda_context: Any, *, writer: Any, metrics: Any
) -> dict:
    """``{endpointId: {"EventAttributes": {...}}}`` for every endpoint of ``raw_event``."""
    try:
        event = CustomChannelEvent.model_validate(raw_event)
    except ValidationError as error:
        return _invalid_payload(raw_event, error, metrics)
    channel.services.once.register_context(lambda_context)
    logger.info(
        "custom channel batch",
        extra={**event.context_ids(), "endpoints": len(event.Endpoints), "template": event.Data.template},
    )
    remaining_ms = lambda_context.get_remaining_time_in_millis
    outcomes = channel.deliver(event, remaining_ms)
    budget_s = remaining_ms() / 1000 - RESPONSE_MARGIN_S
    add_metrics(metrics, outcomes, write_records_within(writer, event, outcomes, budget_s))
    return to_response(outcomes)


def _invalid_payload(raw_event: Any, error: ValidationError, metrics: Any) -> dict:
    """Answer every endpoint we can name with the reason; with none to name, fail the call."""
    problems = masked(
        "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][:3]) or 'payload'}: {e['msg']}"
            for e in error.errors(include_url=False, include_input=False)[:3]
        )
    )
    logger.error("invalid custom-channel payload", extra={"problems": problems})
    endpoints = raw_event.get("Endpoints") if isinstance(raw_event, dict) else None
    if not isinstance(endpoints, dict) or not endpoints:
        raise InvalidPayloadError(f"invalid custom-channel payload: {problems}") from error
    outcome = Outcome(DeliveryStatus.PERMANENT_FAILURE, reason=f"invalid_payload: {problems}")
    outcomes = {str(endpoint_id): outcome for endpoint_id in endpoints}
    add_metrics(metrics, outcomes)
    return to_response(outcomes)
