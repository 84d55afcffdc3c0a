"""Apply the batch's coalesced targets to the endpoint registry: ``OptOut=ALL`` on every endpoint.

Two phases, each across addresses with bounded concurrency (a thread pool; one address's read
and write stay in order because its write starts only after its read):

1. **read** per target: one ``find_endpoints_by_address`` query (without the users' shared
   attributes: one DynamoDB call) and a ``get_endpoint`` only for event endpoint ids the query did
   not return;
2. **write**: the endpoints not yet opted out, of many addresses of one application, go into
   ``update_endpoints_batch`` requests of ≤ 100 items (the registry reads and writes a whole
   request in a handful of DynamoDB calls), so a 10,000-record batch costs about one call per
   address plus a few per hundred endpoints. One address's items are never split across two
   requests unless it alone has more than 100 endpoints (then in order, one request after the
   other). If a shared request fails, each of its addresses is retried alone, so one bad or
   throttled address cannot fail (or quarantine) its neighbours; re-writing ``OptOut=ALL`` with
   the same reason and time is harmless.

Endpoints that are already ``OptOut=ALL`` are left untouched, so re-processing is a no-op and the
first reason and time stay on the endpoint.

Status: Pinpoint's update makes the updated endpoint ACTIVE and its same-address twins INACTIVE.
Opting out must not change who is ACTIVE, so every item carries its current ``EndpointStatus`` and
INACTIVE endpoints are written before ACTIVE ones (the last write of an address wins ACTIVE).

Pinpoint mode (``ENDPOINT_STORE=pinpoint``, a registry whose ``finds_by_address`` is false) has
no find-by-address: the event's ``client_id`` is opted out alone (``update_endpoint``), as
Pinpoint users did by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from engagement.aws import aws_client
from engagement.suppression.policy import SES_REASONS
from engagement.suppression.targets import Target, normalise

BATCH_LIMIT = 100  # UpdateEndpointsBatch items
REASON_ATTRIBUTE = "OptOutReason"
AT_ATTRIBUTE = "OptOutAt"

Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]


@dataclass
class Applied:
    """What one target did: endpoints written, and whether any endpoint existed at all."""

    written: list[str]
    found: int
    ses_suppressed: bool = False


@dataclass
class _Plan:
    """One target's endpoints as read, and the items still to write (INACTIVE first)."""

    target: Target
    found: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)
    error: BaseException | None = None
    ses: bool = False
    users: set[str] = field(default_factory=set)  # user ids of the endpoints to write


