"""The ``engagement`` command line: endpoints import/export, template preview, stream redrive.

Settings every command reads from the environment (``EnvSettings.from_env``) fail the same way:
one line ``error: <VARIABLE>: <what is wrong>`` on stderr and exit code 2, handled here in ``main``.

argparse rather than click: it is in the standard library, costs nothing to import, and the
CLI ships inside the Lambda layer (docs/decisions/0003-cli-argparse.md).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each module exposes ``register(subparsers)``; it must import its heavy dependencies lazily.
COMMAND_MODULES = (
    "endpoints",
    "render",
    "stream",
    "segments",
    "campaigns",
    "journeys",
    "kpi",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="engagement",
        description="Pinpoint-compatible engagement backend: endpoints, templates, event stream.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue  # feature not installed in this build
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    except ValueError as error:
        if not _is_settings_error(error):
            raise
        print(f"error: {error}", file=sys.stderr)  # "error: MAX_WORKERS: Input should be ..."
        return 2


def _is_settings_error(error: BaseException) -> bool:
    """Whether ``error`` is an ``engagement.config.SettingsError`` (bad environment variables).

    Checked without importing ``engagement.config`` (pydantic): a command that never read settings
    cannot have raised one.
    """
    config = sys.modules.get("engagement.config")
    return config is not None and isinstance(error, config.SettingsError)


if __name__ == "__main__":
    raise SystemExit(main())
