"""``sam local invoke`` without Docker: what the container would run, run the way it would run it.

``make stack`` (``python -m local.stack_serve``) runs in its own process on a port of its own and
writes the env file; the build (``local/build.py``: the function and the layer as ``sam build``
lays them out, packages the runtime lacks left out) is imported in a fresh interpreter
(``local/sandbox.py``: ``python -I -B``, only the function, the layer and the standard library on
the path) with only the env file's variables for that function plus what Lambda and ``sam local``
set, and invoked with each sample event in ``events/`` (issue 10 §5).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.build import build
from local.stack import REPO_ROOT, load_template

pytestmark = pytest.mark.integration

EVENTS = REPO_ROOT / "events"
# Sample events by file-name prefix -> the function (directory under functions/) they are for.
PREFIXES = {
    "custom_channel_": "custom_channel",
    "kinesis_": "event_stream",
    "ses_": "ses_events",
    "eventbridge_": "journey_trigger",
}
NOT_EVENTS = {
    "endpoint_sample.json", "endpoints.csv", "endpoints.jsonl", "endpoints_vip.csv",  # endpoint data
    "segment_high_value.json", "segment_mobile_active.json", "journey_welcome_series.json",  # definitions
    "segment_scan.json",  # needs a segment first: invoked by tests/integration/test_segments.py
}  # fmt: skip
LOGICAL_IDS = {
    "custom_channel": "CustomChannelFunction",
    "event_stream": "EventStreamFunction",
    "ses_events": "SesEventsFunction",
    "journey_trigger": "JourneyTriggerFunction",
}
SAMPLE_APPLICATION = "5a7d1c0e9b8f4e2a9d3c6b1a0f8e7d6c"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """``make stack`` in a child process; its env file, parsed."""
    env_path = tmp_path_factory.mktemp("stack") / "env.json"
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "local.stack_serve", "--port", str(port), "--env-file", str(env_path)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if line.startswith("ready") or not line:
                break
        assert lines[-1].startswith("ready"), "".join(lines)
        yield {"port": port, "env": json.loads(env_path.read_text()), "output": "".join(lines)}
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("build") / "sam", python=sys.executable, offline=True)


def container_invoke(built: Path, env_file: dict[str, Any], function: str, event: Path) -> dict[str, Any]:
    task_root = built / "functions" / function
    environment = {
        **env_file[LOGICAL_IDS[function]],
        # what Lambda and `sam local` set in the container
        "LAMBDA_TASK_ROOT": str(task_root),
        "AWS_LAMBDA_FUNCTION_NAME": LOGICAL_IDS[function],
        "AWS_SAM_LOCAL": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "PATH": "/usr/bin:/bin",
    }
    command = [sys.executable, "-I", "-B", str(REPO_ROOT / "local" / "sandbox.py")]
    out = subprocess.run(
        [*command, str(task_root), str(built / "layer" / "python"), "app.lambda_handler", str(event)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])["result"]


def _function_for(name: str) -> str | None:
    return next((function for prefix, function in PREFIXES.items() if name.startswith(prefix)), None)


def test_the_env_file_reaches_the_stack_for_every_function(served):
    functions = {
        logical_id
        for logical_id, resource in load_template()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    assert set(served["env"]) == functions
    for variables in served["env"].values():
        assert variables["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{served['port']}"
        assert "AWS_ACCESS_KEY_ID" not in variables and "AWS_LAMBDA_FUNCTION_NAME" not in variables


def test_the_build_ships_bytecode_and_nothing_the_runtime_lacks(built):
    layer = built / "layer" / "python"
    assert (layer / "boto3").is_dir() and (layer / "botocore").is_dir(), "pin boto3 and botocore together"
    assert not [p for p in layer.iterdir() if p.name.lower().startswith(("awscrt", "openssl", "pyopenssl"))]
    assert list((layer / "engagement" / "__pycache__").glob("*.pyc"))


@pytest.mark.parametrize("event", sorted(p.name for p in EVENTS.iterdir() if p.name not in NOT_EVENTS))
def test_every_sample_event_runs_in_the_container_layout(served, built, event):
    function = _function_for(event)
    if function is None:
        pytest.skip(f"events/{event}: no function claims this prefix (add it to PREFIXES)")
    result = container_invoke(built, served["env"], function, EVENTS / event)
    if function == "custom_channel":
        endpoints = json.loads((EVENTS / event).read_text())["Endpoints"]
        assert set(result) == set(endpoints)
        for endpoint_id, answer in result.items():
            status = answer["EventAttributes"]["delivery_status"]
            if endpoints[endpoint_id]["ChannelType"] == "EMAIL":
                assert status in ("SUCCESSFUL", "DUPLICATE"), (endpoint_id, answer)
            else:  # moto answers End User Messaging with a 500 (maybe sent: UNKNOWN_FAILURE, never
                # resent), no webhook URL is configured, some are opted out
                assert status in ("UNKNOWN_FAILURE", "TEMPORARY_FAILURE", "PERMANENT_FAILURE", "OPTED_OUT"), (
                    endpoint_id,
                    answer,
                )
    elif function == "event_stream":
        assert result == {"batchItemFailures": []}
    elif function == "ses_events":
        assert result["written"] >= 1
    else:
        assert result["status"] in ("started", "rejected"), result
        if event == "eventbridge_order_placed.json":
            assert result["status"] == "started" and "mary-email" in result["endpoints"]


def test_the_suppression_sample_opts_the_seeded_endpoint_out(served, built):
    import boto3

    container_invoke(built, served["env"], "event_stream", EVENTS / "kinesis_suppression.json")
    store = served["env"]["EventStreamFunction"]["ENDPOINT_STORE"]
    from engagement.endpoints import build_registry

    endpoint_url = served["env"]["EventStreamFunction"]["AWS_ENDPOINT_URL"]
    session = boto3.session.Session(region_name="us-east-1")
    registry = build_registry(store, session=_EndpointSession(session, endpoint_url))
    endpoint = registry.get_endpoint(ApplicationId=SAMPLE_APPLICATION, EndpointId="mary-email")
    assert endpoint["EndpointResponse"]["OptOut"] == "ALL"


class _EndpointSession:
    """A boto3 session whose clients go to ``endpoint_url`` (the served stack, not this process's)."""

    def __init__(self, session: Any, endpoint_url: str) -> None:
        self._session, self._endpoint_url = session, endpoint_url

    def client(self, service: str, **kwargs: Any) -> Any:
        return self._session.client(service, endpoint_url=self._endpoint_url, **kwargs)
