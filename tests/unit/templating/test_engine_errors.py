"""Engine errors: syntax positions, unknown helpers, helper failures, size limit."""

from __future__ import annotations

import pytest

from engagement.templating import (
    MAX_TEMPLATE_SIZE,
    HelperError,
    TemplateError,
    TemplateSyntaxError,
    TemplateTooLargeError,
    UnknownHelperError,
    compile_template,
    render,
)


@pytest.mark.parametrize(
    ("source", "line", "column", "tag"),
    [
        ("line one\n  {{#if x}}never closed", 2, 3, "{{#if x}}"),
        ("{{#if x}}a{{/each}}", 1, 11, "{{/each}}"),
        ("a\nb {{foo bar=}}", 2, 3, "{{foo bar=}}"),
        ("{{{triple}}", 1, 1, "{{{triple}}"),
        ("ok\n\n   {{else}}", 3, 4, "{{else}}"),
        ("{{foo/../bar}}", 1, 1, "{{foo/../bar}}"),
        ("{{!-- never closed }}", 1, 1, "{{!-- never closed }}"),
    ],
)
def test_syntax_errors_name_line_column_and_tag(source: str, line: int, column: int, tag: str) -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        compile_template(source)
    err = info.value
    assert (err.line, err.column, err.tag) == (line, column, tag)
    assert f"line {line}, column {column}" in str(err) and tag in str(err)


def test_unknown_helper_with_arguments_is_named() -> None:
    with pytest.raises(UnknownHelperError) as info:
        render("hello\n{{fancyFormat User.Name}}", {})
    assert info.value.helper == "fancyFormat"
    assert 'Missing helper: "fancyFormat"' in str(info.value) and "line 2" in str(info.value)


def test_unknown_name_without_arguments_renders_nothing() -> None:
    assert render("[{{fancyFormat}}][{{fancyFormat a=1}}]", {}) == "[][]"


def test_helper_failure_is_wrapped_with_name_and_line() -> None:
    def boom(value, options):
        raise ValueError("bad value")

    with pytest.raises(HelperError) as info:
        render("a\n\n{{boom 1}}", {}, helpers={"boom": boom})
    err = info.value
    assert (err.helper, err.line, err.column) == ("boom", 3, 1)
    assert isinstance(err.__cause__, ValueError) and "boom" in str(err) and "line 3" in str(err)


def test_builtin_misuse_is_a_helper_error() -> None:
    with pytest.raises(HelperError, match="#if requires exactly one argument"):
        render("{{#if}}x{{/if}}", {})


def test_size_limit_is_checked_before_parsing() -> None:
    assert MAX_TEMPLATE_SIZE == 512 * 1024
    with pytest.raises(TemplateTooLargeError) as info:
        compile_template("x" * (MAX_TEMPLATE_SIZE + 1))
    assert info.value.limit == MAX_TEMPLATE_SIZE
    with pytest.raises(TemplateTooLargeError):
        compile_template("é" * 600, max_size=1000)
    assert compile_template("é" * 500, max_size=1000).render({}) == "é" * 500
    with pytest.raises(TemplateTooLargeError):
        render("{{> big}}", {}, partials={"big": "y" * 2000}, max_size=1000)


def test_every_error_is_a_template_error() -> None:
    for cls in (TemplateSyntaxError, UnknownHelperError, HelperError, TemplateTooLargeError):
        assert issubclass(cls, TemplateError)
