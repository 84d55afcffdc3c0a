"""Pydantic v2 models of Pinpoint's endpoint shapes (botocore ``pinpoint`` service model names).

Used at the edges (CSV/JSON import, handler input) to coerce and validate; the registry's hot path
works on plain dicts with ``engagement.endpoints.rules``, which these models also apply, so an
edge and the registry can never disagree on what is valid.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from engagement.endpoints.rules import request_problems

ChannelTypeName = Literal[
    "PUSH", "GCM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "ADM",
    "SMS", "VOICE", "EMAIL", "BAIDU", "CUSTOM", "IN_APP",
]  # fmt: skip
AttributeMap = dict[str, list[str]]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    def to_pinpoint(self) -> dict[str, Any]:
        """The dict boto3's ``pinpoint`` client (and our registry) takes: only fields that were set."""
        return self.model_dump(exclude_none=True, exclude_unset=True)


class EndpointLocation(_Shape):
    City: str | None = None
    Country: str | None = None
    Latitude: float | None = None
    Longitude: float | None = None
    PostalCode: str | None = None
    Region: str | None = None


class EndpointDemographic(_Shape):
    AppVersion: str | None = None
    Locale: str | None = None
    Make: str | None = None
    Model: str | None = None
    ModelVersion: str | None = None
    Platform: str | None = None
    PlatformVersion: str | None = None
    Timezone: str | None = None


class EndpointUser(_Shape):
    UserId: str | None = None
    UserAttributes: AttributeMap | None = None


class EndpointRequest(_Shape):
    """``UpdateEndpoint``'s ``EndpointRequest``; every Pinpoint rule is checked after parsing."""

    Address: str | None = None
    Attributes: AttributeMap | None = None
    ChannelType: ChannelTypeName | None = None
    Demographic: EndpointDemographic | None = None
    EffectiveDate: str | None = None
    EndpointStatus: Literal["ACTIVE", "INACTIVE"] | None = None
    Location: EndpointLocation | None = None
    Metrics: dict[str, float] | None = None
    OptOut: Literal["ALL", "NONE"] | None = None
    RequestId: str | None = None
    User: EndpointUser | None = None

    @model_validator(mode="after")
    def _pinpoint_rules(self) -> Self:
        problems = request_problems(self.to_pinpoint(), batch_item=isinstance(self, EndpointBatchItem))
        if problems:
            raise ValueError("; ".join(problems))
        return self


class EndpointBatchItem(EndpointRequest):
    """One ``EndpointBatchRequest.Item``: an ``EndpointRequest`` with its ``Id``."""

    Id: str


class EndpointResponse(EndpointRequest):
    """What ``get_endpoint`` returns; extra fields Pinpoint may add are kept."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    ApplicationId: str | None = None
    CohortId: str | None = None
    CreationDate: str | None = None
    Id: str | None = None

    @model_validator(mode="after")
    def _pinpoint_rules(self) -> Self:
        return self  # a stored endpoint is what it is; requests are what get validated


# The short names the rest of the project uses.
Location = EndpointLocation
Demographic = EndpointDemographic
User = EndpointUser


def problems_of(error: ValidationError) -> list[str]:
    """``"<field path>: <message>"`` for each problem, the same form as ``rules`` reports."""
    problems = []
    for detail in error.errors(include_url=False):
        path = ".".join(str(part) for part in detail["loc"])
        if not path and detail["type"] == "value_error":
            problems += str(detail["ctx"]["error"]).split("; ")
        else:
            problems.append(f"{path}: {detail['msg']}" if path else detail["msg"])
    return problems
