"""MessageRenderer: channel → template parts, defaults and substitutions, caching, typed errors."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from engagement.templating import (
    HelperError,
    TemplateError,
    TemplateSyntaxError,
    TemplateTooLargeError,
    compile_template,
)
from engagement.templating.cache import TTLCache
from engagement.templating.messages import MessageRenderer, RenderedMessage, TemplateNotFoundError
from engagement.templating.stores import FileTemplateStore

ENDPOINT = {
    "Id": "ep-1",
    "ChannelType": "EMAIL",
    "Address": "mary@example.com",
    "Location": {"City": "Seattle"},
    "Attributes": {"OrderId": ["A-1"]},
    "User": {"UserId": "u-1", "UserAttributes": {"FirstName": ["Mary"]}},
}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingStore(FileTemplateStore):
    """The real file store, counting how often the renderer asks it."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.calls: list[tuple[str, str]] = []

    def _get(self, kind, name, version):
        self.calls.append((kind, name))
        return super()._get(kind, name, version)


class CountingCompiler:
    def __init__(self) -> None:
        self.sources: list[str] = []

    def __call__(self, source: str):
        self.sources.append(source)
        return compile_template(source)


def write(root: Path, name: str, kind: str, **document: object) -> None:
    (root / name).mkdir(parents=True, exist_ok=True)
    (root / name / f"{kind}.json").write_text(json.dumps(document))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write(
        tmp_path,
        "welcome",
        "EMAIL",
        Subject="Hi {{User.UserAttributes.FirstName}}",
        HtmlPart="<p>Hi {{User.UserAttributes.FirstName.[0]}} from {{Location.City}}</p>",
        TextPart="Hi {{User.UserAttributes.FirstName.[0]}}"
        "{{#if Attributes.Plan}} ({{Attributes.Plan}}){{/if}}",
        DefaultSubstitutions=json.dumps(
            {"User.UserAttributes.FirstName": "there", "Location.City": "your city"}
        ),
    )
    write(
        tmp_path,
        "welcome",
        "SMS",
        Body="Hi {{User.UserAttributes.FirstName.[0]}}, order {{Attributes.OrderId}}",
    )
    write(tmp_path, "email_only", "EMAIL", Subject="S {{Id}}", TextPart="T {{Id}}")
    write(tmp_path, "html_only", "EMAIL", Subject="S", HtmlPart="<b>{{Id}}</b>")
    write(
        tmp_path,
        "cart",
        "PUSH",
        Default={"Title": "Default title", "Body": "Hi {{User.UserAttributes.FirstName}}"},
        APNS={"Title": "Apple title {{Id}}"},
        GCM={"Body": "Android body"},
    )
    write(
        tmp_path,
        "banner",
        "INAPP",
        Content=[{"HeaderConfig": {"Header": "Sale in {{Location.City}}"}, "BodyConfig": {"Body": "{{Id}}"}}],
    )
    return tmp_path


@pytest.fixture
def renderer(root: Path) -> MessageRenderer:
    return MessageRenderer(FileTemplateStore(root))


# -- channels and parts ----------------------------------------------------------------------
def test_email_renders_subject_html_and_text(renderer):
    message = renderer.render("welcome", "EMAIL", ENDPOINT)
    assert message == RenderedMessage(
        channel="EMAIL", subject="Hi Mary", html="<p>Hi Mary from Seattle</p>", text="Hi Mary"
    )


def test_defaults_fill_missing_values_in_both_list_forms(renderer):
    message = renderer.render("welcome", "email", {"Id": "ep-2"})
    assert message.subject == "Hi there"
    assert message.html == "<p>Hi there from your city</p>"


def test_missing_values_without_default_render_nothing(renderer):
    # The SMS template has no DefaultSubstitutions.
    assert renderer.render("welcome", "SMS", {}).body == "Hi , order "


def test_substitutions_take_precedence_over_endpoint_and_defaults(renderer):
    substitutions = {"User.UserAttributes.FirstName": ["Ana"], "Attributes.Plan": ["gold"]}
    message = renderer.render("welcome", "EMAIL", ENDPOINT, substitutions=substitutions)
    assert (message.subject, message.text) == ("Hi Ana", "Hi Ana (gold)")
    assert ENDPOINT["User"]["UserAttributes"]["FirstName"] == ["Mary"]


