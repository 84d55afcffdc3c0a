"""``make stack``: the local stack, seeded, on a fixed port until Ctrl-C, and ``local/env.json``.

    python -m local.stack_serve [--port 5555] [--endpoint-host 127.0.0.1] [--env-file local/env.json]

For developers with Docker: ``sam local invoke`` runs a function in the Lambda container image,
and ``--env-vars local/env.json`` points it at this stack instead of AWS (each function's template
variables, resolved to the local resources, plus ``AWS_ENDPOINT_URL``)::

    make stack                                        # terminal 1: keeps running
    sam build && sam local invoke CustomChannelFunction -e events/custom_channel_journey.json \\
        --env-vars local/env.json --docker-network host   # terminal 2 (Linux)

``sam local invoke`` only sets variables the template declares, which is why ``template.yaml``
declares ``AWS_ENDPOINT_URL`` (empty when deployed: boto3 ignores it). The container reaches
the stack on the host's loopback with ``--docker-network host`` (Linux); with Docker Desktop use
``make stack STACK_HOST=host.docker.internal``. Credentials: any (``AWS_ACCESS_KEY_ID=testing``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import signal
import threading
from pathlib import Path
from typing import Any

from local.functions import function_specs, lambda_environment
from local.seed import seed
from local.stack import REPO_ROOT, LocalStack

DEFAULT_PORT = 5555
ENV_FILE = REPO_ROOT / "local" / "env.json"
# Set by Lambda (or sam local) itself; an env file must not carry this process's values.
_RUNTIME_SET = ("AWS_LAMBDA_FUNCTION_NAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def env_file(stack: LocalStack, endpoint_host: str = "127.0.0.1") -> dict[str, dict[str, Any]]:
    """``sam local invoke --env-vars`` content: per function logical id, its variables."""
    endpoint = stack.endpoint_url.replace("127.0.0.1", endpoint_host)
    content: dict[str, dict[str, Any]] = {}
    for name, spec in sorted(function_specs().items()):
        variables = {k: v for k, v in lambda_environment(stack, name).items() if k not in _RUNTIME_SET}
        variables["AWS_ENDPOINT_URL"] = endpoint
        content[spec.logical_id] = variables
    return content


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--endpoint-host", default="127.0.0.1", help="host the container reaches the stack at"
    )
    parser.add_argument("--env-file", type=Path, default=ENV_FILE)
    args = parser.parse_args(argv)

    with contextlib.redirect_stdout(io.StringIO()):
        stack = LocalStack(port=args.port).start()
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    try:
        seed(stack)
        args.env_file.write_text(
            json.dumps(env_file(stack, args.endpoint_host), indent=2, sort_keys=True) + "\n"
        )
        print(f"local stack: {stack.endpoint_url} ({len(stack.resources)} resources from template.yaml)")
        print(f"seeded: templates, the SES sender, the sample endpoints; wrote {args.env_file}")
        print("then: sam local invoke <Function> -e events/<file>.json --env-vars local/env.json")
        print("ready (Ctrl-C stops)", flush=True)
        stopped.wait()
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
