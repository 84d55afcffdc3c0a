"""The HTTP API: one Powertools ``APIGatewayRestResolver`` route per Pinpoint operation.

Each request: match the route (botocore's request URI and method), rebuild boto3's keyword
arguments (:func:`engagement.api.wire.parse_request`), validate them against the model
(``validate_request``: a 400 naming the field), call the first registered service with boto3's
method name - once per ``Idempotency-Key`` for sends and events - and serialize the output
shape's payload with the operation's status code. Errors answer Pinpoint's
``{"Message", "RequestID"}`` with the error's status.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from botocore.exceptions import ClientError

from engagement.api import wire
from engagement.api.idempotency import HEADER, OPERATIONS
from engagement.api.services import ApiServices
from engagement.models.errors import NotFoundException
from engagement.models.service import validate_request

logger = Logger(child=True)


class ApiRouter:
    """``handle(event, context)`` for API Gateway REST proxy events."""

    def __init__(self, services: ApiServices, *, metrics: Any = None) -> None:
        self.services = services
        self.metrics = metrics  # Powertools Metrics: one count per operation and per error code
        self.app = APIGatewayRestResolver()
        for route in wire.routes():
            self.app.route(route.rule, method=route.method)(self._endpoint(route))
        self.app.exception_handler(ClientError)(self._client_error)
        self.app.exception_handler(Exception)(self._unexpected)
        self.app.not_found(self._no_route)

    def handle(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        for register in self.services.on_invoke:
            register(context)
        return self.app.resolve(dict(event), context)

    # -- one operation ---------------------------------------------------------------------
    def _endpoint(self, route: wire.Route) -> Any:
        def handler(**path: str) -> Response:
            return self.call(route.operation, {route.labels[name]: value for name, value in path.items()})

        handler.__name__ = route.operation
        return handler

    def call(self, operation: str, path: Mapping[str, str]) -> Response:
        started = time.perf_counter()
        event = self.app.current_event
        method = self.services.find(wire.snake_case(operation))
        if method is None:
            raise NotFoundException(f"{operation} is not served by this backend", operation)
        params = wire.parse_request(
            operation,
            path,
            event.multi_value_query_string_parameters or {},
            dict(event.headers or {}),
            _body(event),
        )
        validate_request(operation, params)
        key = _header(event.headers, HEADER)
        idempotency = self.services.idempotency
        if key and idempotency is not None and operation in OPERATIONS:
            result = idempotency.run(operation, params, key, lambda: method(**params))
        else:
            result = method(**params)
        self._count(operation)
        status, headers, body = wire.serialize_response(operation, result)
        headers["x-amzn-RequestId"] = _request_id(event)
        logger.info(
            "api call",
            extra={
                "operation": operation,
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return Response(status_code=status, body=body, headers=headers)

    # -- errors ----------------------------------------------------------------------------
    def _client_error(self, error: ClientError) -> Response:
        detail = error.response.get("Error", {})
        code, message = str(detail.get("Code", "")), str(getattr(error, "message", detail.get("Message", "")))
        status = getattr(error, "status", None) or wire.error_status(code)
        if status is None:  # a downstream AWS error, not a Pinpoint answer: transient on our side
            logger.warning("downstream error", extra={"code": code})
            status, code, message = 500, "InternalServerErrorException", f"Internal error ({code}); retry"
        logger.info("api error", extra={"code": code, "status": status})
        self._count(code)
        return self._error(int(status), code, message)

    def _unexpected(self, error: Exception) -> Response:
        logger.exception("unexpected error")
        self._count("InternalServerErrorException")
        return self._error(500, "InternalServerErrorException", "Internal server error; retry")

    def _no_route(self, error: Exception) -> Response:
        event = self.app.current_event
        return self._error(
            404, "NotFoundException", f"No Pinpoint operation at {event.http_method} {event.path}"
        )

    def _count(self, name: str) -> None:
        if self.metrics is not None:
            from aws_lambda_powertools.metrics import MetricUnit

            self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)

    def _error(self, status: int, code: str, message: str) -> Response:
        headers, body = wire.error_body(code, message, _request_id(self.app.current_event))
        return Response(status_code=status, body=body, headers=headers)


def _body(event: Any) -> bytes | str | None:
    body = event.body
    if body is not None and event.is_base64_encoded:
        return base64.b64decode(body)
    return body


def _header(headers: Mapping[str, str] | None, name: str) -> str:
    lowered = name.lower()
    return next((str(v) for k, v in (headers or {}).items() if k.lower() == lowered), "")


def _request_id(event: Any) -> str:
    try:
        return str(event.request_context.request_id or uuid.uuid4())
    except (AttributeError, KeyError, TypeError):
        return str(uuid.uuid4())
