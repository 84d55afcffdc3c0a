"""``make demo``: the whole backend on the Docker-free local stack, step by step.

Each feature contributes one step module with ``run(stack)``; they share one local stack so a
later step sees what an earlier one did (imported endpoints, opt-outs, sends).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import time

from local.console import heading
from local.stack import LocalStack

STEPS = (
    "local.demo_endpoints",
    "local.demo_channel",
    "local.demo_stream",
    "local.demo_journeys",
    "local.demo_segments",
    "local.demo_api",
    "local.demo_campaigns",
    "local.demo_journey_definitions",
    "local.demo_otp",
    "local.demo_analytics",  # last: the run ends with the KPI report
)


def main() -> int:
    heading("Engagement backend demo: local stack (moto server on loopback, no AWS account, no Docker)")
    started = time.monotonic()
    with contextlib.redirect_stdout(io.StringIO()):  # moto's own chatter while the stack is created
        stack = LocalStack().start()
    try:
        print(
            f"local stack up at {stack.endpoint_url} with {len(stack.resources)} resources from template.yaml"
        )
        for name in STEPS:
            importlib.import_module(name).run(stack)
    finally:
        stack.stop()
    heading(f"Demo finished in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
