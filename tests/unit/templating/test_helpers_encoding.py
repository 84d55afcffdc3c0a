"""Encoding helpers: digests and Base64 of UTF-8 text, random UUIDs."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagement.templating.values import SafeString, escape_expression
from tests.unit.templating.test_helpers_support import call

HELLO_SHA512 = (
    "2c74fd17edafd80e8447b0d46741ee243b7eb74dd2149a0ab1b9246fb30382f2"
    "7e853d8585719e0e67cbda0daa8f51671064615d645ae27acb15bfb1447f459b"
)


def test_doc_examples():
    assert call("sha256", "Hello World") == "a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e"
    assert call("sha512", "Hello World") == HELLO_SHA512


def test_doc_examples_that_mix_up_hello_world_and_hello_world():
    # Pinpoint's page prints md5/encode64 of "Hello world" (lower-case w) for "Hello World".
    assert call("md5", "Hello world") == "3e25960a79dbc69b674cd4ec67a72c62"
    assert call("md5", "Hello World") == "b10a8db164e0754105b7a99be72e3fe5"
    assert call("decode64", "SGVsbG8gd29ybGQ=") == "Hello world"
    assert call("encode64", "Hello World") == "SGVsbG8gV29ybGQ="


def test_encode64_is_html_safe_so_padding_prints_as_is():
    assert isinstance(call("encode64", "a"), SafeString)
    assert escape_expression(call("encode64", "a")) == "YQ=="


def test_utf8_and_numbers():
    assert call("encode64", "café") == "Y2Fmw6k="
    assert call("md5", "") == ""  # a missing value prints nothing
    assert call("md5", 1.0) == call("md5", "1")  # numbers print JS-style first
    assert call("sha256", ["abc"]) == call("sha256", "abc")


@pytest.mark.parametrize("encoded", ["Y2Fmw6k=", "Y2Fmw6k", "Y2Fm\nw6k=", "Y2Fmw6k="])
def test_decode64_tolerates_missing_padding_and_line_breaks(encoded):
    assert call("decode64", encoded) == "café"


def test_decode64_accepts_url_safe_alphabet():
    assert call("decode64", "Pz8-") == call("decode64", "Pz8+") == "??>"


@pytest.mark.parametrize(("value", "problem"), [("not base64!", "valid Base64"), ("/w==", "UTF-8 text")])
def test_decode64_errors(value, problem):
    with pytest.raises(ValueError, match=f"^decode64: value is not {problem}"):
        call("decode64", value)


def test_uuid_is_random_version_4():
    first, second = call("uuid"), call("uuid")
    pattern = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    assert re.fullmatch(pattern, first)
    assert first != second
    with pytest.raises(TypeError, match="uuid: expects 0 arguments, got 1"):
        call("uuid", "x")


@pytest.mark.parametrize(("name", "length"), [("md5", 32), ("sha256", 64), ("sha512", 128)])
def test_digest_shape(name, length):
    assert re.fullmatch(f"[0-9a-f]{{{length}}}", call(name, "x"))
    with pytest.raises(TypeError, match=f"{name}: value must be a string or number, got an object"):
        call(name, {"a": 1})


@given(st.text(min_size=1))
def test_base64_round_trip_on_any_unicode(value):
    encoded = call("encode64", value)
    assert re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", encoded)
    assert call("decode64", encoded) == value
