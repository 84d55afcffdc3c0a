"""Hypothesis: our escaping equals handlebars.js escapeExpression on generated text.

Each example is a batch of strings sent to Node in one subprocess call.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement.templating import render

pytestmark = pytest.mark.conformance

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_HTMLISH = st.text(alphabet="<>&\"'`=/ ab\n\u00e9\u2028", max_size=20)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(_TEXT, _HTMLISH), min_size=100, max_size=100))
def test_escaping_matches_handlebars_js(node_render, texts: list[str]) -> None:
    expected = [r["out"] for r in node_render([{"escape": t} for t in texts])]
    assert [render("{{x}}", {"x": t}) for t in texts] == expected


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_TEXT, min_size=50, max_size=50))
def test_unescaped_output_matches_handlebars_js(node_render, texts: list[str]) -> None:
    cases = [{"template": "{{{x}}}|{{x}}", "context": {"x": t}} for t in texts]
    expected = [r["out"] for r in node_render(cases)]
    assert [render("{{{x}}}|{{x}}", {"x": t}) for t in texts] == expected
