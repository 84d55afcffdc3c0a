"""Render a stored Pinpoint template for one endpoint and channel, with compiled templates cached.

Which template parts a channel uses:

- ``EMAIL``: the email template's ``Subject``, ``HtmlPart`` and ``TextPart``.
- ``SMS``: the SMS template's ``Body``.
- ``PUSH`` and the push channels (``GCM``, ``APNS``, ``APNS_SANDBOX``, ``APNS_VOIP``,
  ``APNS_VOIP_SANDBOX``, ``ADM``, ``BAIDU``): the push template's ``Title`` and ``Body`` from the
  channel's own section (``GCM``, ``APNS``, ``ADM``, ``Baidu``), each field falling back to
  ``Default``, like Pinpoint. ``PUSH`` uses ``Default``.
- ``IN_APP``: the in-app template's first content block (header → ``title``, body → ``body``).
- ``CUSTOM``, ``VOICE`` and anything else: the SMS template's ``Body`` if the template has one,
  else the email template (``subject``, ``html``, ``text``, and ``body`` = the text part,
  or the HTML part when there is no text part). A webhook or custom Lambda thus gets a body
  from whichever template the journey names.

Compiled templates are cached per (name, version, part) and template responses per (type,
name, version), both LRU-bounded with a TTL, so a warm container picks up edits within the
TTL. Failures are typed: ``TemplateNotFoundError`` when the store has no such template, the
engine's ``TemplateSyntaxError``/``HelperError``/``TemplateTooLargeError`` otherwise (each
with a note naming the template part). Store outages stay ``botocore`` ``ClientError``\\ s
(transient, retry); template errors are permanent (a rendering-failure event).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from engagement.templating.cache import TTLCache
from engagement.templating.errors import TemplateError, TemplateNotFoundError, TemplateTooLargeError
from engagement.templating.personalize import build_context

__all__ = ["MessageRenderer", "RenderedMessage", "TemplateNotFoundError"]

PUSH_SECTIONS = {
    "PUSH": "Default",
    "GCM": "GCM",
    "APNS": "APNS",
    "APNS_SANDBOX": "APNS",
    "APNS_VOIP": "APNS",
    "APNS_VOIP_SANDBOX": "APNS",
    "ADM": "ADM",
    "BAIDU": "Baidu",
}
_GETTERS = {
    "EMAIL": "get_email_template",
    "SMS": "get_sms_template",
    "PUSH": "get_push_template",
    "INAPP": "get_in_app_template",
}
_NOT_FOUND_CODES = frozenset({"NotFoundException", "BadRequestException"})


@dataclass(frozen=True)
class _Absent:
    """Cached "the store has no such template", with the store's explanation."""

    reason: str


@dataclass(frozen=True)
class RenderedMessage:
    """What a channel sends: the parts its template type has; the rest stay ``None``."""

    channel: str
    subject: str | None = None
    html: str | None = None
    text: str | None = None
    body: str | None = None
    title: str | None = None


class MessageRenderer:
    """Fetch, compile (cached) and render a template for one endpoint. Thread-safe."""

    def __init__(
        self,
        store: Any,
        *,
        cache_size: int = 256,
        ttl_seconds: float = 300,
        clock: Callable[[], float] = time.monotonic,
        compiler: Callable[[str], Any] | None = None,
    ) -> None:
        self.store = store
        self._responses: TTLCache[Any] = TTLCache(cache_size, ttl_seconds, clock=clock)
        self._compiled: TTLCache[tuple[str, Any]] = TTLCache(cache_size, ttl_seconds, clock=clock)
        self._compile = compiler or _engine_compiler()

    # -- public ----------------------------------------------------------------------------
    def render(
        self,
        template_name: str,
        channel: str,
        endpoint: Mapping[str, Any],
        *,
        version: str | None = None,
        substitutions: Mapping[str, Any] | None = None,
    ) -> RenderedMessage:
        """Render ``template_name`` for ``channel`` (an endpoint ``ChannelType``) and ``endpoint``."""
        channel = (channel or "").upper()
        job = _Job(self, template_name, version, endpoint, substitutions)
        if channel == "EMAIL":
            return job.email(channel, job.require("EMAIL"))
        if channel == "SMS":
            return RenderedMessage(channel, body=job.part(job.require("SMS"), "SMS", "Body"))
        if channel in PUSH_SECTIONS:
            return job.push(channel, job.require("PUSH"), PUSH_SECTIONS[channel])
        if channel == "IN_APP":
            return job.in_app(channel, job.require("INAPP"))
        sms = job.fetch("SMS")
        if sms is not None:
            return RenderedMessage(channel, body=job.part(sms, "SMS", "Body"))
        email = job.fetch("EMAIL")
        if email is None:
            raise TemplateNotFoundError(template_name, "SMS or EMAIL", version)
        rendered = job.email(channel, email)
        body = rendered.text if rendered.text is not None else rendered.html
        return RenderedMessage(
            channel, subject=rendered.subject, html=rendered.html, text=rendered.text, body=body
        )

    def clear(self) -> None:
        """Forget every cached template (e.g. after publishing new versions)."""
        self._responses.clear()
        self._compiled.clear()

    # -- cached steps ----------------------------------------------------------------------
    def fetch(self, kind: str, name: str, version: str | None) -> Mapping[str, Any]:
        """The template response body; ``TemplateNotFoundError`` when the store has none."""
        cached = self._responses.get((kind, name, version))
        if cached is None:
            cached = self._fetch_uncached(kind, name, version)
            self._responses.set((kind, name, version), cached)
        if isinstance(cached, _Absent):
            raise TemplateNotFoundError(name, kind, version, cached.reason)
        return cached

    def _fetch_uncached(self, kind: str, name: str, version: str | None) -> Any:
        getter = getattr(self.store, _GETTERS[kind])
        try:
            response = (
                getter(TemplateName=name) if version is None else getter(TemplateName=name, Version=version)
            )
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = error.get("Code")
            if code in _NOT_FOUND_CODES:
                return _Absent(str(error.get("Message") or code))
            if code == "PayloadTooLargeException":
                limit = int(error.get("Limit") or 0)
                raise TemplateTooLargeError(limit + 1, limit) from exc
            raise
        return next(iter(response.values()))

    def compiled(self, name: str, version: str | None, part: str, source: str) -> Any:
        """The compiled template for one part; recompiled if the source changed meanwhile."""
        key = (name, version, part)
        cached = self._compiled.get(key)
        if cached is not None and cached[0] == source:
            return cached[1]
        template = self._compile(source)
        self._compiled.set(key, (source, template))
        return template


