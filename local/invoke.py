"""``make invoke FUNCTION=<name> EVENT=events/<file>.json``: one handler, in-process, local stack."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from local.functions import invoke
from local.seed import seed
from local.stack import running_stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("function", help="directory name under functions/, e.g. custom_channel")
    parser.add_argument("event", type=Path, help="JSON event file, e.g. events/custom_channel_journey.json")
    args = parser.parse_args(argv)
    event = json.loads(args.event.read_text())
    with running_stack() as stack:
        seed(stack)  # sample templates in the bucket, a verified SES sender
        result = invoke(stack, args.function, event)
    json.dump(result, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
