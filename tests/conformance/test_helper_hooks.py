"""handlebars.js >= 4.6 refuses ``helperMissing`` / ``blockHelperMissing`` called by name (GH-1558)
while still using them for unknown helpers and context blocks: so do we (issue 10 §4)."""

from __future__ import annotations

from typing import Any

import pytest
from hb_helpers import TEST_HELPERS

from engagement.templating import TemplateError, compile_template
from engagement.templating.errors import UnknownHelperError

pytestmark = pytest.mark.conformance

CONTEXT = {"helperMissing": "V", "blockHelperMissing": "B", "list": [1, 2], "Location": {"City": "Lima"}}
CASES = {
    "mustache": "{{helperMissing}}",
    "block": "{{#helperMissing}}{{/helperMissing}}",
    "block_helper_missing_block": "{{#blockHelperMissing true}}x{{/blockHelperMissing}}",
    "block_helper_missing_mustache": "{{blockHelperMissing}}",
    "with_argument": "{{helperMissing 1}}",
    "literal_segment": "{{[helperMissing]}}",
    "subexpression": "{{#if (helperMissing)}}x{{/if}}",
    "branch_not_taken": "{{#if false}}{{helperMissing}}{{/if}}ok",
    "context_value": "{{this.helperMissing}}/{{lookup this 'blockHelperMissing'}}",
    "as_argument": "{{#if helperMissing}}y{{/if}}{{#with helperMissing}}a{{/with}}",
    "block_param": "{{#each list as |helperMissing|}}{{helperMissing}}{{/each}}",
    "deeper_path": "[{{helperMissing.x}}]",
    "still_used_for_unknown_helpers": "{{nope 1}}",
    "still_used_for_context_blocks": "{{#Location}}{{City}}{{/Location}}{{#list}}{{this}}{{/list}}",
}


@pytest.fixture(scope="module")
def reference(node_render) -> dict[str, dict[str, Any]]:
    results = node_render([{"template": t, "context": CONTEXT, "partials": {}} for t in CASES.values()])
    return dict(zip(CASES, results, strict=True))


@pytest.mark.parametrize("case", CASES)
def test_matches_handlebars_js(reference, case: str) -> None:
    expected = reference[case]
    try:
        ours = compile_template(CASES[case], helpers=TEST_HELPERS).render(CONTEXT)
    except TemplateError as exc:
        assert not expected["ok"], f"we raised {exc!r}; handlebars.js rendered {expected.get('out')!r}"
        return
    assert expected["ok"], f"handlebars.js failed ({expected['error']}); we rendered {ours!r}"
    assert ours == expected["out"]


@pytest.mark.parametrize("case", ["mustache", "block", "block_helper_missing_block", "subexpression"])
def test_calling_a_hook_by_name_names_it(case: str) -> None:
    with pytest.raises(UnknownHelperError, match="elperMissing"):
        compile_template(CASES[case]).render(CONTEXT)
