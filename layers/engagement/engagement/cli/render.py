"""``engagement render``: see a template rendered for a real endpoint before anything is sent.

    engagement render welcome --endpoint events/endpoint_sample.json
    engagement render welcome --endpoint endpoint.json --type SMS
    engagement render welcome --endpoint endpoint.json --html preview.html

Templates come from ``--template-store`` (default: ``$TEMPLATE_STORE``, else
``file://local/templates``). The endpoint file holds a Pinpoint endpoint (as ``get_endpoint``
returns it, wrapper or not, or a custom-channel event: its first endpoint). The channel defaults
to the endpoint's ``ChannelType``. A missing template, a syntax error (with line and column) or
a bad input file prints ``error: ...`` and exits 2.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_STORE = "file://local/templates"
CHANNELS = (
    "EMAIL",
    "SMS",
    "PUSH",
    "GCM",
    "APNS",
    "APNS_SANDBOX",
    "ADM",
    "BAIDU",
    "IN_APP",
    "CUSTOM",
    "VOICE",
)
EXIT_USAGE = 2


class CommandError(Exception):
    """Something the user can fix; printed as ``error: ...`` with exit code 2."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "render",
        help="preview a message template rendered for an endpoint",
        description="Render a Pinpoint template for one endpoint and print its parts.",
    )
    parser.add_argument("template", metavar="TEMPLATE", help="template name, e.g. welcome")
    parser.add_argument("--endpoint", required=True, type=Path, help="endpoint JSON file")
    parser.add_argument(
        "--type",
        dest="channel",
        type=str.upper,
        choices=CHANNELS,
        help="channel to render for (default: the endpoint's ChannelType, else EMAIL)",
    )
    parser.add_argument("--html", type=Path, metavar="OUT", help="also write a standalone HTML preview page")
    parser.add_argument(
        "--template-store",
        default=os.environ.get("TEMPLATE_STORE") or DEFAULT_STORE,
        help="file://<dir>, s3://<bucket>/<prefix> or pinpoint "
        f"(default: $TEMPLATE_STORE or {DEFAULT_STORE})",
    )
    parser.add_argument("--template-version", help="template version (default: the active one)")
    parser.add_argument(
        "--substitutions",
        type=Path,
        metavar="FILE",
        help='per-message values, a JSON object: {"Var": ["value"]}',
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from engagement.templating import TemplateError
    from engagement.templating.messages import MessageRenderer
    from engagement.templating.stores import build_template_store

    try:
        endpoint = load_endpoint(args.endpoint)
        substitutions = _load_object(args.substitutions, "substitutions") if args.substitutions else None
        channel = args.channel or _default_channel(endpoint)
        renderer = MessageRenderer(build_template_store(args.template_store))
        message = renderer.render(
            args.template,
            channel,
            endpoint,
            version=args.template_version,
            substitutions=substitutions,
        )
    except (CommandError, TemplateError, ValueError) as error:
        return _fail(error)
    print(format_message(args.template, message))
    if args.html is not None:
        args.html.write_text(preview_page(args.template, message), encoding="utf-8")
        print(f"\nHTML preview written to {args.html}")
    return 0


def load_endpoint(path: Path) -> dict[str, Any]:
    """An endpoint from a file: plain, ``{"EndpointResponse": ...}`` or a custom-channel event."""
    document = _load_object(path, "endpoint")
    if isinstance(document.get("EndpointResponse"), Mapping):
        return dict(document["EndpointResponse"])
    endpoints = document.get("Endpoints")
    if isinstance(endpoints, Mapping) and endpoints:
        endpoint_id, endpoint = next(iter(endpoints.items()))
        return {"Id": endpoint_id, **endpoint}
    return document


def _load_object(path: Path, what: str) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"cannot read {what} file {path}: {error.strerror or error}") from None
    except ValueError as error:
        raise CommandError(f"{what} file {path} is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise CommandError(f"{what} file {path} must hold a JSON object")
    return document


def _default_channel(endpoint: Mapping[str, Any]) -> str:
    channel = str(endpoint.get("ChannelType") or "EMAIL").upper()
    return channel if channel in CHANNELS else "EMAIL"


def _fail(error: BaseException) -> int:
    print(f"error: {error}", file=sys.stderr)
    for note in getattr(error, "__notes__", ()):
        print(f"  ({note})", file=sys.stderr)
    return EXIT_USAGE


def format_message(template: str, message: Any) -> str:
    """The rendered parts, labelled, in the order a reader meets them."""
    lines = [f"Template {template!r} rendered for {message.channel}"]
    for label, value in _parts(message):
        if "\n" in value or label in ("HTML part", "Text part"):
            lines += ["", f"── {label} ".ljust(60, "─"), value.rstrip("\n")]
        else:
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


def _parts(message: Any) -> list[tuple[str, str]]:
    fields = (
        ("Subject", message.subject),
        ("Title", message.title),
        ("Body", message.body if message.body not in (message.text, message.html) else None),
        ("HTML part", message.html),
        ("Text part", message.text),
    )
    return [(label, value) for label, value in fields if value is not None]


def preview_page(template: str, message: Any) -> str:
    """A standalone page: the subject, the HTML part in a sandboxed frame, the text part as text."""
    heading = html.escape(message.subject or message.title or template)
    sections = [
        f"<p class=meta>Template <code>{html.escape(template)}</code>"
        f" · channel {html.escape(message.channel)}</p>",
        f"<h1>{heading}</h1>",
    ]
    if message.html is not None:
        sections.append(
            '<h2>HTML part</h2>\n<iframe sandbox="" title="HTML part" '
            f'srcdoc="{html.escape(message.html, quote=True)}"></iframe>'
        )
    for label, value in _parts(message):
        if label not in ("Subject", "HTML part"):
            sections.append(f"<h2>{html.escape(label)}</h2>\n<pre>{html.escape(value)}</pre>")
    style = (
        "body{font-family:system-ui,sans-serif;margin:24px;color:#1f2933}"
        ".meta{color:#616e7c}iframe{width:100%;height:640px;border:1px solid #cbd2d9}"
        "pre{background:#f5f7fa;padding:12px;white-space:pre-wrap}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Preview: {heading}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )
