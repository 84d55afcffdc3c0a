"""Every CLI command with bad settings prints ONE line ``error: <VARIABLE>: <what is wrong>``, exit 2."""

from __future__ import annotations

import pytest
from moto import mock_aws

from engagement.cli import main

FOREIGN = {"CAMPAIGNS_TABLE": "campaigns", "TEMPLATE_STORE": "file:///tmp", "IDEMPOTENCY_TABLE": "once"}


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    for name in ("CAMPAIGNS_TABLE", "JOURNEYS_TABLE", "SEGMENT_STORE", "ENDPOINT_STORE", "MAX_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        yield


@pytest.mark.parametrize(
    ("environment", "argv", "line"),
    [
        (  # another function's MAX_WORKERS (the API allows 100, the custom channel 50)
            {**FOREIGN, "MAX_WORKERS": "100"},
            ["campaigns", "run", "c1", "--application-id", "app"],
            "error: MAX_WORKERS: Input should be less than or equal to 50",
        ),
        (
            {**FOREIGN, "CAMPAIGN_MAX_CONCURRENCY": "0"},
            ["campaigns", "list", "--application-id", "app"],
            "error: CAMPAIGN_MAX_CONCURRENCY: Input should be greater than or equal to 1",
        ),
        (
            {},
            ["campaigns", "get", "c1", "--application-id", "app"],
            "error: CAMPAIGNS_TABLE: required, not set",
        ),
        ({}, ["journeys", "list", "--application-id", "app"], "error: JOURNEYS_TABLE: required, not set"),
    ],
)
def test_bad_settings_are_one_error_line_naming_the_variable(monkeypatch, capsys, environment, argv, line):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2 and not out
    assert err == line + "\n" and "Traceback" not in err


def test_journeys_deploy_reports_settings_the_same_way(monkeypatch, capsys, tmp_path):
    path = tmp_path / "journey.json"
    path.write_text("{}")
    assert main(["journeys", "deploy", str(path), "--application-id", "app"]) == 2
    assert capsys.readouterr().err == "error: JOURNEYS_TABLE: required, not set\n"
