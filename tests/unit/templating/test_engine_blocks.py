"""Engine blocks: if/unless/else chains, each, with, block params, blockHelperMissing."""

from __future__ import annotations

import pytest

from engagement.templating import render

CTX = {
    "list": ["x", "y", "z"],
    "obj": {"b": 1, "10": "ten", "2": "two"},
    "zero": 0,
    "empty": [],
    "user": {"name": "Al", "tags": ["a", "b"]},
    "flag": True,
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{#if list}}y{{else}}n{{/if}}", "y"),
        ("{{#if empty}}y{{else}}n{{/if}}", "n"),
        ("{{#if zero}}y{{else}}n{{/if}}", "n"),
        ("{{#if zero includeZero=true}}y{{else}}n{{/if}}", "y"),
        ("{{#unless zero}}none{{/unless}}", "none"),
        ("{{#if zero}}a{{else if empty}}b{{else if flag}}c{{else}}d{{/if}}", "c"),
        ("{{#if zero}}a{{else unless flag}}b{{else}}c{{/if}}", "c"),
        ("{{#if zero}}a{{else each list}}{{this}}{{/if}}", "xyz"),
        ("{{^if zero}}inverted{{/if}}", "inverted"),
    ],
)
def test_conditionals(template: str, expected: str) -> None:
    assert render(template, CTX) == expected


def test_each_over_arrays_exposes_data_variables() -> None:
    source = "{{#each list}}{{@index}}{{@key}}{{this}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}},{{/each}}"
    assert render(source, CTX) == "00xF,11y,22zL,"


def test_each_over_objects_uses_javascript_key_order() -> None:
    assert render("{{#each obj}}{{@key}}={{this}}@{{@index}} {{/each}}", CTX) == "2=two@0 10=ten@1 b=1@2 "


def test_each_else_block_params_and_parent_index() -> None:
    assert render("{{#each empty}}x{{else}}none{{/each}}", CTX) == "none"
    assert render("{{#each list as |item i|}}{{i}}{{item}}{{/each}}", CTX) == "0x1y2z"
    nested = "{{#each list}}{{#each ../list}}{{@../index}}{{@index}} {{/each}}{{/each}}"
    assert render(nested, {"list": [1, 2]}) == "00 01 10 11 "


def test_with_and_else() -> None:
    assert render("{{#with user as |u|}}{{u.name}}{{name}}{{/with}}", CTX) == "AlAl"
    assert render("{{#with missing}}x{{else}}none{{/with}}", CTX) == "none"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{#list}}[{{this}}{{@index}}]{{/list}}", "[x0][y1][z2]"),
        ("{{#user}}{{name}}{{/user}}", "Al"),
        ("{{#flag}}on{{/flag}}", "on"),
        ("{{#zero}}<{{this}}>{{/zero}}", "<0>"),
        ("{{#empty}}x{{else}}empty{{/empty}}", "empty"),
        ("{{#missing}}x{{else}}missing{{/missing}}", "missing"),
        ("{{^list}}none{{/list}}{{^empty}}none{{/empty}}", "none"),
    ],
)
def test_block_on_plain_value(template: str, expected: str) -> None:
    assert render(template, CTX) == expected


def test_lookup_and_log() -> None:
    assert render("{{lookup list 1}}|{{#each list}}{{lookup ../list @index}}{{/each}}", CTX) == "y|xyz"
    assert render('{{lookup user "name"}}{{log "ignored" list}}', CTX) == "Al"
