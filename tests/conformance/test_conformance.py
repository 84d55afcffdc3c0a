"""Differential tests: our engine must render exactly what handlebars.js 4.7.8 renders."""

from __future__ import annotations

import json
from typing import Any

import pytest
from corpus import CASES, ESCAPE_SAMPLES
from hb_helpers import TEST_HELPERS

from engagement.templating import TemplateError, compile_template
from engagement.templating.values import escape_expression

pytestmark = pytest.mark.conformance


def _as_json(value: Any) -> Any:
    """What Node sees after JSON.parse; Python keeps the same JSON types."""
    return json.loads(json.dumps(value))


@pytest.fixture(scope="session")
def reference(node_render) -> dict[str, dict[str, Any]]:
    batch = [{"template": t, "context": _as_json(c), "partials": p or {}} for _, t, c, p in CASES]
    results = node_render(batch)
    return {case[0]: result for case, result in zip(CASES, results, strict=True)}


def test_corpus_is_large_and_unique() -> None:
    ids = [case[0] for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 150


@pytest.mark.parametrize(
    ("template", "context", "partials"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_matches_handlebars_js(request, reference, template: str, context: Any, partials: Any) -> None:
    expected = reference[request.node.callspec.id]
    try:
        ours = compile_template(template, helpers=TEST_HELPERS).render(_as_json(context), partials=partials)
    except TemplateError as exc:
        assert not expected["ok"], f"we raised {exc!r}; handlebars.js rendered {expected.get('out')!r}"
        return
    assert expected["ok"], f"handlebars.js failed ({expected['error']}); we rendered {ours!r}"
    assert ours == expected["out"]


def test_escape_samples(node_render) -> None:
    results = node_render([{"escape": s} for s in ESCAPE_SAMPLES])
    assert [escape_expression(s) for s in ESCAPE_SAMPLES] == [r["out"] for r in results]
