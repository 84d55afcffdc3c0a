"""Engine syntax: paths, literals, escaping, comments, raw blocks, whitespace control."""

from __future__ import annotations

import pytest

from engagement.templating import SafeString, compile_template, render

ENDPOINT = {
    "Id": "ep-1",
    "User": {"UserAttributes": {"FirstName": ["ana"], "Last Name": ["Ng"]}},
    "Metrics": {"age": 34.0, "ratio": 0.1, "big": 12345678901234567890},
    "Items": [{"name": "a"}, {"name": "b"}],
    "html": "<b class=\"x\">'&'`=</b>",
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{User.UserAttributes.FirstName}}", "ana"),
        ("{{User/UserAttributes/FirstName}}", "ana"),
        ("{{User.UserAttributes.[Last Name]}}", "Ng"),
        ("{{User.UserAttributes.FirstName.[0]}}", "ana"),
        ("{{Items.length}}", "2"),
        ("{{Id.length}}", "4"),
        ("{{Nope.deeper}}|{{Id.nope}}", "|"),
        ("{{#with User}}{{this.UserAttributes.FirstName}}{{/with}}", "ana"),
        ("{{#each Items}}{{name}}{{../Id}}{{/each}}", "aep-1bep-1"),
        ("{{#each Items}}{{@root.Id}}{{/each}}", "ep-1ep-1"),
    ],
)
def test_paths(template: str, expected: str) -> None:
    assert render(template, ENDPOINT) == expected


def test_python_attributes_are_never_visible() -> None:
    assert (
        render("{{x.__class__}}{{x.upper}}{{items.append}}{{d.keys}}", {"x": "s", "items": [], "d": {}}) == ""
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{Metrics.age}}", "34"),
        ("{{Metrics.ratio}}", "0.1"),
        ("{{Metrics.big}}", "12345678901234567000"),
        ("{{Items.0.name}}", "a"),
        ("{{flags}}", "true,false"),
        ("{{nested}}", "1,2,,3"),
        ("{{obj}}", "[object Object]"),
        ("{{none}}", ""),
    ],
)
def test_values_print_like_javascript(template: str, expected: str) -> None:
    context = {
        **ENDPOINT,
        "flags": [True, False],
        "nested": [[1, 2], None, [3]],
        "obj": {"a": 1},
        "none": None,
    }
    assert render(template, context) == expected


def test_html_escaping_matches_handlebars() -> None:
    assert (
        render("{{html}}", ENDPOINT)
        == "&lt;b class&#x3D;&quot;x&quot;&gt;&#x27;&amp;&#x27;&#x60;&#x3D;&lt;/b&gt;"
    )
    assert render("{{{html}}}", ENDPOINT) == ENDPOINT["html"]
    assert render("{{& html}}", ENDPOINT) == ENDPOINT["html"]
    assert render("{{s}}", {"s": SafeString("<i>ok</i>")}) == "<i>ok</i>"


def test_literals_reach_helpers_with_js_types() -> None:
    seen = []

    def spy(*args):
        seen.append(args[:-1])
        return ""

    render("{{spy \"d\" 's' 1 2.5 -1 -0.25 true false null undefined}}", {}, helpers={"spy": spy})
    assert seen == [("d", "s", 1, 2.5, -1, -0.25, True, False, None, None)]


def test_comments_and_escaped_mustaches() -> None:
    assert render("a{{! x }}b{{!-- {{y}} }} --}}c", {}) == "abc"
    assert render("\\{{Id}} {{Id}}", ENDPOINT) == "{{Id}} ep-1"
    assert render("\\\\{{Id}}", ENDPOINT) == "\\ep-1"


def test_raw_block_keeps_mustaches() -> None:
    source = "{{{{raw}}}} {{Id}} {{#if}} {{{{/raw}}}}"
    assert render(source, ENDPOINT, helpers={"raw": lambda options: options.fn()}) == " {{Id}} {{#if}} "


def test_whitespace_control_and_standalone_lines() -> None:
    assert render("a  {{~Id~}}  b", ENDPOINT) == "aep-1b"
    source = "<ul>\n  {{#each Items}}\n  <li>{{name}}</li>\n  {{/each}}\n</ul>\n"
    assert render(source, ENDPOINT) == "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n"
    assert render("{{#if x}}\n  yes\n{{else}}\n  no\n{{/if}}\n", {}) == "  no\n"
    assert render("a\n  {{! note }}\nb", {}) == "a\nb"


def test_template_is_reusable_and_keeps_source() -> None:
    template = compile_template("Hi {{name}}")
    assert [template.render({"name": n}) for n in ("a", "b")] == ["Hi a", "Hi b"]
    assert template.source == "Hi {{name}}"
