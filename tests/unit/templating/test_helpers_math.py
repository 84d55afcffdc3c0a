"""Math helpers: Pinpoint's documented examples, JS printing, Java/JS rounding and remainders."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.templating.test_helpers_support import call, show


@pytest.mark.parametrize(
    ("name", "params", "printed"),
    [
        ("add", (5, 2.3), "7.3"),
        ("subtract", (5, 2.3), "2.7"),
        ("multiply", (5, 2.3), "11.5"),
        ("modulo", (7, 2), "1"),
        ("ceiling", (5.23,), "6"),
        ("floor", (5.23,), "5"),
        ("round", (19.21,), "19"),
        # Pinpoint's page shows 2.17391304; doubles print all shortest round-trip digits.
        ("divide", (5, 2.3), "2.173913043478261"),
    ],
)
def test_doc_examples(name, params, printed):
    assert show(name, *params) == printed


def test_results_are_floats_that_print_js_style():
    assert call("add", 4, 4) == 8.0
    assert show("add", 4, 4) == "8"
    assert show("add", 0.1, 0.2) == "0.30000000000000004"
    assert show("multiply", 1e21, 10) == "1e+22"


@pytest.mark.parametrize(
    ("params", "printed"),
    [
        ((["34"], 1), "35"),  # {{add User.UserAttributes.Age.[0] 1}} without the index
        (("34", "1"), "35"),
        ((" 2.5 ", "0.5"), "3"),
        (("1e3", 1), "1001"),
        (("-4", 1), "-3"),
    ],
)
def test_numeric_strings_and_attribute_lists(params, printed):
    assert show("add", *params) == printed


@pytest.mark.parametrize(
    ("a", "b", "printed"), [(-7, 2, "-1"), (7, -2, "1"), (5.5, 2, "1.5"), (-0.5, 1, "-0.5")]
)
def test_modulo_keeps_the_dividends_sign_like_java_and_js(a, b, printed):
    assert show("modulo", a, b) == printed


@pytest.mark.parametrize(
    ("value", "printed"),
    [(2.5, "3"), (-2.5, "-2"), (-2.6, "-3"), (0.49999999999999994, "0"), ("1.5", "2"), (7, "7")],
)
def test_round_half_up_like_math_round(value, printed):
    assert show("round", value) == printed


@pytest.mark.parametrize(("name", "value", "printed"), [("ceiling", -1.5, "-1"), ("floor", -1.5, "-2")])
def test_ceiling_floor_negative(name, value, printed):
    assert show(name, value) == printed


@pytest.mark.parametrize("name", ["divide", "modulo"])
def test_division_by_zero_is_an_error(name):
    with pytest.raises(ValueError, match=f"^{name}: cannot .* zero"):
        call(name, 5, "0")


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "modulo"])
def test_non_numbers_are_rejected(name):
    with pytest.raises(ValueError, match=f"^{name}: second operand must be a number, got 'abc'"):
        call(name, 1, "abc")
    with pytest.raises(TypeError, match=f"^{name}: first operand must be a number, got a boolean"):
        call(name, True, 1)
    with pytest.raises(TypeError, match=f"^{name}: expects 2 arguments, got 1"):
        call(name, 1)


@pytest.mark.parametrize("name", ["ceiling", "floor", "round"])
def test_unary_validation(name):
    with pytest.raises(ValueError, match=f"^{name}: value must be a number"):
        call(name, "five")
    with pytest.raises(TypeError, match=f"^{name}: value must be a number, got a list of 2 items"):
        call(name, ["1", "2"])
    with pytest.raises(TypeError, match=f"^{name}: expects 1 argument, got 2"):
        call(name, 1, 2)


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "modulo"])
def test_missing_operand_prints_nothing(name):
    assert show(name, None, 2) == ""
    assert show(name, 2, []) == ""


def test_infinite_inputs_pass_through():
    assert show("add", "Infinity", 1) == "Infinity"
    assert show("floor", "-Infinity") == "-Infinity"


numeric_strings = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)


@given(numeric_strings, numeric_strings)
def test_binary_helpers_never_raise_on_numeric_strings(a, b):
    for name in ("add", "subtract", "multiply"):
        assert isinstance(call(name, a, b), float)
    if float(b) != 0:
        assert isinstance(call("divide", a, b), float)
        assert isinstance(call("modulo", a, b), float)


@given(numeric_strings)
def test_rounding_helpers_bracket_the_value(a):
    value = float(a)
    low, high, near = call("floor", a), call("ceiling", a), call("round", a)
    assert low <= value <= high
    assert low <= near <= high
    assert math.isfinite(near) and near.is_integer()


@given(st.floats(-1e9, 1e9), st.floats(-1e9, 1e9))
def test_add_matches_float_addition(a, b):
    assert call("add", repr(a), b) == a + b
    assert call("add", a, b) == call("add", b, a)
