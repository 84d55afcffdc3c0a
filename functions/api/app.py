"""Pinpoint's HTTP API (API Gateway, IAM auth): SendMessages, SendUsersMessages, endpoints, users,
PutEvents and the email/SMS template routes, in Pinpoint's own REST shape, so a stock
``boto3.client("pinpoint")`` works against it (docs/api.md).

Thin on purpose: settings and services are built at cold start; routing, parsing, validation
and serialization come from botocore's Pinpoint model in ``engagement.api``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from engagement import coldstart  # first: no GC during init
from engagement.api.router import ApiRouter
from engagement.api.services import build_services
from engagement.api.settings import ApiSettings

logger = Logger()
metrics = Metrics()
tracer = coldstart.tracer()

settings = ApiSettings.from_env()
router = ApiRouter(build_services(settings), metrics=metrics)
coldstart.done()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return router.handle(event, context)
