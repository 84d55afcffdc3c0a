"""``engagement render``: previews of the shipped samples, the HTML page, and clear failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engagement.cli import main
from engagement.templating.messages import MessageRenderer
from engagement.templating.stores import KINDS, build_template_store

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "local" / "templates"
STORE = f"file://{SAMPLES}"
ENDPOINT_FILE = REPO / "events" / "endpoint_sample.json"


def render(capsys, *args: str, store: str | None = STORE) -> tuple[int, str, str]:
    """Run the command; ``--template-store`` is the shipped samples unless ``store`` says otherwise."""
    code = main(["render", *args, *(("--template-store", store) if store else ())])
    out, err = capsys.readouterr()
    return code, out, err


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(
    ("template", "channel", "expected"),
    [
        ("welcome", "EMAIL", "Subject: Welcome to Example Co, Mary!"),
        ("welcome", "SMS", "Your premium plan is ready"),
        ("order_confirmation", "EMAIL", "3. Wool socks x3"),
        ("order_confirmation", "SMS", "order #A-10492 is confirmed, total USD 149.90"),
        ("password_reset", "EMAIL", "It expires in 30 minutes"),
        ("password_reset", "SMS", "Expires in 30 min"),
        ("cart_reminder", "PUSH", "Body: Mary, you left Trail shoes in your cart."),
        ("cart_reminder", "APNS", "Title: Your cart misses you"),
    ],
)
def test_shipped_samples_render_for_the_sample_endpoint(capsys, template, channel, expected):
    code, out, err = render(capsys, template, "--endpoint", str(ENDPOINT_FILE), "--type", channel)
    assert (code, err) == (0, "")
    assert expected in out


def test_every_shipped_sample_part_renders_without_error():
    """Also for an empty endpoint: defaults and missing values must not break any sample."""
    renderer = MessageRenderer(build_template_store(STORE))
    channel_of = {"EMAIL": "EMAIL", "SMS": "SMS", "PUSH": "PUSH", "INAPP": "IN_APP"}
    files = [p for p in SAMPLES.glob("*/*.json") if not p.parent.name.startswith(("channel_", "journey_"))]
    assert len(files) >= 7
    for path in files:
        kind = next(k for k, (filename, _, _) in KINDS.items() if filename == path.name)
        for endpoint in ({}, json.loads(ENDPOINT_FILE.read_text())):
            message = renderer.render(path.parent.name, channel_of[kind], endpoint)
            assert any(value for value in (message.subject, message.body, message.html, message.title))


def test_defaults_show_for_an_endpoint_without_values(capsys, tmp_path):
    endpoint = write_json(tmp_path / "ep.json", {"ChannelType": "EMAIL", "Address": "a@example.com"})
    code, out, _ = render(capsys, "welcome", "--endpoint", str(endpoint))
    assert code == 0
    assert "Subject: Welcome to Example Co, There!" in out
    assert "Your plan: FREE" in out


def test_channel_defaults_to_the_endpoint_channel_type(capsys, tmp_path):
    endpoint = write_json(tmp_path / "ep.json", {"ChannelType": "SMS", "Address": "+12065550100"})
    code, out, _ = render(capsys, "welcome", "--endpoint", str(endpoint))
    assert code == 0
    assert "Body: Welcome to Example Co, There! Your free plan is ready." in out


def test_substitutions_file_and_wrapped_endpoint(capsys, tmp_path):
    endpoint = write_json(tmp_path / "ep.json", {"EndpointResponse": {"ChannelType": "SMS"}})
    subs = write_json(tmp_path / "subs.json", {"ResetCode": ["778-201"]})
    code, out, _ = render(
        capsys, "password_reset", "--endpoint", str(endpoint), "--substitutions", str(subs)
    )  # fmt: skip
    assert code == 0
    assert "Example Co code: 778-201." in out


def test_custom_channel_event_uses_its_first_endpoint(capsys, tmp_path):
    event = {"ApplicationId": "app", "Endpoints": {"ep-9": {"ChannelType": "CUSTOM", "Address": "x"}}}
    path = write_json(tmp_path / "event.json", event)
    code, out, _ = render(capsys, "password_reset", "--endpoint", str(path), "--type", "EMAIL")
    assert code == 0 and "Reset your Example Co password" in out


def test_template_store_defaults_to_the_environment(capsys, tmp_path, monkeypatch):
    (tmp_path / "hello").mkdir()
    write_json(tmp_path / "hello" / "SMS.json", {"Body": "Hello {{Location.City}}"})
    monkeypatch.setenv("TEMPLATE_STORE", f"file://{tmp_path}")
    code, out, _ = render(capsys, "hello", "--endpoint", str(ENDPOINT_FILE), "--type", "sms", store=None)
    assert code == 0 and "Body: Hello Seattle" in out


def test_html_preview_page_is_written(capsys, tmp_path):
    out_file = tmp_path / "preview.html"
    code, out, _ = render(capsys, "welcome", "--endpoint", str(ENDPOINT_FILE), "--html", str(out_file))
    assert code == 0
    assert str(out_file) in out
    page = out_file.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<h1>Welcome to Example Co, Mary!</h1>" in page
    # The email's HTML sits escaped in a sandboxed iframe, so its styles and scripts stay inside.
    assert 'sandbox="" title="HTML part" srcdoc="&lt;!DOCTYPE html&gt;' in page
    assert "<li>Hiking</li>" not in page
    assert "<pre>Hi Mary,\n\nThanks for joining" in page


# -- failures: message on stderr, exit code 2 --------------------------------------------------
def test_missing_template_exits_2(capsys):
    code, out, err = render(capsys, "no_such_template", "--endpoint", str(ENDPOINT_FILE))
    assert (code, out) == (2, "")
    assert "EMAIL template 'no_such_template' not found" in err


def test_syntax_error_reports_line_and_column(capsys, tmp_path):
    (tmp_path / "broken").mkdir()
    write_json(tmp_path / "broken" / "SMS.json", {"Body": "Hi\n{{#if Attributes.X}}open"})
    code, _, err = render(
        capsys,
        "broken",
        "--endpoint",
        str(ENDPOINT_FILE),
        "--type",
        "SMS",
        store=f"file://{tmp_path}",
    )
    assert code == 2
    assert "line 2" in err and "column" in err
    assert "'broken' Body" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read endpoint file"), ("{oops", "not valid JSON"), ("[1]", "must hold a JSON object")],
)
def test_bad_endpoint_file_exits_2(capsys, tmp_path, content, message):
    path = tmp_path / "ep.json"
    if content is not None:
        path.write_text(content)
    code, _, err = render(capsys, "welcome", "--endpoint", str(path))
    assert code == 2 and message in err


def test_bad_store_uri_exits_2(capsys):
    code, _, err = render(capsys, "welcome", "--endpoint", str(ENDPOINT_FILE), store="ftp://x")
    assert code == 2 and "TEMPLATE_STORE must be" in err
