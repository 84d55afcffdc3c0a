"""Failures of the journey trigger, split into permanent and transient.

A :class:`JourneyValidationError` can never succeed on retry (no matching route, missing user id,
unknown endpoint, an attribute Pinpoint would drop, an event Pinpoint rejected): the trigger sends
the event with the reason to the dead-letter queue and returns, so nothing is retried in vain and
nothing is dropped silently. Every other exception is transient and propagates, so Lambda's async
retries run and, once exhausted, the on-failure destination (the same queue) gets the event.
"""

from __future__ import annotations


class JourneyValidationError(ValueError):
    """Permanent: the event cannot start a journey, whatever the number of retries."""

    reason = "invalid_event"


class NoRouteError(JourneyValidationError):
    reason = "no_route"


class AmbiguousRouteError(JourneyValidationError):
    reason = "ambiguous_route"


class MissingValueError(JourneyValidationError):
    reason = "missing_value"


class EndpointNotFoundError(JourneyValidationError):
    reason = "endpoint_not_found"


class LimitExceededError(JourneyValidationError):
    reason = "limit_exceeded"


class TargetRejectedError(JourneyValidationError):
    reason = "target_rejected"


class TargetNotConfiguredError(JourneyValidationError):
    reason = "target_not_configured"
