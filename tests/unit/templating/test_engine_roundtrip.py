"""Property tests that need no Node: unescaped output round-trips, escaping is total."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engagement.templating import render

_ESCAPED = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#x27;",
    "`": "&#x60;",
    "=": "&#x3D;",
}


@given(st.text())
def test_triple_stash_round_trips_any_text(text: str) -> None:
    assert render("{{{x}}}", {"x": text}) == text
    assert render("{{& x}}", {"x": text}) == text


@given(st.text())
def test_double_stash_escapes_exactly_the_seven_characters(text: str) -> None:
    assert render("{{x}}", {"x": text}) == "".join(_ESCAPED.get(ch, ch) for ch in text)


@given(st.text(alphabet=st.characters(blacklist_characters="{}\\")))
def test_text_without_mustaches_is_copied(text: str) -> None:
    assert render(text, {}) == text
