"""``engagement journeys validate|compile|deploy|state|list``: Pinpoint journeys on Step Functions.

    engagement journeys validate journey.json
    engagement journeys compile journey.json > journey.asl.json
    engagement journeys deploy journey.json --application-id APP [--journey-id ID] [--state ACTIVE]
    engagement journeys state JOURNEY_ID PAUSED --application-id APP

The file holds a ``WriteJourneyRequest`` or a whole ``get_journey`` answer (``{"JourneyResponse":
{...}}``; read-only fields are dropped). Deploy settings come from the stack's outputs in the
environment: ``JOURNEYS_TABLE``, ``JOURNEY_ACTIVITY_FUNCTION_ARN``, ``JOURNEY_STATE_MACHINE_ROLE_ARN``
(and ``JOURNEY_PUSH_VIA_WEBHOOK``). Errors name the activity and field and exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

READ_ONLY = (
    "Id",
    "ApplicationId",
    "CreationDate",
    "LastModifiedDate",
    "Version",
    "tags",
    "JourneyChannelSettings",
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "journeys", help="validate, compile and deploy Pinpoint journey definitions"
    )
    commands = parser.add_subparsers(dest="journeys_command", required=True, metavar="SUBCOMMAND")

    validate = commands.add_parser("validate", help="check a journey file against Pinpoint's model and rules")
    validate.add_argument("file", type=Path, metavar="FILE")
    validate.add_argument("--push-via-webhook", action="store_true", help="PUSH activities have a sender")
    validate.set_defaults(func=run_validate)

    compile_ = commands.add_parser("compile", help="print the Step Functions definition of a journey file")
    compile_.add_argument("file", type=Path, metavar="FILE")
    compile_.add_argument("--activity-function-arn", default="${JourneyActivityFunctionArn}")
    compile_.set_defaults(func=run_compile)

    deploy = commands.add_parser("deploy", help="create (or update) a journey and its state machine")
    deploy.add_argument("file", type=Path, metavar="FILE")
    deploy.add_argument("--application-id", required=True)
    deploy.add_argument("--journey-id", help="update this journey instead of creating one")
    deploy.add_argument("--state", choices=("DRAFT", "ACTIVE"), help="override the file's State")
    deploy.set_defaults(func=run_deploy)

    state = commands.add_parser("state", help="ACTIVE, PAUSED or CANCELLED (update_journey_state)")
    state.add_argument("journey_id", metavar="JOURNEY_ID")
    state.add_argument("state", choices=("ACTIVE", "PAUSED", "CANCELLED"), metavar="STATE")
    state.add_argument("--application-id", required=True)
    state.set_defaults(func=run_state)

    listing = commands.add_parser("list", help="the application's journeys (list_journeys)")
    listing.add_argument("--application-id", required=True)
    listing.set_defaults(func=run_list)


def read_journey(path: Path) -> dict[str, Any]:
    """A ``WriteJourneyRequest`` from a file holding one, or a ``get_journey`` / ``JourneyResponse`` dict."""
    body = json.loads(path.read_text(encoding="utf-8"))
    body = body.get("JourneyResponse", body)
    return {key: value for key, value in body.items() if key not in READ_ONLY}


def _fail(error: Exception) -> int:
    print(f"error: {getattr(error, 'message', error)}", file=sys.stderr)
    return 1


def run_validate(args: argparse.Namespace) -> int:
    from engagement.journeys.definitions.validate import validate_journey
    from engagement.models.errors import BadRequestException

    try:
        validate_journey(
            read_journey(args.file), supported=frozenset({"PUSH"} if args.push_via_webhook else ())
        )
    except (BadRequestException, OSError, ValueError) as error:
        return _fail(error)
    print(f"{args.file}: valid", file=sys.stderr)
    return 0


def run_compile(args: argparse.Namespace) -> int:
    from engagement.journeys.definitions.compiler import compile_journey

    try:
        body = read_journey(args.file)
    except (OSError, ValueError) as error:
        return _fail(error)
    json.dump(compile_journey(body, activity_function_arn=args.activity_function_arn), sys.stdout, indent=2)
    print()
    return 0


def _store() -> Any:
    from engagement.journeys.definitions.factory import build_store
    from engagement.journeys.definitions.settings import JourneyDefinitionSettings

    settings = JourneyDefinitionSettings.from_env()  # a SettingsError: engagement.cli.main prints it
    try:
        return build_store(settings)
    except ValueError as error:
        raise SystemExit(f"error: set JOURNEYS_TABLE (and the deploy settings): {error}") from None


def run_deploy(args: argparse.Namespace) -> int:
    from engagement.models.errors import PinpointError

    store = _store()
    try:
        body = read_journey(args.file)
        if args.state:
            body["State"] = args.state
        if args.journey_id:
            answer = store.update_journey(
                ApplicationId=args.application_id, JourneyId=args.journey_id, WriteJourneyRequest=body
            )
        else:
            answer = store.create_journey(ApplicationId=args.application_id, WriteJourneyRequest=body)
    except (PinpointError, OSError, ValueError) as error:
        return _fail(error)
    journey = answer["JourneyResponse"]
    arn = store.state_machine_arn(args.application_id, journey["Id"])
    print(
        json.dumps(
            {
                "Id": journey["Id"],
                "Version": journey["Version"],
                "State": journey["State"],
                "StateMachineArn": arn,
            }
        )
    )
    return 0


def run_state(args: argparse.Namespace) -> int:
    from engagement.models.errors import PinpointError

    try:
        answer = _store().update_journey_state(
            ApplicationId=args.application_id,
            JourneyId=args.journey_id,
            JourneyStateRequest={"State": args.state},
        )
    except PinpointError as error:
        return _fail(error)
    print(json.dumps({"Id": args.journey_id, "State": answer["JourneyResponse"]["State"]}))
    return 0


def run_list(args: argparse.Namespace) -> int:
    from engagement.cli.answer import all_pages

    store = _store()
    listed = all_pages(lambda token: store.list_journeys(ApplicationId=args.application_id, Token=token))
    for journey in listed["JourneysResponse"]["Item"]:
        print(json.dumps({key: journey.get(key) for key in ("Id", "Name", "State", "Version")}))
    return 0
