"""Conditional helpers: Pinpoint's documented examples plus Handlebars.java semantics."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.templating.test_helpers_support import block, call, show

LA = {"City": "Los Angeles", "Country": "US"}


# -- Pinpoint's documented examples ------------------------------------------------


def test_and_block_doc_example():
    yes = block("and", call("eq", LA["City"], "Los Angeles"), call("eq", LA["Country"], "US"), context="c")
    no = block("and", call("eq", "Seattle", "Los Angeles"), call("eq", "US", "US"), context="c")
    assert (yes, no) == ("yes:c", "no:c")


def test_or_block_doc_example():
    assert block("or", call("eq", "Seattle", "Los Angeles"), call("eq", "Seattle", "Seattle")) == "yes:None"
    assert block("or", call("eq", "Boise", "Los Angeles"), call("eq", "Boise", "Seattle")) == "no:None"


@pytest.mark.parametrize(
    ("name", "age", "limit", "expected"),
    [
        ("gt", ["18"], "17", "yes"),  # {{#gt User.UserAttributes.UserAge.[0] "17"}}
        ("gt", ["17"], "17", "no"),
        ("gte", ["18"], "18", "yes"),
        ("gte", ["17"], "18", "no"),
        ("lt", ["17"], "18", "yes"),
        ("lt", ["18"], "18", "no"),
        ("lte", ["17"], "17", "yes"),
        ("lte", ["18"], "17", "no"),
    ],
)
def test_age_comparisons_doc_examples(name, age, limit, expected):
    assert block(name, age[0], limit, context="ctx") == f"{expected}:ctx"
    assert block(name, age, limit, context="ctx") == f"{expected}:ctx"  # the list itself


def test_eq_neq_doc_examples():
    assert block("eq", "red", "red") == "yes:None"
    assert block("eq", "blue", "red") == "no:None"
    assert block("neq", "blue", "red") == "yes:None"
    assert block("neq", "red", "red") == "no:None"


def test_not_doc_example_prints_false_for_red():
    # {{not (eq User.UserAttributes.FavoriteColors.[0] "red")}} "returns false if ... is red"
    assert show("not", call("eq", "red", "red")) == "false"
    assert show("not", call("eq", "blue", "red")) == "true"
    assert block("not", call("eq", "blue", "red")) == "yes:None"


# -- inline form: yes=/no= or true/false (Handlebars.java) --------------------------------


@pytest.mark.parametrize("name", ["eq", "neq", "gt", "gte", "lt", "lte"])
def test_inline_prints_true_false_without_hash(name):
    result = call(name, "2", "1")
    assert result in (True, False)
    assert show(name, "2", "1") == ("true" if result else "false")


def test_inline_yes_no_hash():
    assert call("eq", "a", "a", yes="y", no="n") == "y"
    assert call("eq", "a", "b", yes="y", no="n") == "n"
    assert call("and", "a", "b", "c", "d", yes="y", no="n") == "y"
    assert call("or", "", None, yes="y", no="n") == "n"
    assert call("not", "", yes="y", no="n") == "y"


def test_inline_with_only_yes_falls_back_to_false():
    assert call("eq", "a", "b", yes="y") is False
    assert call("eq", "a", "a", no="n") is True


# -- comparison rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("9", "17", False),  # numeric, not Java's lexicographic "9" > "17"
        ("100", "20", True),
        (" 18 ", "17", True),
        ("18.5", 18, True),
        (18, "17", True),
        ("b", "a", True),  # non-numeric strings compare as text
        ("Apple", "apple", False),  # by UTF-16 code units, upper case first
        ("10", "9a", False),  # one side not numeric: text comparison
        (True, False, True),
    ],
)
def test_gt_rules(a, b, expected):
    assert call("gt", a, b) is expected


def test_strings_compare_by_utf16_code_units_like_java():
    # U+FFFF sorts after U+1F600 in UTF-16 (0xD83D...), before it by code point.
    assert call("gt", "\uffff", "\U0001f600") is True


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("17", 17, True),  # a number equals a numeric string
        (17, 17.0, True),
        ("17", "17.0", False),  # two strings compare as text
        ("007", "7", False),
        (["ana"], "ana", True),  # one-item attribute list
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], "a,b", False),
        (True, "true", False),
        (True, 1, False),
        (None, None, True),
        (None, "", False),
        ("x", 1, False),
    ],
)
def test_eq_rules(a, b, expected):
    assert call("eq", a, b) is expected
    assert call("neq", a, b) is (not expected)


@pytest.mark.parametrize("name", ["gt", "gte", "lt", "lte"])
def test_missing_operand_is_false_not_an_error(name):
    assert call(name, None, "17") is False
    assert call(name, "17", []) is False  # an attribute list with no values
    assert block(name, None, 3) == "no:None"


@pytest.mark.parametrize(("a", "b"), [("abc", 5), ({"a": 1}, "x"), (["a", "b"], "c"), (True, "x")])
def test_incomparable_values_raise_naming_the_helper(a, b):
    with pytest.raises(TypeError, match=r"^gte: cannot compare"):
        call("gte", a, b)


# -- and / or / not truthiness --------------------------------------------------------


@pytest.mark.parametrize("falsy", [None, "", 0, 0.0, False, []])
def test_falsy_values(falsy):
    assert call("and", "x", falsy) is False
    assert call("or", falsy, falsy) is False
    assert call("not", falsy) is True


@pytest.mark.parametrize("truthy", ["false", "0", 1, -1, ["x"], {"a": 1}, True, [""]])
def test_truthy_values(truthy):
    assert call("and", truthy, "y") is True
    assert call("or", None, truthy) is True
    assert call("not", truthy) is False


def test_and_or_accept_many_and_a_single_value():
    assert call("and", 1, 2, 3, 4, 5) is True
    assert call("and", 1, 2, 3, 0, 5) is False
    assert call("or", 0, 0, 0, 0, 1) is True
    assert call("and", "x") is True


# -- argument validation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params"),
    [("eq", ("a",)), ("neq", ("a", "b", "c")), ("gt", ()), ("not", ()), ("not", (1, 2)), ("and", ())],
)
def test_wrong_number_of_arguments(name, params):
    with pytest.raises(TypeError, match=rf"^{name}: expects"):
        call(name, *params)


def test_called_without_options():
    from engagement.templating.helpers import PINPOINT_HELPERS

    with pytest.raises(TypeError, match="eq: called without HelperOptions"):
        PINPOINT_HELPERS["eq"]("a", "b")


# -- properties -----------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@given(finite, finite)
def test_numeric_strings_order_like_numbers(a, b):
    sa, sb = repr(a), repr(b)
    assert call("gt", sa, sb) is (a > b)
    assert call("lte", sa, sb) is (a <= b)
    assert call("eq", a, sb) is (a == b)


@given(st.one_of(finite, st.text()), st.one_of(finite, st.text()))
def test_exactly_one_of_lt_eq_gt_for_same_kinds(a, b):
    if type(a) is not type(b):
        a, b = str(a), str(b)
    outcomes = [call("lt", a, b), call("gt", a, b), call("gte", a, b) and call("lte", a, b)]
    assert outcomes.count(True) == 1


@given(st.lists(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3)), min_size=1))
def test_and_or_not_agree(values):
    assert call("and", *values) is all(call("not", v) is False for v in values)
    assert call("or", *values) is any(call("not", v) is False for v in values)
