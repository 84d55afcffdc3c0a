"""End to end: Pinpoint's helper examples rendered through ``engagement.templating.render``."""

from __future__ import annotations

import re

import pytest

from engagement.templating import render
from engagement.templating.errors import HelperError

CTX = {
    "Location": {"City": "Los Angeles", "Country": "US"},
    "User": {
        "UserAttributes": {
            "UserAge": ["18"],
            "Age": ["34"],
            "LastName": ["Alejandro"],
            "FavoriteColors": ["red", "blue", "yellow"],
            "StartDate": ["09/19/2020"],
            "IsUserSubscribed": ["true"],
            "interests": ["<h1>Art</h1>"],
        }
    },
    "Attributes": {"description": ["my first post"], "favorite_colors": ["blue", "red", "green"]},
}

AND_LA = '{{#and (eq Location.City "Los Angeles") (eq Location.Country "US")}}yes{{else}}no{{/and}}'


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (AND_LA, "yes"),
        ('{{#or (eq Location.City "Los Angeles") (eq Location.City "Seattle")}}west{{else}}x{{/or}}', "west"),
        ('{{#gt User.UserAttributes.UserAge.[0] "17"}}old enough{{else}}too young{{/gt}}', "old enough"),
        ('{{#gte User.UserAttributes.UserAge.[0] "18"}}ok{{else}}no{{/gte}}', "ok"),
        ('{{#lt User.UserAttributes.UserAge.[0] "18"}}young{{else}}ok{{/lt}}', "ok"),
        ('{{#eq User.UserAttributes.FavoriteColors.[0] "red"}}red!{{else}}not red{{/eq}}', "red!"),
        ('{{#neq User.UserAttributes.FavoriteColors.[0] "red"}}not red{{else}}red!{{/neq}}', "red!"),
        ('{{not (eq User.UserAttributes.FavoriteColors.[0] "red")}}', "false"),
        ('{{eq Location.Country "US" yes="domestic" no="abroad"}}', "domestic"),
        ("{{abbreviate User.UserAttributes.LastName.[0] 6}}", "Ale..."),
        ("{{capitalize Attributes.description.[0]}}", "My First Post"),
        ("{{capitalizeFirst Attributes.description.[0]}}", "My first post"),
        ('{{capitalizeFirst (lower "JANE")}}', "Jane"),
        ("[{{center Location.City size=19}}]", "[    Los Angeles    ]"),
        ('{{cut Location.City "e"}}', "Los Angls"),
        ('{{inflect 3 "apple" "apples" includeCount=true}}', "3 apples"),
        ('{{join Attributes.favorite_colors ", "}}', "blue, red, green"),
        ("[{{ljust Location.City 15}}]", "[Los Angeles    ]"),
        ("[{{rjust Location.City 15}}]", "[    Los Angeles]"),
        ("{{ordinalize 22}}", "22nd"),
        ('{{replace Location.City " " "_"}}', "Los_Angeles"),
        ("{{slugify Location.City}}", "los-angeles"),
        ("{{stripTags User.UserAttributes.interests.[0]}}", "Art"),
        ("{{substring Location.City 4 9}}", "Angel"),
        ("{{yesno User.UserAttributes.IsUserSubscribed}}", "yes"),
        ("{{add 5 2.3}}", "7.3"),
        ("{{add User.UserAttributes.Age.[0] 1}}", "35"),
        ("{{subtract 5 2.3}} {{multiply 5 2.3}} {{modulo 7 2}}", "2.7 11.5 1"),
        ("{{ceiling 5.23}} {{floor 5.23}} {{round 19.21}}", "6 5 19"),
        ('{{encode64 "Hello World"}}', "SGVsbG8gV29ybGQ="),
        ('{{decode64 "SGVsbG8gd29ybGQ="}}', "Hello world"),
        ('{{sha256 "Hello World"}}', "a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e"),
        (
            '{{dateFormat User.UserAttributes.StartDate.[0] inputFormat="MM/dd/yyyy" '
            'outputFormat="full" tz="America/Los_Angeles"}}',
            "Saturday, September 19, 2020",
        ),
    ],
)
def test_pinpoint_doc_examples(source, expected):
    assert render(source, CTX) == expected


def test_and_else_branch():
    ctx = {"Location": {"City": "Seattle", "Country": "US"}}
    assert render(AND_LA, ctx) == "no"


def test_doc_form_with_unquoted_time_zone_still_prints_the_date():
    # The page writes tz=America/Los_Angeles unquoted; a calendar date in tz prints the same day.
    source = (
        "We can meet with you any time on {{dateFormat User.UserAttributes.StartDate.[0] "
        'inputFormat="MM/dd/yyyy" outputFormat="full" tz=America/Los_Angeles}}.'
    )
    assert render(source, CTX) == "We can meet with you any time on Saturday, September 19, 2020."


def test_helper_output_is_escaped_unless_triple_stashed():
    assert render('{{stripTags "<b>Tom & Jerry</b>"}}', {}) == "Tom &amp; Jerry"
    assert render('{{{stripTags "<b>Tom & Jerry</b>"}}}', {}) == "Tom & Jerry"


def test_block_bodies_see_the_outer_context():
    source = '{{#eq Location.Country "US"}}{{Location.City}}{{else}}elsewhere{{/eq}}'
    assert render(source, CTX) == "Los Angeles"


def test_missing_attributes_print_nothing():
    assert (
        render("[{{upper User.UserAttributes.Nickname.[0]}}{{add User.UserAttributes.Nope.[0] 1}}]", CTX)
        == "[]"
    )
    assert render("{{yesno User.UserAttributes.Nope.[0]}}", CTX) == "maybe"


def test_uuid_and_now_render():
    assert re.fullmatch(r"[0-9a-f-]{36}", render("{{uuid}}", {}))
    assert re.fullmatch(r"\d{4}", render('{{now "yyyy" tz="UTC"}}', {}))


@pytest.mark.parametrize(
    ("source", "helper", "message"),
    [
        ("{{abbreviate Location.City 3}}", "abbreviate", "width must be at least 4"),
        ("{{add Location.City 1}}", "add", "first operand must be a number"),
        ("{{divide 1 0}}", "divide", "by zero"),
        ('{{dateFormat "2020-01-01" tz="Nowhere/Land"}}', "dateFormat", "unknown time zone"),
    ],
)
def test_helper_errors_become_helper_errors(source, helper, message):
    with pytest.raises(HelperError, match=message) as info:
        render(source, CTX)
    assert info.value.helper == helper