def test_values_are_html_escaped(renderer):
    endpoint = {"User": {"UserAttributes": {"FirstName": ["<script>"]}}, "Location": {"City": "A&B"}}
    assert renderer.render("welcome", "EMAIL", endpoint).html == "<p>Hi &lt;script&gt; from A&amp;B</p>"


def test_sms_uses_the_sms_template_body(renderer):
    assert renderer.render("welcome", "SMS", ENDPOINT) == RenderedMessage("SMS", body="Hi Mary, order A-1")


@pytest.mark.parametrize(
    ("channel", "title", "body"),
    [
        ("PUSH", "Default title", "Hi Mary"),
        ("APNS", "Apple title ep-1", "Hi Mary"),  # body falls back to Default
        ("APNS_SANDBOX", "Apple title ep-1", "Hi Mary"),
        ("GCM", "Default title", "Android body"),  # title falls back to Default
        ("ADM", "Default title", "Hi Mary"),  # no ADM section at all
    ],
)
def test_push_channels_use_their_section_then_default(renderer, channel, title, body):
    message = renderer.render("cart", channel, ENDPOINT)
    assert (message.channel, message.title, message.body) == (channel, title, body)


def test_in_app_uses_first_content_block(renderer):
    message = renderer.render("banner", "IN_APP", ENDPOINT)
    assert (message.title, message.body) == ("Sale in Seattle", "ep-1")


def test_custom_prefers_the_sms_body(renderer):
    assert renderer.render("welcome", "CUSTOM", ENDPOINT).body == "Hi Mary, order A-1"


def test_custom_falls_back_to_email_text_then_html(renderer):
    message = renderer.render("email_only", "CUSTOM", ENDPOINT)
    assert (message.subject, message.text, message.body) == ("S ep-1", "T ep-1", "T ep-1")
    assert renderer.render("html_only", "CUSTOM", ENDPOINT).body == "<b>ep-1</b>"


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "channel"), [("nothing", "EMAIL"), ("welcome", "PUSH"), ("cart", "CUSTOM")])
def test_missing_template_is_typed(renderer, name, channel):
    with pytest.raises(TemplateNotFoundError) as excinfo:
        renderer.render(name, channel, ENDPOINT)
    assert isinstance(excinfo.value, TemplateError)
    assert excinfo.value.template_name == name


def test_invalid_template_name_is_not_found(renderer):
    with pytest.raises(TemplateNotFoundError):
        renderer.render("../welcome", "EMAIL", ENDPOINT)


def test_syntax_error_is_typed_and_names_the_part(root):
    write(root, "broken", "EMAIL", Subject="ok", HtmlPart="<p>\n{{#if x}}unclosed</p>")
    with pytest.raises(TemplateSyntaxError) as excinfo:
        MessageRenderer(FileTemplateStore(root)).render("broken", "EMAIL", ENDPOINT)
    assert excinfo.value.line == 2
    assert any("'broken' HtmlPart" in note for note in excinfo.value.__notes__)


def test_helper_failure_is_typed(root):
    write(root, "bad_helper", "SMS", Body="{{dateFormat Attributes.When.[0] inputFormat='yyyy-MM-dd'}}")
    with pytest.raises(HelperError):
        MessageRenderer(FileTemplateStore(root)).render(
            "bad_helper", "SMS", {"Attributes": {"When": ["not a date"]}}
        )


def test_oversized_template_is_refused(root):
    write(root, "huge", "SMS", Body="x" * (600 * 1024))
    with pytest.raises(TemplateTooLargeError):
        MessageRenderer(FileTemplateStore(root)).render("huge", "SMS", ENDPOINT)


def test_malformed_default_substitutions_is_a_template_error(root):
    write(root, "bad_defaults", "SMS", Body="hi", DefaultSubstitutions="{oops")
    with pytest.raises(TemplateError, match="DefaultSubstitutions"):
        MessageRenderer(FileTemplateStore(root)).render("bad_defaults", "SMS", ENDPOINT)


