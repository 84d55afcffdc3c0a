"""Template stores answer like boto3's pinpoint client: same methods, shapes and errors."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from engagement.templating import stores
from engagement.templating.stores import (
    FileTemplateStore,
    PinpointTemplateStore,
    S3TemplateStore,
    TemplateStore,
    build_template_store,
)

REPO = Path(__file__).resolve().parents[3]
EMAIL = {
    "TemplateName": "welcome",
    "TemplateType": "EMAIL",
    "Subject": "Hi {{User.UserAttributes.FirstName}}",
    "HtmlPart": "<p>Hello</p>",
    "TextPart": "Hello",
    "DefaultSubstitutions": '{"User.UserAttributes.FirstName": "there"}',
    "Version": "3",
}


def write(root: Path, name: str, kind: str, document: object) -> None:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{kind}.json").write_text(json.dumps(document))


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_file_store_returns_pinpoint_response_shape(tmp_path):
    write(tmp_path, "welcome", "EMAIL", EMAIL)
    response = FileTemplateStore(tmp_path).get_email_template(TemplateName="welcome")
    body = response["EmailTemplateResponse"]
    assert body["Subject"] == EMAIL["Subject"]
    assert body["DefaultSubstitutions"] == EMAIL["DefaultSubstitutions"]
    # Required members of Pinpoint's model are always there.
    assert body["CreationDate"].endswith("Z") and body["LastModifiedDate"]


def test_file_store_accepts_an_exported_wrapped_response(tmp_path):
    write(tmp_path, "alert", "SMS", {"SMSTemplateResponse": {"Body": "Code {{Attributes.Code}}"}})
    body = FileTemplateStore(tmp_path).get_sms_template(TemplateName="alert")["SMSTemplateResponse"]
    assert body["Body"] == "Code {{Attributes.Code}}"
    assert (body["TemplateName"], body["TemplateType"], body["Version"]) == ("alert", "SMS", "1")


@pytest.mark.parametrize(
    ("method", "kind", "wrapper"),
    [
        ("get_email_template", "EMAIL", "EmailTemplateResponse"),
        ("get_sms_template", "SMS", "SMSTemplateResponse"),
        ("get_push_template", "PUSH", "PushNotificationTemplateResponse"),
        ("get_in_app_template", "INAPP", "InAppTemplateResponse"),
    ],
)
def test_each_type_reads_its_own_file(tmp_path, method, kind, wrapper):
    write(tmp_path, "t", kind, {"TemplateDescription": kind})
    response = getattr(FileTemplateStore(tmp_path), method)(TemplateName="t")
    assert response[wrapper]["TemplateDescription"] == kind


def test_missing_template_is_not_found_client_error(tmp_path):
    write(tmp_path, "welcome", "EMAIL", EMAIL)
    store = FileTemplateStore(tmp_path)
    with pytest.raises(ClientError) as excinfo:
        store.get_sms_template(TemplateName="welcome")
    assert error_code(excinfo) == "NotFoundException"
    assert "SMS template 'welcome'" in str(excinfo.value)
    with pytest.raises(ClientError) as excinfo:
        store.get_email_template(TemplateName="nothing")
    assert error_code(excinfo) == "NotFoundException"


def test_version_must_match_or_exist_under_versions(tmp_path):
    write(tmp_path, "welcome", "EMAIL", EMAIL)
    write(tmp_path / "welcome" / "versions", "2", "EMAIL", {**EMAIL, "Subject": "old", "Version": "2"})
    store = FileTemplateStore(tmp_path)
    current = store.get_email_template(TemplateName="welcome", Version="3")["EmailTemplateResponse"]
    older = store.get_email_template(TemplateName="welcome", Version="2")["EmailTemplateResponse"]
    assert (current["Subject"], older["Subject"]) == (EMAIL["Subject"], "old")
    with pytest.raises(ClientError) as excinfo:
        store.get_email_template(TemplateName="welcome", Version="1")
    assert error_code(excinfo) == "NotFoundException"


@pytest.mark.parametrize("name", ["../secrets", "a/b", "", "x" * 129, "we lcome", "..", "%2e%2e"])
def test_invalid_names_are_rejected_before_any_read(tmp_path, name):
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "EMAIL.json").write_text(json.dumps(EMAIL))
    store = FileTemplateStore(tmp_path / "templates")
    with pytest.raises(ClientError) as excinfo:
        store.get_email_template(TemplateName=name)
    assert error_code(excinfo) == "BadRequestException"


def test_version_cannot_traverse_paths(tmp_path):
    write(tmp_path, "welcome", "EMAIL", EMAIL)
    with pytest.raises(ClientError) as excinfo:
        FileTemplateStore(tmp_path).get_email_template(TemplateName="welcome", Version="../../welcome")
    assert error_code(excinfo) == "BadRequestException"


def test_invalid_json_names_the_file(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "EMAIL.json").write_text("{nope")
    with pytest.raises(ValueError, match=r"broken/EMAIL\.json"):
        FileTemplateStore(tmp_path).get_email_template(TemplateName="broken")


def test_oversized_file_is_refused_without_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(stores, "MAX_TEMPLATE_FILE_BYTES", 100)
    write(tmp_path, "big", "SMS", {"Body": "x" * 200})
    with pytest.raises(ClientError) as excinfo:
        FileTemplateStore(tmp_path).get_sms_template(TemplateName="big")
    assert error_code(excinfo) == "PayloadTooLargeException"


def test_shipped_samples_load(tmp_path):
    store = build_template_store(f"file://{REPO / 'local' / 'templates'}")
    body = store.get_email_template(TemplateName="welcome")["EmailTemplateResponse"]
    assert "{{" in body["HtmlPart"]
    json.loads(body["DefaultSubstitutions"])


# -- factory -------------------------------------------------------------------------------
def test_factory_file_store_relative_and_absolute(tmp_path, monkeypatch):
    write(tmp_path / "tpl", "welcome", "EMAIL", EMAIL)
    monkeypatch.chdir(tmp_path)
    relative = build_template_store("file://tpl")
    absolute = build_template_store(f"file://{tmp_path / 'tpl'}")
    for store in (relative, absolute):
        assert isinstance(store, TemplateStore)
        assert store.get_email_template(TemplateName="welcome")["EmailTemplateResponse"]["Version"] == "3"


def test_factory_s3_store_splits_bucket_and_prefix():
    client = boto3.client("s3", region_name="us-east-1")
    store = build_template_store("s3://bucket/some/prefix/", s3_client=client)
    assert isinstance(store, S3TemplateStore)
    assert (store.bucket, store.prefix) == ("bucket", "some/prefix")


def test_factory_pinpoint_store():
    client = boto3.client("pinpoint", region_name="us-east-1")
    assert isinstance(build_template_store("pinpoint", pinpoint_client=client), PinpointTemplateStore)


@pytest.mark.parametrize("uri", ["", "file://", "s3://", "dynamodb://x", "ftp://x", "PINPOINT2"])
def test_factory_rejects_unknown_uris(uri):
    with pytest.raises(ValueError, match="TEMPLATE_STORE"):
        build_template_store(uri)


# -- S3 (request shapes checked against the real model) --------------------------------------
@pytest.mark.parametrize(
    ("prefix", "key", "s3_code", "expected"),
    [
        # Absent object: "template missing", like Pinpoint.
        ("templates", "templates/welcome/SMS.json", "NoSuchKey", "NotFoundException"),
        # A store outage is not "template missing": it must stay retryable.
        ("", "welcome/SMS.json", "AccessDenied", "AccessDenied"),
    ],
)
def test_s3_store_key_layout_and_error_mapping(prefix, key, s3_code, expected):
    client = boto3.client("s3", region_name="us-east-1")
    store = S3TemplateStore(client, "bucket", prefix)
    with Stubber(client) as stub:
        status = 403 if s3_code == "AccessDenied" else 404
        stub.add_client_error("get_object", s3_code, http_status_code=status,
                              expected_params={"Bucket": "bucket", "Key": key})  # fmt: skip
        with pytest.raises(ClientError) as excinfo:
            store.get_sms_template(TemplateName="welcome")
    assert error_code(excinfo) == expected


# -- Pinpoint (boto3 itself, validated by Stubber) -------------------------------------------
PINPOINT_EMAIL = {
    "EmailTemplateResponse": {
        "TemplateName": "welcome",
        "TemplateType": "EMAIL",
        "CreationDate": "2024-01-01T00:00:00Z",
        "LastModifiedDate": "2024-01-01T00:00:00Z",
        "Subject": "Hi",
        "Version": "2",
    }
}


def test_pinpoint_store_omits_version_when_not_given():
    client = boto3.client("pinpoint", region_name="us-east-1")
    store = PinpointTemplateStore(client)
    with Stubber(client) as stub:
        stub.add_response("get_email_template", PINPOINT_EMAIL, {"TemplateName": "welcome"})
        stub.add_response("get_email_template", PINPOINT_EMAIL, {"TemplateName": "welcome", "Version": "2"})
        store.get_email_template(TemplateName="welcome")
        store.get_email_template(TemplateName="welcome", Version="2")
        stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("method", "wrapper"),
    [
        ("get_sms_template", "SMSTemplateResponse"),
        ("get_push_template", "PushNotificationTemplateResponse"),
        ("get_in_app_template", "InAppTemplateResponse"),
    ],
)
def test_pinpoint_store_delegates_every_type(method, wrapper):
    client = boto3.client("pinpoint", region_name="us-east-1")
    body = {k: v for k, v in PINPOINT_EMAIL["EmailTemplateResponse"].items() if k != "Subject"}
    with Stubber(client) as stub:
        stub.add_response(method, {wrapper: body}, {"TemplateName": "welcome"})
        getattr(PinpointTemplateStore(client), method)(TemplateName="welcome")
        stub.assert_no_pending_responses()
