"""Template writes in the file store, Pinpoint's JSON shapes and versioning (S3: tests/contract)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from engagement.api.templates import TemplateService
from engagement.templating.messages import MessageRenderer
from engagement.templating.stores import FileTemplateStore


@pytest.fixture
def store(tmp_path):
    return FileTemplateStore(tmp_path)


def code(error: pytest.ExceptionInfo) -> str:
    return error.value.response["Error"]["Code"]


def test_create_then_get_answers_pinpoints_response(store):
    created = store.create_email_template(
        TemplateName="hello", EmailTemplateRequest={"Subject": "Hi {{Id}}", "TextPart": "t"}
    )
    assert created["CreateTemplateMessageBody"]["Arn"].endswith("templates/hello/EMAIL")
    body = store.get_email_template(TemplateName="hello")["EmailTemplateResponse"]
    assert body["Subject"] == "Hi {{Id}}" and body["Version"] == "1" and body["TemplateType"] == "EMAIL"
    with pytest.raises(ClientError) as exists:
        store.create_email_template(TemplateName="hello", EmailTemplateRequest={"Subject": "again"})
    assert code(exists) == "BadRequestException"


def test_update_overwrites_or_creates_a_new_version(store):
    store.create_sms_template(TemplateName="otp", SMSTemplateRequest={"Body": "v1 {{Code}}"})
    store.update_sms_template(TemplateName="otp", SMSTemplateRequest={"Body": "v1b"})
    assert store.get_sms_template(TemplateName="otp")["SMSTemplateResponse"]["Body"] == "v1b"
    store.update_sms_template(TemplateName="otp", SMSTemplateRequest={"Body": "v2"}, CreateNewVersion=True)
    assert store.get_sms_template(TemplateName="otp")["SMSTemplateResponse"]["Version"] == "2"
    assert store.get_sms_template(TemplateName="otp", Version="1")["SMSTemplateResponse"]["Body"] == "v1b"
    store.update_sms_template(TemplateName="otp", SMSTemplateRequest={"Body": "old fixed"}, Version="1")
    assert (
        store.get_sms_template(TemplateName="otp", Version="1")["SMSTemplateResponse"]["Body"] == "old fixed"
    )
    assert store.get_sms_template(TemplateName="otp")["SMSTemplateResponse"]["Body"] == "v2"


def test_delete_a_version_or_the_whole_template(store):
    store.create_sms_template(TemplateName="otp", SMSTemplateRequest={"Body": "1"})
    store.update_sms_template(TemplateName="otp", SMSTemplateRequest={"Body": "2"}, CreateNewVersion=True)
    with pytest.raises(ClientError) as current:
        store.delete_sms_template(TemplateName="otp", Version="2")
    assert code(current) == "BadRequestException"
    store.delete_sms_template(TemplateName="otp", Version="1")
    with pytest.raises(ClientError) as gone:
        store.get_sms_template(TemplateName="otp", Version="1")
    assert code(gone) == "NotFoundException"
    store.delete_sms_template(TemplateName="otp")
    with pytest.raises(ClientError) as deleted:
        store.get_sms_template(TemplateName="otp")
    assert code(deleted) == "NotFoundException"


@pytest.mark.parametrize(
    ("name", "request_", "expected"),
    [("bad name!", {"Body": "x"}, "TemplateName"), ("ok", {"Body": "{{#each}}"}, "Body")],
)
def test_invalid_names_and_templates_that_cannot_compile_are_refused(store, name, request_, expected):
    with pytest.raises(ClientError, match=expected) as refused:
        store.create_sms_template(TemplateName=name, SMSTemplateRequest=request_)
    assert code(refused) == "BadRequestException"


def test_updating_a_missing_template_is_404(store):
    with pytest.raises(ClientError) as missing:
        store.update_email_template(TemplateName="nope", EmailTemplateRequest={"Subject": "s"})
    assert code(missing) == "NotFoundException"


def test_the_api_clears_its_renderer_after_a_write(store):
    renderer = MessageRenderer(store)
    service = TemplateService(store, renderer)
    service.create_sms_template(TemplateName="otp", SMSTemplateRequest={"Body": "one"})
    assert renderer.render("otp", "SMS", {}).body == "one"
    service.update_sms_template(TemplateName="otp", SMSTemplateRequest={"Body": "two"})
    assert renderer.render("otp", "SMS", {}).body == "two"
    with pytest.raises(AttributeError):
        service.get_campaign  # noqa: B018 - only the six writes are served here


def test_in_pinpoint_mode_writes_pass_through_to_pinpoint_unchanged():
    import boto3
    from botocore.stub import Stubber

    from engagement.templating.stores import PinpointTemplateStore

    client = boto3.client("pinpoint", region_name="us-east-1")
    request = {"TemplateName": "otp", "SMSTemplateRequest": {"Body": "code"}}
    with Stubber(client) as stub:
        stub.add_response("create_sms_template", {"CreateTemplateMessageBody": {"Message": "ok"}}, request)
        assert PinpointTemplateStore(client).create_sms_template(**request)["CreateTemplateMessageBody"]
    with pytest.raises(AttributeError):
        PinpointTemplateStore(client).create_campaign  # noqa: B018 - not a template write


def test_list_templates_and_their_versions_answer_pinpoints_shapes(store):
    from engagement.models.service import validate_shape

    store.create_email_template(
        TemplateName="welcome", EmailTemplateRequest={"Subject": "s", "TextPart": "t"}
    )
    store.create_sms_template(TemplateName="welcome", SMSTemplateRequest={"Body": "b"})
    store.create_sms_template(
        TemplateName="otp", SMSTemplateRequest={"Body": "v1", "TemplateDescription": "codes"}
    )
    store.update_sms_template(TemplateName="otp", SMSTemplateRequest={"Body": "v2"}, CreateNewVersion=True)
    store.update_sms_template(TemplateName="otp", SMSTemplateRequest={"Body": "v3"}, CreateNewVersion=True)

    listed = store.list_templates()["TemplatesResponse"]
    validate_shape("TemplatesResponse", listed)
    assert [(t["TemplateName"], t["TemplateType"], t["Version"]) for t in listed["Item"]] == [
        ("otp", "SMS", "3"),
        ("welcome", "EMAIL", "1"),
        ("welcome", "SMS", "1"),
    ]
    assert "Body" not in listed["Item"][0]  # an entry describes the template, not its content
    only_sms = store.list_templates(Prefix="wel", TemplateType="SMS")["TemplatesResponse"]["Item"]
    assert [(t["TemplateName"], t["TemplateType"]) for t in only_sms] == [("welcome", "SMS")]
    first = store.list_templates(PageSize="2")["TemplatesResponse"]
    rest = store.list_templates(PageSize="2", NextToken=first["NextToken"])["TemplatesResponse"]
    assert len(first["Item"]) == 2 and len(rest["Item"]) == 1 and "NextToken" not in rest

    versions = store.list_template_versions(TemplateName="otp", TemplateType="SMS")[
        "TemplateVersionsResponse"
    ]
    validate_shape("TemplateVersionsResponse", versions)
    assert [v["Version"] for v in versions["Item"]] == ["3", "2", "1"]
    assert versions["Item"][-1]["TemplateDescription"] == "codes"
    with pytest.raises(ClientError) as missing:
        store.list_template_versions(TemplateName="nope", TemplateType="EMAIL")
    assert code(missing) == "NotFoundException"
    with pytest.raises(ClientError) as bad:
        store.list_template_versions(TemplateName="otp", TemplateType="FAX")
    assert code(bad) == "BadRequestException"


def test_an_older_version_made_active_is_what_sends_render_and_new_versions_follow_the_latest(store):
    store.create_sms_template(TemplateName="promo", SMSTemplateRequest={"Body": "v1"})
    store.update_sms_template(TemplateName="promo", SMSTemplateRequest={"Body": "v2"}, CreateNewVersion=True)
    answer = store.update_template_active_version(
        TemplateName="promo", TemplateType="SMS", TemplateActiveVersionRequest={"Version": "1"}
    )
    assert answer["MessageBody"]["Message"] == "Accepted"
    current = store.get_sms_template(TemplateName="promo")["SMSTemplateResponse"]
    assert (current["Version"], current["Body"]) == ("1", "v1")
    renderer = MessageRenderer(store)
    assert renderer.render("promo", "SMS", {}).body == "v1"
    # No Version: the latest (2) is edited, the active one (1) stays what sends render.
    store.update_sms_template(TemplateName="promo", SMSTemplateRequest={"Body": "v2b"})
    assert store.get_sms_template(TemplateName="promo", Version="2")["SMSTemplateResponse"]["Body"] == "v2b"
    assert store.get_sms_template(TemplateName="promo")["SMSTemplateResponse"]["Body"] == "v1"
    # A new version is numbered after the latest, not after the active one, and becomes active.
    store.update_sms_template(TemplateName="promo", SMSTemplateRequest={"Body": "v3"}, CreateNewVersion=True)
    assert store.get_sms_template(TemplateName="promo")["SMSTemplateResponse"]["Version"] == "3"
    assert store.get_sms_template(TemplateName="promo", Version="2")["SMSTemplateResponse"]["Body"] == "v2b"
    versions = store.list_template_versions(TemplateName="promo", TemplateType="sms")
    assert [v["Version"] for v in versions["TemplateVersionsResponse"]["Item"]] == ["3", "2", "1"]
    with pytest.raises(ClientError) as unknown:
        store.update_template_active_version(
            TemplateName="promo", TemplateType="SMS", TemplateActiveVersionRequest={"Version": "9"}
        )
    assert code(unknown) == "NotFoundException"