class _Job:
    """One ``render`` call: the endpoint's context is built once, lazily, per template type."""

    def __init__(
        self,
        renderer: MessageRenderer,
        name: str,
        version: str | None,
        endpoint: Mapping[str, Any],
        substitutions: Mapping[str, Any] | None,
    ) -> None:
        self.renderer = renderer
        self.name = name
        self.version = version
        self.endpoint = endpoint
        self.substitutions = substitutions
        self._contexts: dict[Any, Mapping[str, Any]] = {}

    def context(self, defaults: Any) -> Mapping[str, Any]:
        """The endpoint with this template's defaults and the message's substitutions applied."""
        key = defaults if isinstance(defaults, str) or defaults is None else id(defaults)
        if key not in self._contexts:
            self._contexts[key] = build_context(
                self.endpoint, default_substitutions=defaults, substitutions=self.substitutions
            )
        return self._contexts[key]

    def fetch(self, kind: str) -> Mapping[str, Any] | None:
        """The response, or ``None`` if missing (for channels that try several types)."""
        try:
            return self.renderer.fetch(kind, self.name, self.version)
        except TemplateNotFoundError:
            return None

    def require(self, kind: str) -> Mapping[str, Any]:
        return self.renderer.fetch(kind, self.name, self.version)

    def part(self, response: Mapping[str, Any], kind: str, *path: str) -> str | None:
        """Render one part (``None`` when the template lacks it); errors name the part."""
        source: Any = response
        for key in path:
            source = source.get(key) if isinstance(source, Mapping) else None
        if source is None:
            return None
        label = f"{kind} template '{self.name}' {'.'.join(path)}"
        try:
            if not isinstance(source, str):
                raise TemplateError(f"{'.'.join(path)} must be a string, not {type(source).__name__}")
            template = self.renderer.compiled(self.name, self.version, f"{kind}:{'.'.join(path)}", source)
            return template.render(self.context(response.get("DefaultSubstitutions")))
        except TemplateError as exc:
            exc.add_note(f"while rendering {label}")
            raise

    def email(self, channel: str, response: Mapping[str, Any]) -> RenderedMessage:
        return RenderedMessage(
            channel,
            subject=self.part(response, "EMAIL", "Subject"),
            html=self.part(response, "EMAIL", "HtmlPart"),
            text=self.part(response, "EMAIL", "TextPart"),
        )

    def push(self, channel: str, response: Mapping[str, Any], section: str) -> RenderedMessage:
        fields = {}
        for field in ("Title", "Body"):
            own = response.get(section) or {}
            where = section if own.get(field) is not None else "Default"
            fields[field] = self.part(response, "PUSH", where, field)
        return RenderedMessage(channel, title=fields["Title"], body=fields["Body"])

    def in_app(self, channel: str, response: Mapping[str, Any]) -> RenderedMessage:
        content = response.get("Content") or [{}]
        block = {"DefaultSubstitutions": response.get("DefaultSubstitutions"), **content[0]}
        return RenderedMessage(
            channel,
            title=self.part(block, "INAPP", "HeaderConfig", "Header"),
            body=self.part(block, "INAPP", "BodyConfig", "Body"),
        )


def _engine_compiler() -> Callable[[str], Any]:
    from engagement.templating import compile_template

    return compile_template
