"""String helpers: Pinpoint's documented examples plus Handlebars.java/Commons semantics."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.templating.test_helpers_support import call

# -- Pinpoint's documented examples ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "hash_", "expected"),
    [
        ("abbreviate", (["Alejandro"][0], 6), {}, "Ale..."),
        ("capitalize", ("my first post",), {}, "My First Post"),
        ("capitalizeFirst", ("my first post",), {}, "My first post"),
        ("center", ("Los Angeles",), {"size": 19}, "    Los Angeles    "),
        ("cut", ("Los Angeles", "e"), {}, "Los Angls"),
        ("inflect", (3, "apple", "apples"), {"includeCount": False}, "apples"),
        ("inflect", (3, "apple", "apples"), {"includeCount": True}, "3 apples"),
        ("join", (["blue", "red", "green"], ", "), {}, "blue, red, green"),
        ("ljust", ("Los Angeles", 15), {}, "Los Angeles    "),
        ("lower", ("Santos",), {}, "santos"),
        ("ordinalize", ("22",), {}, "22nd"),
        ("replace", ("Los Angeles", " ", "_"), {}, "Los_Angeles"),
        ("rjust", ("Los Angeles", 15), {}, "    Los Angeles"),
        ("slugify", ("Los Angeles",), {}, "los-angeles"),
        ("stripTags", ("<h1>Art</h1>",), {}, "Art"),
        ("substring", ("Los Angeles", 4, 9), {}, "Angel"),
        ("upper", ("Roe",), {}, "ROE"),
        ("yesno", (True,), {}, "yes"),
    ],
)
def test_doc_examples(name, params, hash_, expected):
    assert call(name, *params, **hash_) == expected


def test_nested_doc_example():
    # {{capitalizeFirst (lower "JANE")}} -> Jane
    assert call("capitalizeFirst", call("lower", "JANE")) == "Jane"


def test_attribute_lists_stand_for_their_item():
    assert call("abbreviate", ["Alejandro"], 6) == "Ale..."
    assert call("upper", ["Roe"]) == "ROE"
    assert call("yesno", ["true"]) == "yes"


# -- Handlebars.java / Commons semantics --------------------------------------------


@pytest.mark.parametrize(
    ("value", "width", "expected"),
    [
        ("Handlebars rocks", 13, "Handlebars..."),
        ("abcdefg", 7, "abcdefg"),
        ("abcdefg", 6, "abc..."),
        ("abcdefg", 4, "a..."),
        (12345678, 5, "12..."),
    ],
)
def test_abbreviate(value, width, expected):
    assert call("abbreviate", value, width) == expected


@pytest.mark.parametrize("width", [0, 3])
def test_abbreviate_width_below_four_is_an_error_like_commons(width):
    with pytest.raises(ValueError, match="abbreviate: width must be at least 4"):
        call("abbreviate", "abcdef", width)


def test_abbreviate_negative_width_is_an_error():
    with pytest.raises(ValueError, match="abbreviate: width must not be negative"):
        call("abbreviate", "abcdef", -1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("i am FINE", "I Am FINE"),
        ("  two  spaces", "  Two  Spaces"),
        ("tab\tnew\nline", "Tab\tNew\nLine"),
        ("o'neil mc-donald", "O'neil Mc-donald"),  # only whitespace separates words
        ("nbsp\u00a0kept", "Nbsp\u00a0kept"),  # Java: no-break space is not whitespace
        ("ßtraße", "ßtraße"),  # title case of ß is ß in Java (single-char mapping)
        ("ǆemal", "ǅemal"),  # title case, not upper case
    ],
)
def test_capitalize_words(value, expected):
    assert call("capitalize", value) == expected


def test_capitalize_fully():
    assert call("capitalize", "i am FINE", fully=True) == "I Am Fine"
    assert call("capitalize", "i am FINE", fully="true") == "I Am Fine"
    with pytest.raises(ValueError, match="capitalize: fully must be true or false"):
        call("capitalize", "x", fully="yes")


def test_capitalize_first_only_touches_the_first_character():
    assert call("capitalizeFirst", "handlebars.java") == "Handlebars.java"
    assert call("capitalizeFirst", "hELLO") == "HELLO"
    assert call("capitalizeFirst", "1abc") == "1abc"


@pytest.mark.parametrize(
    ("value", "size", "pad", "expected"),
    [
        ("Handlebars.java", 19, " ", "  Handlebars.java  "),
        ("ab", 5, " ", " ab  "),  # the extra pad goes right (StringUtils.center)
        ("ab", 8, "xyz", "xyzabxyz"),  # right side restarts the pad cycle
        ("abc", 2, "*", "abc"),
        ("ab", 4, "", " ab "),  # an empty pad means a space
        ("", 4, "*", ""),  # a missing value prints nothing
    ],
)
def test_center(value, size, pad, expected):
    assert call("center", value, size=size, pad=pad) == expected


def test_center_accepts_a_positional_width():
    assert call("center", "ab", 6, pad="-") == "--ab--"


def test_ljust_rjust_pad_and_size_hash():
    assert call("ljust", "Handlebars.java", 20) == "Handlebars.java     "
    assert call("rjust", "Handlebars.java", size=20) == "     Handlebars.java"
    assert call("rjust", "7", 3, pad="0") == "007"
    assert call("ljust", "ab", 7, pad="12") == "ab12121"
    assert call("rjust", "ab", 7, pad="12") == "12121ab"


@pytest.mark.parametrize("name", ["center", "ljust", "rjust"])
def test_padding_helpers_need_a_width(name):
    with pytest.raises(TypeError, match=f"{name}: needs a width"):
        call(name, "abc")
    with pytest.raises(ValueError, match=f"{name}: width must not be negative"):
        call(name, "abc", -3)
    with pytest.raises(ValueError, match=f"{name}: width must be a whole number"):
        call(name, "abc", 2.5)


def test_cut_defaults_to_spaces():
    assert call("cut", "String with spaces") == "Stringwithspaces"
    assert call("cut", "a--b--c", "--") == "abc"


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "apple"), ("1", "apple"), (["1"], "apple"), (0, "apples"), (2, "apples"), (1.5, "apples")],
)
def test_inflect(count, expected):
    assert call("inflect", count, "apple", "apples") == expected


def test_inflect_include_count_prints_js_numbers():
    assert call("inflect", "1.0", "apple", "apples", includeCount=True) == "1 apple"
    assert call("inflect", 2.5, "kg", "kgs", includeCount="true") == "2.5 kgs"


def test_inflect_errors():
    with pytest.raises(ValueError, match="inflect: count must be a number"):
        call("inflect", "many", "apple", "apples")
    with pytest.raises(TypeError, match="inflect: the plural form is missing"):
        call("inflect", 2, "apple", None)


def test_join_prefix_suffix_and_separate_values():
    assert call("join", ["a", "b", "c"], " // ", prefix="<", suffix=">") == "<a // b // c>"
    assert call("join", "a", "b", "c", " // ") == "a // b // c"
    assert call("join", [1, 2.5, None, True], "|") == "1|2.5||true"
    assert call("join", [], ", ") == ""
    assert call("join", None, ", ", prefix="x") == ""


def test_join_separator_must_be_a_string():
    with pytest.raises(TypeError, match=r"join: the separator \(last argument\) must be a string"):
        call("join", ["a"], 1)
    with pytest.raises(TypeError, match="join: expects at least 2 arguments"):
        call("join", ["a"])


def test_lower_upper_unicode():
    assert call("upper", "straße") == "STRASSE"
    assert call("lower", "ΟΔΟΣ") == "οδος"
    assert call("upper", 1.5) == "1.5"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
        (21, "21st"), (101, "101st"), (111, "111th"), (112, "112th"), (0, "0th"), ("5.0", "5th"),
    ],
)  # fmt: skip
def test_ordinalize(n, expected):
    assert call("ordinalize", n) == expected


def test_ordinalize_rejects_non_numbers_and_fractions():
    with pytest.raises(ValueError, match="ordinalize: value must be a number"):
        call("ordinalize", "first")
    with pytest.raises(ValueError, match="ordinalize: value must be a whole number"):
        call("ordinalize", "2.5")


def test_replace_is_literal_and_replaces_all():
    assert call("replace", "a.b.c", ".", "*") == "a*b*c"
    assert call("replace", "Handlebars ...", "...", "rocks") == "Handlebars rocks"
    assert call("replace", "a1b1", 1, 2) == "a2b2"
    with pytest.raises(TypeError, match="replace: expects 3 arguments"):
        call("replace", "abc", "b")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Joel is a slug", "joel-is-a-slug"),
        ("  trimmed  ", "trimmed"),
        ("Route 66!", "route-"),  # Handlebars.java keeps letters only: digits go too
        ("Crème Brûlée", "crème-brûlée"),
        ("a\tb\nc", "a-b-c"),
        ("two  spaces", "two--spaces"),
    ],
)
def test_slugify_follows_handlebars_java(value, expected):
    assert call("slugify", value) == expected


def test_strip_tags():
    assert call("stripTags", '<p class="x">Hi <b>there</b></p>') == "Hi there"
    assert call("stripTags", "<a\nhref='#'>multi\nline</a>") == "multi\nline"
    assert call("stripTags", "a &amp; b") == "a &amp; b"


def test_substring():
    assert call("substring", "Handlebars.java", 11) == "java"
    assert call("substring", "Handlebars.java", 0, 10) == "Handlebars"
    assert call("substring", "Ana", 0, 5) == "Ana"  # clamped, where Java would throw
    assert call("substring", "Ana", 4) == ""
    with pytest.raises(ValueError, match="substring: start offset 5 is after end offset 2"):
        call("substring", "Los Angeles", 5, 2)
    with pytest.raises(ValueError, match="substring: start offset must not be negative"):
        call("substring", "Los Angeles", -1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "yes"),
        (False, "no"),
        (None, "maybe"),
        ("TRUE", "yes"),
        (["false"], "no"),
        ("", "maybe"),
        ([], "maybe"),
    ],
)
def test_yesno(value, expected):
    assert call("yesno", value) == expected
    assert call("yesno", value, yes="Y", no="N", maybe="?") == {"yes": "Y", "no": "N", "maybe": "?"}[expected]


def test_yesno_rejects_other_values():
    with pytest.raises(ValueError, match="yesno: value must be true or false"):
        call("yesno", "sometimes")


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("abbreviate", (None, 6)),
        ("capitalize", ("",)),
        ("capitalizeFirst", ([],)),
        ("cut", (None, "e")),
        ("lower", (None,)),
        ("ljust", (None, 5)),
        ("slugify", (None,)),
        ("substring", (None, 1)),
        ("ordinalize", (None,)),
        ("inflect", (None, "a", "b")),
    ],
)
def test_missing_value_prints_nothing(name, params):
    assert call(name, *params) == ""


def test_objects_are_rejected_with_the_helper_name():
    with pytest.raises(TypeError, match="upper: value must be a string or number, got an object"):
        call("upper", {"a": 1})
    with pytest.raises(TypeError, match="lower: value must be a string or number, got a list of 2"):
        call("lower", ["a", "b"])


# -- properties -----------------------------------------------------------------------

widths = st.integers(min_value=0, max_value=60)
pads = st.text(max_size=3)


@given(st.text(min_size=1), widths, pads)
def test_padding_length_invariants(value, width, pad):
    for name in ("ljust", "rjust", "center"):
        out = call(name, value, width, pad=pad)
        assert len(out) == max(len(value), width)
        assert value in out
    assert call("ljust", value, width, pad=pad).startswith(value)
    assert call("rjust", value, width, pad=pad).endswith(value)


@given(st.text(min_size=1), st.integers(min_value=4, max_value=50))
def test_abbreviate_never_exceeds_width(value, width):
    out = call("abbreviate", value, width)
    assert len(out) <= width
    assert out == value or (out.endswith("...") and value.startswith(out[:-3]))


@given(st.text())
def test_slugify_alphabet(value):
    out = call("slugify", value)
    assert all(ch == "-" or ch.isalpha() for ch in out)
    assert out == out.lower() or any(not ch.isascii() for ch in out)


@given(st.text(), st.integers(0, 30), st.integers(0, 30))
def test_substring_is_a_slice(value, start, length):
    if not value:
        return
    assert call("substring", value, start, start + length) == value[start : start + length]


@given(st.text())
def test_capitalize_keeps_length_and_words(value):
    out = call("capitalize", value)
    assert len(out) == len(value)
    assert call("lower", out) == call("lower", value) or not value.isascii()


@given(st.text(), st.characters())
def test_cut_removes_every_occurrence(value, remove):
    assert remove not in call("cut", value, remove)
