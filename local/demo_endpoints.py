"""Demo step 1: import the sample segment, watch the ACTIVE/INACTIVE rule, export it again."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

from local.console import step, table
from local.stack import REPO_ROOT, LocalStack

# The sample Pinpoint project every demo step and sample event in events/ uses.
APPLICATION_ID = "5a7d1c0e9b8f4e2a9d3c6b1a0f8e7d6c"
SAMPLE_CSV = REPO_ROOT / "events" / "endpoints.csv"


def endpoint_store(stack: LocalStack) -> str:
    return f"dynamodb://{stack.physical_id('EndpointsTable')}"


def run(stack: LocalStack) -> None:
    from engagement.cli import main as cli
    from engagement.endpoints import build_registry
    from local.console import heading

    heading("Endpoint registry: Pinpoint's endpoint API on DynamoDB")
    store = endpoint_store(stack)
    step(f"engagement endpoints import {SAMPLE_CSV.relative_to(REPO_ROOT)} --application-id {APPLICATION_ID}")
    cli(
        [
            "endpoints",
            "import",
            str(SAMPLE_CSV),
            "--application-id",
            APPLICATION_ID,
            "--endpoint-store",
            store,
        ]
    )

    registry = build_registry(store)
    endpoints = list(registry.iter_endpoints(APPLICATION_ID))
    _show(endpoints)

    shared = _first_shared_address(endpoints)
    if shared:
        channel, address, ids = shared
        newest = ids[0]
        step(
            f"update_endpoint {newest}: the updated endpoint becomes ACTIVE, its twins with the same "
            f"{channel} address become INACTIVE"
        )
        registry.update_endpoint(
            ApplicationId=APPLICATION_ID,
            EndpointId=newest,
            EndpointRequest={"Attributes": {"DemoTouched": ["yes"]}},
        )
        twins = registry.find_endpoints_by_address(APPLICATION_ID, channel, address)
        table([(e["Id"], e["ChannelType"], e["EndpointStatus"]) for e in twins], ["Id", "Channel", "Status"])

    step("update_endpoint with a malformed email: a clear error, nothing written")
    try:
        registry.update_endpoint(
            ApplicationId=APPLICATION_ID,
            EndpointId="broken-email",
            EndpointRequest={"ChannelType": "EMAIL", "Address": "not-an-email"},
        )
    except Exception as exc:  # the demo prints whatever the registry raised
        print(f"   {type(exc).__name__}: {exc}")

    out = Path(".local") / "export.jsonl"
    out.parent.mkdir(exist_ok=True)
    step(f"engagement endpoints export --application-id {APPLICATION_ID} --output {out}")
    with redirect_stdout(io.StringIO()):
        cli(
            [
                "endpoints",
                "export",
                "--application-id",
                APPLICATION_ID,
                "--output",
                str(out),
                "--format",
                "json",
                "--endpoint-store",
                store,
            ]
        )
    lines = out.read_text().splitlines()
    print(f"   {len(lines)} endpoints exported; first: {json.dumps(json.loads(lines[0]))[:110]}...")


def _show(endpoints: list[dict]) -> None:
    from engagement.masking import mask_address

    rows = [
        (
            e["Id"],
            e["ChannelType"],
            mask_address(e.get("Address", "")),
            (e.get("User") or {}).get("UserId", ""),
            e["EndpointStatus"],
            e["OptOut"],
        )
        for e in sorted(endpoints, key=lambda e: e["Id"])
    ]
    table(rows, ["Id", "Channel", "Address (masked)", "UserId", "Status", "OptOut"])


def _first_shared_address(endpoints: list[dict]) -> tuple[str, str, list[str]] | None:
    by_address: dict[tuple[str, str], list[str]] = {}
    for endpoint in endpoints:
        by_address.setdefault((endpoint["ChannelType"], endpoint.get("Address", "")), []).append(
            endpoint["Id"]
        )
    for (channel, address), ids in sorted(by_address.items()):
        if len(ids) > 1:
            return channel, address, sorted(ids)
    return None
