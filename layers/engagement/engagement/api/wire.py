"""Pinpoint's REST-JSON wire format, read from botocore's model instead of re-described by hand.

For every operation the model gives the HTTP method and request URI
(``POST /v1/apps/{application-id}/messages``), where each input member travels (``uri``,
``querystring``, ``header`` or the JSON payload member) and which output member is the response
body. :func:`routes` turns that into one route per operation, :func:`parse_request` turns an HTTP
request back into boto3's keyword arguments, and :func:`serialize_response` /
:func:`error_response` answer the way Pinpoint does, so a stock ``boto3.client("pinpoint")``
parses the answer (errors carry ``x-amzn-ErrorType``, the header botocore reads the code from).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from engagement.models.errors import BadRequestException
from engagement.models.service import operation_model, service_model

__all__ = [
    "Route",
    "error_body",
    "error_status",
    "parse_request",
    "routes",
    "serialize_response",
    "snake_case",
]

_LABEL = re.compile(r"\{([^}+]+)\+?\}")


@dataclass(frozen=True)
class Route:
    """One operation's route, with the URI labels renamed to Powertools' ``<name>`` syntax."""

    operation: str
    method: str
    rule: str  # "/v1/apps/<application_id>/messages"
    labels: Mapping[str, str]  # Powertools argument name -> URI label ("application-id")


def snake_case(operation: str) -> str:
    """boto3's method name for an operation (``SendUsersMessages`` -> ``send_users_messages``)."""
    from botocore import xform_name

    return xform_name(operation)


def routes() -> list[Route]:
    """Every operation of the model, literal-heavy URIs first so they win over placeholders."""
    found = []
    for name in service_model().operation_names:
        http = operation_model(name).http
        uri = http["requestUri"].split("?", 1)[0]
        labels = {label.replace("-", "_"): label for label in _LABEL.findall(uri)}
        rule = _LABEL.sub(lambda m: "<" + m.group(1).replace("-", "_") + ">", uri)
        found.append(Route(name, http["method"], rule, labels))
    return sorted(found, key=lambda r: (len(r.labels), -len(r.rule), r.rule, r.method))


def parse_request(
    operation: str,
    path: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes | str | None,
) -> dict[str, Any]:
    """boto3's keyword arguments for ``operation`` from the parts of an HTTP request.

    ``path`` maps URI labels (``application-id``) to decoded values, ``query`` holds every value
    of each parameter, ``headers`` are matched case-insensitively. Values are converted to the
    member's type; a value that cannot be is a 400 naming the member.
    """
    shape = operation_model(operation).input_shape
    params: dict[str, Any] = {}
    if shape is None:
        return params
    lower_headers = {k.lower(): v for k, v in headers.items()}
    payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri" and wire in path:
            params[name] = _scalar(operation, name, member, path[wire])
        elif location == "querystring" and wire in query:
            values = query[wire]
            if member.type_name == "list":
                params[name] = [_scalar(operation, name, member.member, v) for v in values]
            else:
                params[name] = _scalar(operation, name, member, values[-1])
        elif location == "header" and wire.lower() in lower_headers:
            params[name] = _scalar(operation, name, member, lower_headers[wire.lower()])
    document = _json_body(operation, body)
    if payload:
        if document is not None:
            params[payload] = _from_json(shape.members[payload], document)
    elif isinstance(document, dict):
        for name, member in shape.members.items():
            if member.serialization.get("location") is None and name in document:
                params[name] = _from_json(member, document[name])
    return params


def serialize_response(operation: str, result: Mapping[str, Any]) -> tuple[int, dict[str, str], str]:
    """Status code, headers and JSON body of a successful call (the output's payload member)."""
    model = operation_model(operation)
    status = int(model.http.get("responseCode", 200))
    shape = model.output_shape
    headers = {"Content-Type": "application/json"}
    if shape is None:
        return status, headers, "{}"
    for name, member in shape.members.items():
        if member.serialization.get("location") == "header" and result.get(name) is not None:
            headers[member.serialization.get("name", name)] = str(result[name])
    payload = shape.serialization.get("payload")
    if payload:
        document = result.get(payload, {})
    else:
        document = {
            name: result[name]
            for name, member in shape.members.items()
            if member.serialization.get("location") is None and name in result
        }
    return status, headers, json.dumps(document, separators=(",", ":"), default=_json_default)


def error_body(code: str, message: str, request_id: str) -> tuple[dict[str, str], str]:
    """Pinpoint's error answer: ``{"Message", "RequestID"}``; botocore reads the code from the header."""
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code, "x-amzn-RequestId": request_id}
    return headers, json.dumps({"Message": message, "RequestID": request_id})


def error_status(code: str) -> int | None:
    """The HTTP status of one of Pinpoint's modelled errors (``NotFoundException`` -> 404)."""
    return _error_statuses().get(code)


@cache
def _error_statuses() -> dict[str, int]:
    return {
        shape.name: int(shape.metadata["error"]["httpStatusCode"]) for shape in service_model().error_shapes
    }


# -- conversions ----------------------------------------------------------------------------
def _scalar(operation: str, name: str, member: Any, raw: str) -> Any:
    kind = member.type_name
    try:
        if kind in ("integer", "long"):
            return int(raw)
        if kind in ("double", "float"):
            return float(raw)
        if kind == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
    except ValueError:
        raise BadRequestException(
            f"Invalid value for parameter {name}: {raw!r} is not a {kind}", operation
        ) from None
    return raw


def _json_body(operation: str, body: bytes | str | None) -> Any:
    if body is None or (isinstance(body, bytes | str) and not body.strip()):
        return None
    try:
        return json.loads(body)
    except ValueError as error:
        raise BadRequestException(f"The request body is not valid JSON: {error}", operation) from None


def _from_json(shape: Any, value: Any) -> Any:
    """JSON to boto3 values: only blobs differ (base64 on the wire, bytes in boto3)."""
    kind = shape.type_name
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value)
        except ValueError:
            return value
    if kind == "structure" and isinstance(value, dict):
        return {k: _from_json(shape.members[k], v) if k in shape.members else v for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_from_json(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _from_json(shape.value, v) for k, v in value.items()}
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
