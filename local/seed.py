"""Local data every handler and sample event expects to find: templates in the bucket, a verified
SES sender, and the sample endpoints (``events/endpoints.csv``) in the registry under the sample
application, so every file in ``events/`` has an effect (``make invoke``, ``make stack``)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from local.stack import REGION, REPO_ROOT, LocalStack

TEMPLATES_DIR = REPO_ROOT / "local" / "templates"


def seed_templates(stack: LocalStack, source: Path = TEMPLATES_DIR, prefix: str = "templates") -> str:
    """Upload ``<source>/<name>/<KIND>.json`` to the templates bucket; return the store URI."""
    import boto3

    bucket = stack.physical_id("TemplatesBucket")
    s3 = boto3.client("s3", region_name=REGION)
    for path in source.glob("*/*.json"):
        s3.put_object(Bucket=bucket, Key=f"{prefix}/{path.parent.name}/{path.name}", Body=path.read_bytes())
    return f"s3://{bucket}/{prefix}"


def verify_sender(stack: LocalStack) -> str:
    """SES only sends from a verified identity: create the sender's address and its domain (moto
    verifies at once), so a campaign's or journey's own From in that domain is sent, as the
    functions' IAM policy allows."""
    import boto3

    sender = stack.function_environment("CustomChannelFunction")["SENDER_EMAIL"]
    ses = boto3.client("sesv2", region_name=REGION)
    for identity in (sender, sender.rpartition("@")[2]):
        with contextlib.suppress(ses.exceptions.AlreadyExistsException):
            ses.create_email_identity(EmailIdentity=identity)
    return sender


# The sample Pinpoint project every sample event in events/ uses.
APPLICATION_ID = "5a7d1c0e9b8f4e2a9d3c6b1a0f8e7d6c"
SAMPLE_ENDPOINTS = REPO_ROOT / "events" / "endpoints.csv"


def seed_endpoints(
    stack: LocalStack, source: Path = SAMPLE_ENDPOINTS, application_id: str = APPLICATION_ID
) -> int:
    """Import the sample endpoints into the local registry (idempotent); return how many."""
    from engagement.endpoints import build_registry
    from engagement.endpoints.transfer import Importer, read_rows

    registry = build_registry(f"dynamodb://{stack.physical_id('EndpointsTable')}")
    problems: list[str] = []
    with source.open(newline="") as stream:
        report = Importer(
            registry, application_id, lambda row, message: problems.append(f"{row}: {message}")
        ).run(read_rows(stream, "csv"))
    if problems:
        raise ValueError(f"{source.name}: " + "; ".join(problems))
    return report.rows_read


def seed(stack: LocalStack) -> None:
    seed_templates(stack)
    verify_sender(stack)
    seed_endpoints(stack)