def iso_ms(timestamp_ms: int) -> str:
    moment = datetime.fromtimestamp(timestamp_ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Suppressor:
    def __init__(self, registry: Any, *, ses_client: Any = None, ses_account_suppression: bool = False):
        self.registry = registry
        self.ses_client = ses_client if ses_client is not None else aws_client("sesv2")  # lazy
        self.ses_account_suppression = ses_account_suppression

    # ------------------------------------------------------------------ entry point
    def apply_all(self, targets: Sequence[Target], mapper: Mapper = map) -> list[Applied | BaseException]:
        """Every target; the result at index *i* is target *i*'s ``Applied`` or its error.

        ``mapper`` runs the per-address work (``ThreadPoolExecutor.map`` for concurrency).
        """
        plans = list(mapper(self._plan, targets))
        list(mapper(self._write, _chunks([p for p in plans if p.error is None and p.items])))
        list(mapper(self._finish_ses, [p for p in plans if p.error is None]))
        return [
            p.error
            if p.error is not None
            else Applied(written=[item["Id"] for item in p.items], found=p.found, ses_suppressed=p.ses)
            for p in plans
        ]

    # ------------------------------------------------------------------ phase 1: read
    def _plan(self, target: Target) -> _Plan:
        plan = _Plan(target)
        try:
            endpoints = self._endpoints(target)
        except Exception as exc:  # classified by the consumer (permanent vs transient)
            plan.error = exc
            return plan
        pending = [e for e in endpoints.values() if e.get("OptOut") != "ALL"]
        pending.sort(key=lambda e: e.get("EndpointStatus") != "INACTIVE")  # INACTIVE first
        attributes = {REASON_ATTRIBUTE: [target.reason], AT_ATTRIBUTE: [iso_ms(target.at_ms)]}
        plan.found = len(endpoints)
        plan.items = [self._item(e, attributes) for e in pending]
        plan.users = {str(e["User"]["UserId"]) for e in pending if (e.get("User") or {}).get("UserId")}
        return plan

    def _endpoints(self, target: Target) -> dict[str, dict[str, Any]]:
        """Endpoints to opt out, by lower-cased id: the address's twins plus the events' endpoints."""
        found: dict[str, dict[str, Any]] = {}
        if target.address and self.registry.finds_by_address:
            args = (target.application_id, target.channel, target.address)
            for endpoint in self.registry.find_endpoints_by_address(*args, user_attributes=False):
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

    # ------------------------------------------------------------------ phase 2: write
    def _write(self, plans: list[_Plan]) -> None:
        """One chunk (one application, ≤ 100 items unless one address has more)."""
        try:
            self._write_items(plans[0].target.application_id, [i for p in plans for i in p.items])
        except Exception as exc:
            if len(plans) > 1:  # find the address that fails; spare the others (writes are idempotent)
                for plan in plans:
                    self._write([plan])
                return
            for plan in plans:
                plan.error = exc

    def _write_items(self, application_id: str, items: list[dict[str, Any]]) -> None:
        if not self.registry.finds_by_address:
            for item in items:
                request = dict(item)
                endpoint_id = request.pop("Id")
                self.registry.update_endpoint(
                    ApplicationId=application_id, EndpointId=endpoint_id, EndpointRequest=request
                )
            return
        for start in range(0, len(items), BATCH_LIMIT):
            chunk = items[start : start + BATCH_LIMIT]
            self.registry.update_endpoints_batch(
                ApplicationId=application_id, EndpointBatchRequest={"Item": chunk}
            )

    def _finish_ses(self, plan: _Plan) -> None:
        if plan.error is not None:
            return
        try:
            plan.ses = self._ses_suppress(plan.target)
        except Exception as exc:
            plan.error = exc

    def _ses_suppress(self, target: Target) -> bool:
        """Optionally add the address to the SES account-level suppression list (bounces, complaints)."""
        reason = SES_REASONS.get(target.reason)
        if not (self.ses_account_suppression and reason and target.channel == "EMAIL" and target.address):
            return False
        self.ses_client.put_suppressed_destination(EmailAddress=target.address, Reason=reason)
        return True


def _chunks(plans: list[_Plan]) -> list[list[_Plan]]:
    """Whole targets of one application per chunk, ≤ ``BATCH_LIMIT`` items (a bigger unit alone).

    Targets whose endpoints share a user are one unit: a write rewrites the user's item too, so
    two concurrent requests touching one user would make each other's transactions fail.
    """
    parent = list(range(len(plans)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    owner: dict[tuple[str, str], int] = {}
    for index, plan in enumerate(plans):
        for user in plan.users:
            other = owner.setdefault((plan.target.application_id, user), index)
            parent[root(index)] = root(other)
    units: dict[int, list[_Plan]] = {}
    for index, plan in enumerate(plans):
        units.setdefault(root(index), []).append(plan)
    chunks: list[list[_Plan]] = []
    open_chunks: dict[str, tuple[list[_Plan], int]] = {}
    for unit in units.values():
        app, size = unit[0].target.application_id, sum(len(plan.items) for plan in unit)
        chunk, used = open_chunks.get(app, ([], BATCH_LIMIT))
        if used + size > BATCH_LIMIT:
            chunk, used = [], 0
            chunks.append(chunk)
        chunk.extend(unit)
        open_chunks[app] = (chunk, used + size)
    return chunks
