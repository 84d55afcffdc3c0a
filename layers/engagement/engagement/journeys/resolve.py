"""Find the endpoints an event is about, upserting them first when the route says so.

Three ways an event names its audience (``EndpointSelector.by``): an endpoint id, a user id
(all the user's endpoints), or a channel + address. Only ACTIVE endpoints take part. The
result is keyed by endpoint id in the custom-channel payload's endpoint shape, so it is both
the ``BatchItem`` keys of ``PutEvents`` and the ``Endpoints`` of a Step Functions journey.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

from engagement.journeys import values
from engagement.journeys.errors import EndpointNotFoundError, JourneyValidationError, TargetNotConfiguredError
from engagement.journeys.routes import EndpointSelector, Route, Upsert
from engagement.masking import mask_address

# The registry (BadRequestException) or DynamoDB itself (ValidationException: e.g. a user id from
# the event over its 1,024-byte key limit) refusing a value the event supplied: permanent.
REFUSALS = frozenset({"BadRequestException", "ValidationException"})
# Registry bookkeeping that is not part of the endpoint object a channel receives.
_NOT_IN_PAYLOAD = frozenset({"Id", "ApplicationId", "CohortId"})


def endpoint_id_for_address(channel: str, address: str) -> str:
    """A stable id for an endpoint created from an address, so a redelivered event reuses it."""
    return hashlib.sha256(f"{channel}:{address.strip().lower()}".encode()).hexdigest()[:32]


def payload_endpoint(endpoint: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in endpoint.items() if key not in _NOT_IN_PAYLOAD}


class EndpointResolver:
    """Resolve a route's endpoints in one application of the endpoint registry."""

    def __init__(self, registry: Any, application_id: str):
        self.registry = registry
        self.application_id = application_id

    def resolve(self, route: Route, detail: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        selector = route.endpoints
        key = values.required_string(selector.path, detail, f"{selector.by.replace('_', ' ')}")
        if selector.by == "endpoint_id":
            found = self._by_endpoint_id(key, route.upsert, detail)
        elif selector.by == "user_id":
            found = self._by_user_id(key, route.upsert, detail)
        else:
            found = self._by_address(selector, key, route.upsert, detail)
        active = {
            e["Id"]: payload_endpoint(e) for e in found if e.get("EndpointStatus", "ACTIVE") == "ACTIVE"
        }
        if not active:
            raise EndpointNotFoundError(f"no ACTIVE endpoint for {_describe(selector, key)}")
        return active

    # -- the three selectors -----------------------------------------------------------------
    def _by_endpoint_id(self, endpoint_id: str, upsert: Upsert | None, detail: Mapping) -> list[dict]:
        if upsert is None or not upsert.create_missing:
            self._get_endpoint(endpoint_id)  # must exist before anything is written
        if upsert is not None:
            self._update(endpoint_id, _endpoint_request(upsert, detail))
        return [self._get_endpoint(endpoint_id)]

    def _by_user_id(self, user_id: str, upsert: Upsert | None, detail: Mapping) -> list[dict]:
        endpoints = self._user_endpoints(user_id)
        request = _endpoint_request(upsert, detail) if upsert is not None else {}
        if request:
            # User attributes are shared by all of a user's endpoints, so one update carries them;
            # endpoint attributes and metrics go to each ACTIVE endpoint.
            targets = [e for e in endpoints if e.get("EndpointStatus", "ACTIVE") == "ACTIVE"] or endpoints[:1]
            if not (request.get("Attributes") or request.get("Metrics")):
                targets = targets[:1]
            for endpoint in targets:
                self._update(endpoint["Id"], request)
            endpoints = self._user_endpoints(user_id)
        return endpoints

    def _by_address(
        self, selector: EndpointSelector, address: str, upsert: Upsert | None, detail: Mapping
    ) -> list[dict]:
        channel = str(selector.channel)
        try:
            with _refusals(f"{channel} address"):
                found = self.registry.find_endpoints_by_address(self.application_id, channel, address)
        except NotImplementedError as error:
            raise TargetNotConfiguredError(f"endpoints cannot be found by address here: {error}") from error
        if upsert is None:
            return found
        if not found and not upsert.create_missing:
            raise EndpointNotFoundError(f"no endpoint for {_describe(selector, address)}")
        # Updating makes the endpoint ACTIVE and others with the address INACTIVE: update one.
        active = [e for e in found if e.get("EndpointStatus", "ACTIVE") == "ACTIVE"]
        chosen = (active or found)[0]["Id"] if found else endpoint_id_for_address(channel, address)
        request = _endpoint_request(upsert, detail)
        if not found:
            request.update(ChannelType=channel, Address=address)
        self._update(chosen, request)
        return [self._get_endpoint(chosen)]

    # -- registry calls with Pinpoint's errors mapped to permanent ones ------------------------
    def _get_endpoint(self, endpoint_id: str) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        try:
            with _refusals("endpoint id"):
                response = self.registry.get_endpoint(
                    ApplicationId=self.application_id, EndpointId=endpoint_id
                )
            return response["EndpointResponse"]
        except ClientError as error:
            if error.response["Error"]["Code"] == "NotFoundException":
                raise EndpointNotFoundError(
                    f"endpoint {endpoint_id!r} not found in application {self.application_id!r}"
                ) from error
            raise

    def _user_endpoints(self, user_id: str) -> list[dict[str, Any]]:
        from botocore.exceptions import ClientError

        try:
            with _refusals("user id"):
                items = self.registry.get_user_endpoints(ApplicationId=self.application_id, UserId=user_id)
        except ClientError as error:
            if error.response["Error"]["Code"] == "NotFoundException":
                items = {}
            else:
                raise
        endpoints = items.get("EndpointsResponse", {}).get("Item", [])
        if not endpoints:
            raise EndpointNotFoundError(
                f"user {user_id!r} has no endpoints in application {self.application_id!r}"
            )
        return endpoints

    def _update(self, endpoint_id: str, request: dict[str, Any]) -> None:
        from botocore.exceptions import ClientError

        try:
            self.registry.update_endpoint(
                ApplicationId=self.application_id, EndpointId=endpoint_id, EndpointRequest=request
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in REFUSALS:
                raise EndpointNotFoundError(
                    f"endpoint {endpoint_id!r} upsert rejected: {error.response['Error'].get('Message')}"
                ) from error
            raise


@contextlib.contextmanager
def _refusals(what: str) -> Iterator[None]:
    """The registry refusing a value taken from the event (``BadRequestException``) is permanent."""
    from botocore.exceptions import ClientError

    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in REFUSALS:
            raise
        message = error.response["Error"].get("Message", "")
        raise JourneyValidationError(f"the event's {what} was refused by the registry: {message}") from error


def _endpoint_request(upsert: Upsert, detail: Mapping[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {}
    if attributes := values.endpoint_attributes(upsert.attributes, detail):
        request["Attributes"] = attributes
    if metric_values := values.metrics(upsert.metrics, detail):
        request["Metrics"] = metric_values
    user: dict[str, Any] = {}
    if upsert.user_id and (user_id := values.search(upsert.user_id, detail)) is not None:
        user["UserId"] = str(user_id)
    if user_attributes := values.endpoint_attributes(upsert.user_attributes, detail):
        user["UserAttributes"] = user_attributes
    if user:
        request["User"] = user
    return request


def _describe(selector: EndpointSelector, key: str) -> str:
    if selector.by == "address":
        return f"{selector.channel} address {mask_address(key)}"
    return f"{selector.by.replace('_', ' ')} {key!r}"
