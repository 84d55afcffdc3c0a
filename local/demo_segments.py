"""Demo step: two dynamic segments and one imported, with their members, over the registry.

Runs in its own application (the sample endpoints imported afresh), so what earlier steps did
to the shared project (opt-outs, sends) doesn't change the members shown here.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime

from local.console import heading, step, table
from local.stack import REPO_ROOT, LocalStack

APPLICATION_ID = "d3e0a5c1b7f94e6a8c2d4f6b8a0c1e3f"
EVENTS = REPO_ROOT / "events"


def _cli(*argv: str) -> tuple[int, str]:
    from engagement.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    if code:
        raise RuntimeError(f"engagement {' '.join(argv)} failed: {err.getvalue()}")
    return code, out.getvalue()


def run(stack: LocalStack) -> None:
    from engagement.endpoints import build_registry
    from engagement.segments import build_segment_store, iter_members

    heading("Segments: Pinpoint segment definitions evaluated over the registry")
    endpoint_store = f"dynamodb://{stack.physical_id('EndpointsTable')}"
    segment_store = f"dynamodb://{stack.physical_id('SegmentsTable')}"
    stores = ("--endpoint-store", endpoint_store)
    _cli("endpoints", "import", str(EVENTS / "endpoints.csv"), "--application-id", APPLICATION_ID, *stores)

    vip_csv = EVENTS / "endpoints_vip.csv"
    step(
        f"engagement endpoints import {vip_csv.relative_to(REPO_ROOT)} --segment-name VIPs   (IMPORT segment)"
    )
    _cli(
        "endpoints", "import", str(vip_csv), "--application-id", APPLICATION_ID, *stores,
        "--segment-name", "VIPs", "--segment-store", segment_store,
    )  # fmt: skip

    segments = build_segment_store(segment_store)
    for name in ("segment_high_value.json", "segment_mobile_active.json"):
        step(f"engagement segments create --file events/{name}")
        _cli("segments", "create", "--file", str(EVENTS / name), "--application-id", APPLICATION_ID,
             "--segment-store", segment_store)  # fmt: skip

    registry = build_registry(endpoint_store)
    now = datetime.now(UTC)
    listed = segments.get_segments(ApplicationId=APPLICATION_ID)["SegmentsResponse"]["Item"]
    rows = []
    for segment in sorted(listed, key=lambda s: s["Name"]):
        found = iter_members(
            segments=segments,
            registry=registry,
            application_id=APPLICATION_ID,
            segment_id=segment["Id"],
            now=now,
        )
        ids = sorted(endpoint["Id"] for endpoint in found)
        rows.append((segment["Name"], segment["SegmentType"], len(ids), ", ".join(ids)))
    table(rows, ["Segment", "Type", "Members", "Endpoint ids"])

    mobile = next(s for s in listed if s["Name"] == "mobile-active-not-john")
    bucket = stack.physical_id("SegmentSnapshotsBucket")
    step(f"engagement segments export {mobile['Id'][:8]}… --bucket <snapshots>   (the scan workers, 4 parts)")
    _, out = _cli(
        "segments", "export", mobile["Id"], "--application-id", APPLICATION_ID, *stores,
        "--segment-store", segment_store, "--bucket", bucket,
    )  # fmt: skip
    snapshot = json.loads(out)
    print(
        f"   {snapshot['Count']} members in {len(snapshot['Keys'])} JSON Lines objects: {snapshot['Keys'][0]}"
    )
