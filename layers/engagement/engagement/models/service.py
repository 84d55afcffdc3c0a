"""Pinpoint's own API model (botocore's ``pinpoint`` service-2.json) as the one source of truth
for request shapes: every feature validates the JSON users bring against it, so an error names
the field exactly as botocore would, and nothing re-describes Pinpoint's shapes by hand.

    from engagement.models.service import validate_request, validate_shape

    validate_request("CreateSegment", {"ApplicationId": app, "WriteSegmentRequest": body})
    validate_shape("WriteCampaignRequest", body)           # a body alone, e.g. from a file

Both raise :class:`engagement.models.errors.BadRequestException` (HTTP 400) whose message lists
every problem botocore's ``ParamValidator`` found, e.g. ``Invalid type for parameter
WriteSegmentRequest.Dimensions.Attributes.plan.Values, value: free, type: <class 'str'>, valid
types: <class 'list'>, <class 'tuple'>``. The model is loaded once per process, on first use,
from the shared session's loader (``engagement.aws``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from engagement.models.errors import BadRequestException

__all__ = ["operation_model", "service_model", "shape", "validate_request", "validate_shape"]


@cache
def service_model() -> Any:
    """botocore's ``ServiceModel`` of Pinpoint (2016-12-01), parsed once per process.

    Read through the process's one loader (``engagement.aws.botocore_session``) with the call
    botocore's ``ClientCreator`` makes, so the loader's cache serves both this model and any
    ``pinpoint`` client of the shared session (Pinpoint mode's registry): ``service-2.json`` is
    parsed once, not once here and once more for the client.
    """
    from botocore.model import ServiceModel

    from engagement.aws import botocore_session

    loader = botocore_session().get_component("data_loader")
    # Same arguments as botocore.client.ClientCreator._load_service_model: the same cache key.
    model = loader.load_service_model("pinpoint", "service-2", api_version=None)
    return ServiceModel(model, service_name="pinpoint")


def operation_model(name: str) -> Any:
    """The ``OperationModel`` of one Pinpoint operation (``"CreateSegment"``, ``"SendMessages"``...)."""
    return service_model().operation_model(name)


def shape(name: str) -> Any:
    """A named shape of the model (``"WriteSegmentRequest"``, ``"EndpointResponse"``...)."""
    return service_model().shape_for(name)


def _raise_for(report: Any, operation: str) -> None:
    if report.has_errors():
        raise BadRequestException(report.generate_report(), operation)


def validate_request(operation: str, params: dict[str, Any]) -> None:
    """Validate a whole request (the keyword arguments of boto3's method) against the model."""
    from botocore.validate import ParamValidator

    input_shape = operation_model(operation).input_shape
    _raise_for(ParamValidator().validate(params, input_shape), operation)


def validate_shape(shape_name: str, value: Any, *, operation: str | None = None) -> None:
    """Validate one body (``WriteJourneyRequest``...) against its shape; field paths start at its name."""
    from botocore.validate import ParamValidator

    validator = ParamValidator()
    # ParamValidator validates a structure of params; wrap the body so paths read "WriteX.Field".
    from botocore.model import StructureShape

    wrapper = StructureShape(
        "Wrapper",
        {"type": "structure", "required": [shape_name], "members": {shape_name: {"shape": shape_name}}},
        shape_resolver=service_model()._shape_resolver,
    )
    _raise_for(validator.validate({shape_name: value}, wrapper), operation or shape_name)
