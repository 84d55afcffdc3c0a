"""Build the context a Pinpoint template renders against: the endpoint, plus defaults and overrides.

Templates name the endpoint's own fields (``{{User.UserAttributes.FirstName}}``,
``{{Attributes.OrderId.[0]}}``, ``{{Location.City}}``, ``{{Id}}``). Values come from, highest
precedence first:

1. per-message ``Substitutions`` (SendMessages' map of variable → list of strings),
2. the endpoint itself,
3. the template's ``DefaultSubstitutions`` (a JSON string: variable → default), used only
   where the endpoint has no value.

A variable with none of these renders as nothing (the engine prints ``None`` as ``""``).

Representation: Pinpoint attributes are lists of strings, and templates use both
``{{User.UserAttributes.FirstName}}`` and ``{{...FirstName.[0]}}``. A value written into an
attribute map (``Attributes``, ``User.UserAttributes``, ``Recommendations``) or over an existing
list is a list, so both forms print it (a one-item list prints as its item). Elsewhere
(``Location.City``, ``Demographic.Platform``, ``Address``...) a value is a plain string, so
``{{eq Location.City "Paris"}}`` compares strings. A key may end in an index (``X.[0]``): it
sets ``X`` the same way.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from engagement.templating.errors import TemplateError

__all__ = [
    "SubstitutionsError",
    "build_context",
    "parse_default_substitutions",
    "parse_path",
]

# Maps whose values Pinpoint keeps as lists of strings.
LIST_VALUED_MAPS = frozenset({("Attributes",), ("User", "UserAttributes"), ("Recommendations",)})

_SEGMENT = re.compile(r"\[([^\]]*)\]|([^./\[\]]+)")


class SubstitutionsError(TemplateError):
    """A template's ``DefaultSubstitutions`` or a message's ``Substitutions`` cannot be used."""


def parse_path(path: str) -> tuple[str, ...]:
    """Split a Handlebars path: ``User.UserAttributes.[Last Name].[0]`` → 4 segments.

    Segments are separated by ``.`` or ``/``; ``[...]`` holds a literal segment (spaces,
    dots). ``this.`` and ``./`` prefixes are dropped.
    """
    if not isinstance(path, str) or not path.strip():
        raise SubstitutionsError(f"empty variable name {path!r}")
    segments: list[str] = []
    position, text = 0, path.strip()
    while position < len(text):
        match = _SEGMENT.match(text, position)
        if match is None:
            raise SubstitutionsError(f"invalid variable name {path!r} at character {position + 1}")
        segments.append(match.group(1) if match.group(1) is not None else match.group(2))
        position = match.end()
        if position < len(text):
            if text[position] not in "./":
                raise SubstitutionsError(f"invalid variable name {path!r} at character {position + 1}")
            position += 1
            if position == len(text):
                raise SubstitutionsError(f"variable name {path!r} ends with a separator")
    while segments and segments[0] in ("this", "."):
        segments.pop(0)
    if not segments:
        raise SubstitutionsError(f"variable name {path!r} names no value")
    return tuple(segments)


def parse_default_substitutions(value: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """Decode a template's ``DefaultSubstitutions`` (Pinpoint stores a JSON string)."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise SubstitutionsError(f"DefaultSubstitutions is not valid JSON: {exc}") from exc
    if not isinstance(value, Mapping):
        raise SubstitutionsError("DefaultSubstitutions must be a JSON object of variable → default value")
    return dict(value)


def build_context(
    endpoint: Mapping[str, Any],
    *,
    endpoint_id: str | None = None,
    default_substitutions: str | Mapping[str, Any] | None = None,
    substitutions: Mapping[str, Any] | None = None,
) -> Mapping[str, Any]:
    """The render context for one endpoint; the caller's endpoint is never modified.

    ``endpoint_id`` fills ``Id`` when the endpoint lacks it (custom-channel payloads key
    endpoints by id instead of carrying it).
    """
    defaults = parse_default_substitutions(default_substitutions)
    overrides = dict(substitutions or {})
    if not defaults and not overrides and (endpoint_id is None or "Id" in endpoint):
        return endpoint  # nothing to write: templates only read the context
    context: dict[str, Any] = copy.deepcopy(dict(endpoint))
    if endpoint_id is not None:
        context.setdefault("Id", endpoint_id)
    for name, value in defaults.items():
        segments, indexed = _target(name)
        if _is_missing(_lookup(context, segments)):
            _assign(context, segments, value, as_list=indexed)
    for name, value in overrides.items():
        segments, indexed = _target(name)
        _assign(context, segments, value, as_list=indexed)
    return context


def _target(name: str) -> tuple[tuple[str, ...], bool]:
    """The path a key writes to, and whether it ended in an index (``X.[0]`` writes ``X``)."""
    segments = parse_path(name)
    indexed = False
    while len(segments) > 1 and segments[-1].isdigit():
        segments, indexed = segments[:-1], True
    return segments, indexed


def _lookup(context: Any, segments: Iterable[str]) -> Any:
    value = context
    for segment in segments:
        if isinstance(value, Mapping):
            value = value.get(segment)
        elif isinstance(value, list) and segment.isdigit() and int(segment) < len(value):
            value = value[int(segment)]
        else:
            return None
    return value


def _is_missing(value: Any) -> bool:
    """No value worth printing: absent, ``null``, ``""``, or a list of only those."""
    if value is None or value == "":
        return True
    if isinstance(value, list):
        return all(item is None or item == "" for item in value)
    return False


def _assign(context: dict[str, Any], segments: tuple[str, ...], value: Any, *, as_list: bool) -> None:
    parent: dict[str, Any] = context
    for segment in segments[:-1]:
        child = parent.get(segment)
        if not isinstance(child, dict):
            child = {}
            parent[segment] = child
        parent = child
    leaf = segments[-1]
    if as_list or segments[:-1] in LIST_VALUED_MAPS or isinstance(parent.get(leaf), list):
        parent[leaf] = _as_list(value)
    else:
        parent[leaf] = _as_scalar(value)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _as_scalar(value: Any) -> Any:
    """A one-item list (SendMessages' shape) becomes its item; longer lists stay lists."""
    if isinstance(value, (list, tuple)):
        return value[0] if len(value) == 1 else list(value)
    return value
