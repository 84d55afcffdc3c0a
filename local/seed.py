"""Local data every handler expects to find: templates in the bucket, a verified SES sender."""

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
    """SES only sends from a verified identity: create it (moto verifies at once)."""
    import boto3

    sender = stack.function_environment("CustomChannelFunction")["SENDER_EMAIL"]
    ses = boto3.client("sesv2", region_name=REGION)
    with contextlib.suppress(ses.exceptions.AlreadyExistsException):
        ses.create_email_identity(EmailIdentity=sender)
    return sender


def seed(stack: LocalStack) -> None:
    seed_templates(stack)
    verify_sender(stack)
