"""``engagement campaigns create|update|get|list|versions|delete|run|activities``: Pinpoint campaigns.

    engagement campaigns create --file campaign.json --application-id APP
    engagement campaigns run CAMPAIGN_ID --application-id APP          # one run now, in-process
    engagement campaigns run CAMPAIGN_ID --application-id APP --at 2026-12-01T15:00:00Z  # resume it
    engagement campaigns activities CAMPAIGN_ID --application-id APP

Settings come from the environment as the run function reads them (``CAMPAIGNS_TABLE``,
``SEGMENT_STORE``, ``ENDPOINT_STORE``, ``TEMPLATE_STORE``, ``EVENT_STREAM_NAME``, and the custom
channel's own: ``IDEMPOTENCY_TABLE``, ``SENDER_EMAIL``...); ``--campaigns-table`` overrides the
first. With ``CAMPAIGN_SCHEDULE_GROUP``, ``CAMPAIGN_STATE_MACHINE_ARN`` and
``CAMPAIGN_SCHEDULER_ROLE_ARN`` set, ``create`` also puts the EventBridge Scheduler schedule.
``run`` is the same code as the state machine's steps; a run is named by campaign and scheduled
time, so ``--at`` with an earlier run's time resumes it and sends nothing twice.
Responses print as Pinpoint's JSON (``list``, ``versions`` and ``activities``: every page); a Pinpoint
error prints ``error: Code: message`` (exit 2).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engagement.cli.answer import UsageError, all_pages, answer


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("campaigns", help="create, run and inspect campaigns")
    commands = parser.add_subparsers(dest="campaigns_command", required=True, metavar="SUBCOMMAND")
    specs: list[tuple[str, str, Callable[[argparse.Namespace], int], tuple[str, ...]]] = [
        ("create", "create (and schedule) a campaign from a WriteCampaignRequest file", _create, ("file",)),
        ("update", "a new version of a campaign from a WriteCampaignRequest file", _update, ("id", "file")),
        ("get", "print a campaign (latest or --version)", _get, ("id", "version")),
        ("list", "print every campaign of the application", _list, ()),
        ("versions", "print every version of a campaign", _versions, ("id",)),
        ("delete", "delete a campaign and its schedule", _delete, ("id",)),
        (
            "run",
            "run a campaign once now, in this process (same code as the state machine)",
            _run,
            ("id", "at"),
        ),
        ("activities", "print a campaign's runs and their counters", _activities, ("id",)),
    ]
    for name, help_text, func, arguments in specs:
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--application-id", required=True, help="Pinpoint application (project) id")
        command.add_argument(
            "--campaigns-table", default=os.environ.get("CAMPAIGNS_TABLE"), help="default: $CAMPAIGNS_TABLE"
        )
        if "id" in arguments:
            command.add_argument("campaign_id", metavar="CAMPAIGN_ID")
        if "file" in arguments:
            command.add_argument("--file", type=Path, required=True, help="WriteCampaignRequest JSON")
        if "version" in arguments:
            command.add_argument("--version", type=int)
        if "at" in arguments:
            command.add_argument("--at", help="scheduled time of the run (ISO 8601; default: now)")
        command.set_defaults(func=func)


def _settings(args: argparse.Namespace) -> Any:
    """Bad settings raise ``SettingsError``, which ``engagement.cli.main`` prints as one line."""
    from engagement.campaigns.settings import CampaignSettings

    return CampaignSettings.from_env({**os.environ, "CAMPAIGNS_TABLE": args.campaigns_table or ""})


def _store(args: argparse.Namespace) -> Any:
    from engagement.campaigns.factory import build_store

    return build_store(_settings(args))


def _body(path: Path) -> dict[str, Any]:
    from engagement.cli.render import CommandError, _load_object

    try:
        return _load_object(path, "WriteCampaignRequest")
    except CommandError as error:
        raise UsageError(str(error)) from None


def _create(args: argparse.Namespace) -> int:
    return answer(
        lambda: _store(args).create_campaign(
            ApplicationId=args.application_id, WriteCampaignRequest=_body(args.file)
        )
    )


def _update(args: argparse.Namespace) -> int:
    return answer(
        lambda: _store(args).update_campaign(
            ApplicationId=args.application_id,
            CampaignId=args.campaign_id,
            WriteCampaignRequest=_body(args.file),
        )
    )


def _get(args: argparse.Namespace) -> int:
    ids = {"ApplicationId": args.application_id, "CampaignId": args.campaign_id}
    if args.version is None:
        return answer(lambda: _store(args).get_campaign(**ids))
    return answer(lambda: _store(args).get_campaign_version(**ids, Version=args.version))


def _list(args: argparse.Namespace) -> int:
    return _every_page(args, "get_campaigns")


def _versions(args: argparse.Namespace) -> int:
    return _every_page(args, "get_campaign_versions", CampaignId=args.campaign_id)


def _delete(args: argparse.Namespace) -> int:
    return answer(
        lambda: _store(args).delete_campaign(ApplicationId=args.application_id, CampaignId=args.campaign_id)
    )


def _activities(args: argparse.Namespace) -> int:
    return _every_page(args, "get_campaign_activities", CampaignId=args.campaign_id)


def _every_page(args: argparse.Namespace, method: str, **ids: str) -> int:
    """Print one response with the items of every page of a list ``method`` of the store."""

    def call() -> dict[str, Any]:
        list_page = getattr(_store(args), method)
        return all_pages(lambda token: list_page(ApplicationId=args.application_id, **ids, Token=token))

    return answer(call)


def _run(args: argparse.Namespace) -> int:
    def run() -> Any:
        from engagement.campaigns.factory import build_run_services
        from engagement.campaigns.run import run_campaign

        services = build_run_services(_settings(args))
        return run_campaign(
            services, ApplicationId=args.application_id, CampaignId=args.campaign_id, ScheduledTime=args.at
        )

    return answer(run)
