"""Engine partials: context/hash, dynamic, inline, partial blocks, indentation, caching."""

from __future__ import annotations

import pytest

from engagement.templating import TemplateError, compile_template, render

CTX = {"Id": "ep-1", "Location": {"City": "Bern"}, "Items": [{"name": "a"}, {"name": "b"}]}


def test_partial_with_context_and_hash() -> None:
    partials = {"loc": "{{City}}{{mark}}", "greet": "{{who}} {{Id}}"}
    assert (
        render("{{> loc Location mark='!'}} {{> greet who='Bo'}}", CTX, partials=partials) == "Bern! Bo ep-1"
    )


def test_partial_sees_data_and_iteration_context() -> None:
    assert render("{{#each Items}}{{> p}}{{/each}}", CTX, partials={"p": "{{@index}}{{name}}"}) == "0a1b"


def test_dynamic_partial_name() -> None:
    helpers = {"pick": lambda name, options: name}
    assert render("{{> (pick 'b')}}", CTX, partials={"b": "B{{Id}}"}, helpers=helpers) == "Bep-1"


def test_standalone_partial_is_indented() -> None:
    assert render("<div>\n  {{> lines}}\n</div>", CTX, partials={"lines": "one\ntwo\n"}) == (
        "<div>\n  one\n  two\n</div>"
    )


def test_inline_partials_and_partial_blocks() -> None:
    assert render('{{#*inline "row"}}<{{name}}>{{/inline}}{{#each Items}}{{> row}}{{/each}}', CTX) == "<a><b>"
    assert render("{{#> missing}}fallback {{Id}}{{/missing}}", CTX) == "fallback ep-1"
    layout = {"layout": "<main>{{> title}}|{{> @partial-block}}</main>"}
    source = '{{#> layout}}{{#*inline "title"}}T{{/inline}}body {{Id}}{{/layout}}'
    assert render(source, CTX, partials=layout) == "<main>T|body ep-1</main>"


def test_missing_partial_is_an_error() -> None:
    with pytest.raises(TemplateError, match="The partial nope could not be found"):
        render("{{> nope}}", CTX)


def test_recursive_partial_is_reported_not_crashing() -> None:
    with pytest.raises(TemplateError, match="recursion"):
        render("{{> me}}", CTX, partials={"me": "x{{> me}}"})


def test_partials_are_compiled_once_per_template() -> None:
    template = compile_template("{{> p}}{{> p}}")
    partials = {"p": "[{{Id}}]"}
    assert template.render(CTX, partials=partials) == "[ep-1][ep-1]"
    assert template.render({"Id": 2}, partials=partials) == "[2][2]"
    assert len(template._partials) == 1
