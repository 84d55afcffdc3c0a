"""Engine helpers: options, hash, SafeString, overrides, default Pinpoint helpers, threads."""

from __future__ import annotations

import importlib.util
from concurrent.futures import ThreadPoolExecutor

import pytest

from engagement.templating import HelperOptions, SafeString, compile_template, render


def test_helper_receives_params_hash_and_options() -> None:
    calls = []

    def spy(*args):
        *params, options = args
        calls.append(
            (params, dict(options.hash), options.name, options.is_block, options.line, options.column)
        )
        return "ok"

    assert render("x\n {{spy a 'b' k=c}}", {"a": 1, "c": [2]}, helpers={"spy": spy}) == "x\n ok"
    assert calls == [([1, "b"], {"k": [2]}, "spy", False, 2, 2)]


def test_helper_output_is_escaped_unless_safe() -> None:
    helpers = {"tag": lambda options: "<b>", "safe": lambda options: SafeString("<b>")}
    assert render("{{tag}}{{safe}}{{{tag}}}", {}, helpers=helpers) == "&lt;b&gt;<b><b>"


def test_block_helper_controls_context_data_and_block_params() -> None:
    def repeat(times, options: HelperOptions):
        return "".join(
            options.fn({"n": i}, data={**options.data, "step": i}, block_params=[i * 10])
            for i in range(times)
        )

    source = "{{#repeat 3 as |tens|}}{{n}}/{{@step}}/{{tens}} {{else}}none{{/repeat}}"
    assert render(source, {}, helpers={"repeat": repeat}) == "0/0/0 1/1/10 2/2/20 "


def test_subexpressions_and_js_printing_of_results() -> None:
    helpers = {"half": lambda x, options: x / 2, "items": lambda options: [1, 2.0, None]}
    assert render("{{half 3}} {{half (half 8)}} {{items}}", {}, helpers=helpers) == "1.5 2 1,2,"


def test_overriding_a_builtin_helper() -> None:
    helpers = {"if": lambda cond, options: options.fn(options.context) if cond == "yes" else "nope"}
    assert render("{{#if a}}Y{{/if}}{{#if b}}Y{{/if}}", {"a": "yes", "b": True}, helpers=helpers) == "Ynope"


def test_helpers_shadow_context_values() -> None:
    assert render("{{name}}", {"name": "ctx"}, helpers={"name": lambda options: "helper"}) == "helper"


@pytest.mark.skipif(
    importlib.util.find_spec("engagement.templating.helpers") is None,
    reason="Pinpoint helpers not written yet",
)
def test_pinpoint_helpers_are_registered_by_default() -> None:
    from engagement.templating.helpers import PINPOINT_HELPERS
    from engagement.templating.template import default_helpers

    assert set(PINPOINT_HELPERS) <= set(default_helpers())


def test_templates_render_concurrently() -> None:
    template = compile_template("{{#each items}}{{this}}{{#if @last}}.{{else}},{{/if}}{{/each}}")

    def job(n: int) -> str:
        return template.render({"items": list(range(n))})

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(job, range(200)))
    assert results == [job(n) for n in range(200)]