# -- caching ---------------------------------------------------------------------------------
def test_responses_are_cached_until_the_ttl(root):
    clock, store = Clock(), CountingStore(root)
    renderer = MessageRenderer(store, ttl_seconds=60, clock=clock)
    renderer.render("welcome", "SMS", ENDPOINT)
    write(root, "welcome", "SMS", Body="edited {{Id}}")
    clock.now += 59
    assert renderer.render("welcome", "SMS", ENDPOINT).body == "Hi Mary, order A-1"
    assert len(store.calls) == 1
    clock.now += 2
    assert renderer.render("welcome", "SMS", ENDPOINT).body == "edited ep-1"
    assert len(store.calls) == 2


def test_not_found_is_cached_too(root):
    store = CountingStore(root)
    renderer = MessageRenderer(store, clock=Clock())
    for _ in range(3):
        with pytest.raises(TemplateNotFoundError):
            renderer.render("nothing", "SMS", ENDPOINT)
    assert len(store.calls) == 1


def test_compiled_parts_are_cached_per_name_and_part(root):
    compiler = CountingCompiler()
    renderer = MessageRenderer(FileTemplateStore(root), compiler=compiler, clock=Clock())
    for _ in range(3):
        renderer.render("welcome", "EMAIL", ENDPOINT)
        renderer.render("email_only", "EMAIL", ENDPOINT)
    # welcome: Subject, HtmlPart, TextPart; email_only: Subject, TextPart (no HtmlPart).
    assert len(compiler.sources) == 5
    # Same part name in two templates: each keeps its own compiled template.
    assert renderer.render("email_only", "EMAIL", ENDPOINT).subject == "S ep-1"


def test_cache_size_is_bounded(root):
    clock, store = Clock(), CountingStore(root)
    renderer = MessageRenderer(store, cache_size=2, clock=clock)
    for name in ("welcome", "email_only", "html_only"):
        renderer.render(name, "EMAIL", ENDPOINT)
    renderer.render("html_only", "EMAIL", ENDPOINT)  # still cached
    assert len(store.calls) == 3
    renderer.render("welcome", "EMAIL", ENDPOINT)  # evicted, fetched again
    assert len(store.calls) == 4


def test_version_is_part_of_the_cache_key(root):
    write(root / "versioned", "", "SMS", Body="v2 {{Id}}", Version="2")
    write(root / "versioned" / "versions", "1", "SMS", Body="v1 {{Id}}", Version="1")
    renderer = MessageRenderer(FileTemplateStore(root))
    assert renderer.render("versioned", "SMS", ENDPOINT, version="1").body == "v1 ep-1"
    assert renderer.render("versioned", "SMS", ENDPOINT, version="2").body == "v2 ep-1"
    assert renderer.render("versioned", "SMS", ENDPOINT).body == "v2 ep-1"


def test_concurrent_renders_are_consistent(renderer):
    endpoints = [{"Id": f"ep-{i}", "User": {"UserAttributes": {"FirstName": [f"n{i}"]}}} for i in range(64)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        bodies = list(pool.map(lambda ep: renderer.render("welcome", "SMS", ep).body, endpoints))
    assert bodies == [f"Hi n{i}, order " for i in range(64)]


def test_ttl_cache_evicts_least_recently_used():
    clock = Clock()
    cache: TTLCache[int] = TTLCache(2, 10, clock=clock)
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.set("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    clock.now += 10
    assert cache.get("a") is None and len(cache) == 1


@pytest.mark.parametrize(("size", "ttl"), [(0, 10), (1, 0)])
def test_ttl_cache_rejects_nonsense_settings(size, ttl):
    with pytest.raises(ValueError):
        TTLCache(size, ttl)


def test_a_changed_source_is_recompiled_under_the_same_key(root):
    """Responses and compiled parts are evicted separately: a refetched edit must not meet a stale compile."""
    renderer = MessageRenderer(FileTemplateStore(root), clock=Clock())
    first = renderer.compiled("t", None, "SMS:Body", "one {{Id}}")
    assert renderer.compiled("t", None, "SMS:Body", "one {{Id}}") is first
    assert renderer.compiled("t", None, "SMS:Body", "two {{Id}}").render({"Id": "x"}) == "two x"
