"""``python -m engagement.journeys check-routes``: compare routes.json with template.yaml's rules.

Development tool (it parses the SAM template with aws-sam-translator, which is not in the layer).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engagement.journeys")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check-routes", help="every route has an identical EventBridge rule and vice versa"
    )
    check.add_argument("--template", type=Path, default=Path("template.yaml"))
    check.add_argument(
        "--routes", type=Path, default=None, help="route table (default: the shipped routes.json)"
    )
    args = parser.parse_args(argv)

    from samtranslator.yaml_helper import yaml_parse

    from engagement.journeys.consistency import check_routes
    from engagement.journeys.routes import load_routes

    routes = load_routes(args.routes)
    problems = check_routes(yaml_parse(args.template.read_text()), routes)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{len(routes.routes)} routes match the EventBridge rules of {args.template}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
