"""Apply one coalesced target to the endpoint registry: ``OptOut=ALL`` on every endpoint of it.

Per target: one ``find_endpoints_by_address`` query, a ``get_endpoint`` only for event endpoint
ids the query did not return, and one ``update_endpoints_batch`` write (≤ 100 endpoints) for the
endpoints not already opted out. Endpoints that are already ``OptOut=ALL`` are left untouched, so
re-processing is a no-op and the first reason and time stay on the endpoint.

Status: Pinpoint's update makes the updated endpoint ACTIVE and its same-address twins INACTIVE.
Opting out must not change who is ACTIVE, so every item carries its current ``EndpointStatus`` and
INACTIVE endpoints are written before ACTIVE ones (the last write of an address wins ACTIVE).

Pinpoint mode (``ENDPOINT_STORE=pinpoint``) has no find-by-address: the event's ``client_id``
is opted out alone (``update_endpoint``), as Pinpoint users did by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from engagement.suppression.policy import SES_REASONS
from engagement.suppression.targets import Target, normalise

BATCH_LIMIT = 100  # UpdateEndpointsBatch items
REASON_ATTRIBUTE = "OptOutReason"
AT_ATTRIBUTE = "OptOutAt"


@dataclass
class Applied:
    """What one target did: endpoints written, and whether any endpoint existed at all."""

    written: list[str]
    found: int
    ses_suppressed: bool = False


def iso_ms(timestamp_ms: int) -> str:
    moment = datetime.fromtimestamp(timestamp_ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Suppressor:
    def __init__(self, registry: Any, *, ses_client: Any = None, ses_account_suppression: bool = False):
        self.registry = registry
        self.ses_client = ses_client
        self.ses_account_suppression = ses_account_suppression

    def apply(self, target: Target) -> Applied:
        endpoints = self._endpoints(target)
        pending = [e for e in endpoints.values() if e.get("OptOut") != "ALL"]
        pending.sort(key=lambda e: e.get("EndpointStatus") != "INACTIVE")  # INACTIVE first
        attributes = {REASON_ATTRIBUTE: [target.reason], AT_ATTRIBUTE: [iso_ms(target.at_ms)]}
        if pending and self._can_find:
            for start in range(0, len(pending), BATCH_LIMIT):
                items = [self._item(e, attributes) for e in pending[start : start + BATCH_LIMIT]]
                self.registry.update_endpoints_batch(
                    ApplicationId=target.application_id, EndpointBatchRequest={"Item": items}
                )
        else:
            for endpoint in pending:
                request = self._item(endpoint, attributes)
                endpoint_id = request.pop("Id")
                self.registry.update_endpoint(
                    ApplicationId=target.application_id, EndpointId=endpoint_id, EndpointRequest=request
                )
        applied = Applied(written=[e["Id"] for e in pending], found=len(endpoints))
        applied.ses_suppressed = self._ses_suppress(target)
        return applied

    @property
    def _can_find(self) -> bool:
        from engagement.endpoints.pinpoint import PinpointEndpointRegistry

        return not isinstance(self.registry, PinpointEndpointRegistry)

    def _endpoints(self, target: Target) -> dict[str, dict[str, Any]]:
        """Endpoints to opt out, by lower-cased id: the address's twins plus the events' endpoints."""
        found: dict[str, dict[str, Any]] = {}
        if target.address and self._can_find:
            for endpoint in self.registry.find_endpoints_by_address(
                target.application_id, target.channel, target.address
            ):
                found[endpoint["Id"].lower()] = endpoint
        for endpoint_id in sorted(target.endpoint_ids):
            if endpoint_id.lower() in found:
                continue
            endpoint = self.get_endpoint(target.application_id, endpoint_id)
            if endpoint is not None and self._same_channel(endpoint, target):
                found[endpoint_id.lower()] = endpoint
        return found

    def get_endpoint(self, application_id: str, endpoint_id: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return self.registry.get_endpoint(ApplicationId=application_id, EndpointId=endpoint_id)[
                "EndpointResponse"
            ]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "NotFoundException":
                return None  # e.g. a transactional send's random client_id: nothing to opt out
            raise

    @staticmethod
    def _same_channel(endpoint: dict[str, Any], target: Target) -> bool:
        """The event's endpoint counts if it is on the target's channel (and address, when known)."""
        if endpoint.get("ChannelType") not in (None, target.channel):
            return False
        address = endpoint.get("Address")
        if target.address and address:
            return normalise(target.channel, address) == normalise(target.channel, target.address)
        return True

    @staticmethod
    def _item(endpoint: dict[str, Any], attributes: dict[str, list[str]]) -> dict[str, Any]:
        return {
            "Id": endpoint["Id"],
            "OptOut": "ALL",
            "EndpointStatus": endpoint.get("EndpointStatus") or "ACTIVE",
            "Attributes": attributes,
        }

    def _ses_suppress(self, target: Target) -> bool:
        """Optionally add the address to the SES account-level suppression list (bounces, complaints)."""
        reason = SES_REASONS.get(target.reason)
        if not (self.ses_account_suppression and reason and target.channel == "EMAIL" and target.address):
            return False
        if self.ses_client is None:
            from engagement.aws import aws_client

            self.ses_client = aws_client("sesv2")
        self.ses_client.put_suppressed_destination(EmailAddress=target.address, Reason=reason)
        return True
