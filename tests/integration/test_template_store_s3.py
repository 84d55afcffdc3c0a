"""The S3 template store against moto's server: the TemplatesBucket from template.yaml."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from engagement.templating.messages import MessageRenderer, TemplateNotFoundError
from engagement.templating.stores import build_template_store

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).resolve().parents[2] / "local" / "templates"
ENDPOINT = json.loads((Path(__file__).resolve().parents[2] / "events" / "endpoint_sample.json").read_text())


@pytest.fixture
def uploaded(local_stack):
    """The shipped samples copied under a fresh prefix of the stack's templates bucket."""
    bucket = local_stack.physical_id("TemplatesBucket")
    prefix = f"templates-{uuid.uuid4().hex[:8]}"
    s3 = boto3.client("s3", region_name="us-east-1")
    for path in SAMPLES.glob("*/*.json"):
        s3.put_object(Bucket=bucket, Key=f"{prefix}/{path.parent.name}/{path.name}", Body=path.read_bytes())
    return s3, bucket, prefix


def test_s3_store_serves_the_samples_in_pinpoint_shape(uploaded):
    _, bucket, prefix = uploaded
    store = build_template_store(f"s3://{bucket}/{prefix}")
    body = store.get_email_template(TemplateName="welcome")["EmailTemplateResponse"]
    expected = json.loads((SAMPLES / "welcome" / "EMAIL.json").read_text())
    assert body["HtmlPart"] == expected["HtmlPart"]
    assert body["TemplateType"] == "EMAIL"
    assert body["LastModifiedDate"].endswith("Z")


def test_s3_store_missing_template_is_not_found(uploaded):
    _, bucket, prefix = uploaded
    store = build_template_store(f"s3://{bucket}/{prefix}")
    with pytest.raises(ClientError) as excinfo:
        store.get_push_template(TemplateName="welcome")
    assert excinfo.value.response["Error"]["Code"] == "NotFoundException"


def test_renderer_over_s3_picks_up_a_new_version_after_clear(uploaded):
    s3, bucket, prefix = uploaded
    renderer = MessageRenderer(build_template_store(f"s3://{bucket}/{prefix}"))
    assert renderer.render("welcome", "SMS", ENDPOINT).body.startswith("Welcome to Example Co, Mary!")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/welcome/SMS.json", Body=json.dumps({"Body": "v2 {{Id}}"}))
    renderer.clear()
    assert renderer.render("welcome", "SMS", ENDPOINT).body == f"v2 {ENDPOINT['Id']}"
    with pytest.raises(TemplateNotFoundError):
        renderer.render("not_uploaded", "SMS", ENDPOINT)
