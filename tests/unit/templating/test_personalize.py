"""Render context: endpoint values, DefaultSubstitutions where missing, Substitutions on top."""

from __future__ import annotations

import copy
import json

import pytest

from engagement.templating.errors import TemplateError
from engagement.templating.personalize import (
    SubstitutionsError,
    build_context,
    parse_default_substitutions,
    parse_path,
)

ENDPOINT = {
    "ChannelType": "EMAIL",
    "Address": "mary.major@example.com",
    "Location": {"City": "Seattle", "Country": "USA"},
    "Attributes": {"CohortId": ["42"]},
    "User": {"UserId": "user-1", "UserAttributes": {"FirstName": ["Mary"]}},
}


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ("User.UserAttributes.FirstName", ("User", "UserAttributes", "FirstName")),
        ("User.UserAttributes.[Last Name].[0]", ("User", "UserAttributes", "Last Name", "0")),
        ("Attributes/OrderId", ("Attributes", "OrderId")),
        ("this.Id", ("Id",)),
        ("[a.b]", ("a.b",)),
    ],
)
def test_parse_path_splits_handlebars_paths(path, segments):
    assert parse_path(path) == segments


@pytest.mark.parametrize("path", ["", "a..b", "a.", "a]b", "a.[b"])
def test_parse_path_rejects_malformed_names(path):
    with pytest.raises(SubstitutionsError):
        parse_path(path)


def test_default_fills_missing_user_attribute_as_a_one_item_list():
    context = build_context(
        {"User": {"UserAttributes": {}}},
        default_substitutions=json.dumps({"User.UserAttributes.FirstName": "there"}),
    )
    # A list prints as its item and also answers ``.[0]``.
    assert context["User"]["UserAttributes"]["FirstName"] == ["there"]


def test_default_does_not_replace_an_endpoint_value():
    context = build_context(ENDPOINT, default_substitutions='{"User.UserAttributes.FirstName": "there"}')
    assert context["User"]["UserAttributes"]["FirstName"] == ["Mary"]


@pytest.mark.parametrize("empty", [[], [""], "", None])
def test_default_replaces_empty_values(empty):
    endpoint = {"Attributes": {"Plan": empty}}
    context = build_context(endpoint, default_substitutions={"Attributes.Plan": "free"})
    assert context["Attributes"]["Plan"] == ["free"]


def test_default_for_standard_field_is_a_plain_string():
    endpoint = {"Location": {"Country": "US"}}
    context = build_context(endpoint, default_substitutions={"Location.City": "your city"})
    assert context["Location"] == {"Country": "US", "City": "your city"}


def test_default_key_with_index_sets_the_list():
    context = build_context({}, default_substitutions={"User.UserAttributes.[Last Name].[0]": "Doe"})
    assert context["User"]["UserAttributes"]["Last Name"] == ["Doe"]


def test_substitutions_override_endpoint_and_defaults():
    context = build_context(
        ENDPOINT,
        default_substitutions={"User.UserAttributes.FirstName": "there", "Location.City": "nowhere"},
        substitutions={"User.UserAttributes.FirstName": ["Ana"], "Location.City": ["Lisbon"]},
    )
    assert context["User"]["UserAttributes"]["FirstName"] == ["Ana"]
    assert context["Location"]["City"] == "Lisbon"


def test_substitution_with_several_values_keeps_the_list():
    context = build_context({}, substitutions={"Location.City": ["a", "b"], "Attributes.Tags": ["x", "y"]})
    assert context["Location"]["City"] == ["a", "b"]
    assert context["Attributes"]["Tags"] == ["x", "y"]


def test_top_level_substitution_name_is_allowed():
    assert build_context({}, substitutions={"Coupon": ["SAVE10"]})["Coupon"] == "SAVE10"


def test_caller_endpoint_is_not_modified():
    endpoint = copy.deepcopy(ENDPOINT)
    build_context(
        endpoint,
        endpoint_id="ep-1",
        default_substitutions={"Attributes.Plan": "free", "Location.PostalCode": "98101"},
        substitutions={"User.UserAttributes.FirstName": ["Ana"]},
    )
    assert endpoint == ENDPOINT


def test_endpoint_id_fills_id_only_when_absent():
    assert build_context({}, endpoint_id="ep-1")["Id"] == "ep-1"
    assert build_context({"Id": "own"}, endpoint_id="ep-1")["Id"] == "own"


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"'])
def test_malformed_default_substitutions_is_a_template_error(raw):
    with pytest.raises(TemplateError, match="DefaultSubstitutions"):
        parse_default_substitutions(raw)


def test_empty_default_substitutions_means_none():
    assert parse_default_substitutions("") == {}
    assert parse_default_substitutions(None) == {}
