"""Journey definitions on the local stack: the CLI deploys into JourneysTable and Step Functions, and
the three functions (activity, entry, message events) cold-start with their template environment.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from engagement.cli import main

pytestmark = pytest.mark.integration


@pytest.fixture
def app_id() -> str:
    return f"journeydefs-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def deploy_env(local_stack: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "JOURNEYS_TABLE": local_stack.physical_id("JourneysTable"),
        "JOURNEY_ACTIVITY_FUNCTION_ARN": local_stack.outputs["JourneyActivityFunctionArn"],
        "JOURNEY_STATE_MACHINE_ROLE_ARN": local_stack.outputs["JourneyStateMachineRoleArn"],
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def endpoint(local_stack: Any, app_id: str) -> str:
    from engagement.endpoints import build_registry

    registry = build_registry(f"dynamodb://{local_stack.physical_id('EndpointsTable')}")
    request = {
        "ChannelType": "EMAIL",
        "Address": "ann@example.com",
        "Demographic": {"Timezone": "Europe/Berlin"},
    }
    registry.update_endpoint(ApplicationId=app_id, EndpointId="ann", EndpointRequest=request)
    return "ann"


def _journey_file(tmp_path: Path) -> Path:
    started = datetime.now(UTC) - timedelta(hours=1)  # without a StartTime entry opens 5 min after publishing
    body = {
        "Name": "integration",
        "Schedule": {"StartTime": started.strftime("%Y-%m-%dT%H:%M:%SZ")},
        "StartActivity": "gate",
        "Activities": {
            "gate": {"Holdout": {"Percentage": 0, "NextActivity": "mail"}},
            "mail": {"EMAIL": {"TemplateName": "welcome"}},
        },
        "StartCondition": {
            "EventStartCondition": {
                "EventFilter": {
                    "FilterType": "ENDPOINT",
                    "Dimensions": {"EventType": {"DimensionType": "INCLUSIVE", "Values": ["signup"]}},
                }
            }
        },
    }
    path = tmp_path / "journey.json"
    path.write_text(json.dumps({"JourneyResponse": {**body, "Id": "ignored", "Version": 9}}))
    return path


def test_cli_deploys_a_journey_and_its_state_machine(deploy_env, app_id, tmp_path, capsys):
    assert (
        main(
            [
                "journeys",
                "deploy",
                str(_journey_file(tmp_path)),
                "--application-id",
                app_id,
                "--state",
                "ACTIVE",
            ]
        )
        == 0
    )
    deployed = json.loads(capsys.readouterr().out)
    assert deployed["State"] == "ACTIVE" and deployed["Version"] == 1 and deployed["Id"] != "ignored"
    definition = json.loads(
        boto3.client("stepfunctions").describe_state_machine(stateMachineArn=deployed["StateMachineArn"])[
            "definition"
        ]
    )
    assert definition["StartAt"] == "gate"
    assert (
        definition["States"]["mail"]["Parameters"]["FunctionName"]
        == deploy_env["JOURNEY_ACTIVITY_FUNCTION_ARN"]
    )


def test_cli_refuses_a_bad_journey_naming_activity_and_field(deploy_env, app_id, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "Name": "bad",
                "StartActivity": "a",
                "Activities": {"a": {"EMAIL": {"TemplateName": "t", "NextActivity": "b"}}},
            }
        )
    )
    assert main(["journeys", "deploy", str(path), "--application-id", app_id]) == 1
    assert "Activities.a.EMAIL.NextActivity: 'b' is not an activity" in capsys.readouterr().err


def test_functions_enter_evaluate_and_record_on_the_local_stack(
    deploy_env, app_id, endpoint, tmp_path, capsys, invoke_function
):
    main(
        ["journeys", "deploy", str(_journey_file(tmp_path)), "--application-id", app_id, "--state", "ACTIVE"]
    )
    deployed = json.loads(capsys.readouterr().out)

    events = {
        "BatchItem": {
            endpoint: {
                "Endpoint": {},
                "Events": {"e1": {"EventType": "signup", "Timestamp": "2026-11-03T10:00:00Z"}},
            }
        }
    }
    answer = invoke_function("journey_entry", {"ApplicationId": app_id, "EventsRequest": events})
    assert answer["EventsResponse"]["Results"][endpoint]["EventsItemResponse"]["e1"]["StatusCode"] == 202
    executions = boto3.client("stepfunctions").list_executions(stateMachineArn=deployed["StateMachineArn"])[
        "executions"
    ]
    assert len(executions) == 1

    ids = {"ApplicationId": app_id, "JourneyId": deployed["Id"], "RunId": "event-e1", "EndpointId": endpoint}
    step = {"Action": "evaluate", "ActivityId": "gate", "JourneyVersion": 1, **ids}
    step["ExecutionId"] = executions[0]["executionArn"]
    assert invoke_function("journey_activity", step) == {"Next": "mail", "WaitSeconds": 0}

    from engagement.events.kinesis import lambda_event
    from engagement.events.records import build_event_record

    tags = {"journey_id": deployed["Id"], "journey_activity_id": "mail"}
    opened = build_event_record(
        event_type="_email.open", application_id=app_id, endpoint_id=endpoint, attributes=tags
    )
    result = invoke_function("journey_message_events", lambda_event([json.dumps(opened)]))
    assert result == {"batchItemFailures": []}
    table = boto3.resource("dynamodb").Table(deploy_env["JOURNEYS_TABLE"])
    items = table.query(
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": f"MSG#{app_id}#{deployed['Id']}#{endpoint}"},
    )
    assert [item["event_type"] for item in items["Items"]] == ["_email.open"]


def test_the_triggers_pinpoint_route_starts_an_event_journey_in_standalone_mode(
    deploy_env, local_stack, tmp_path, capsys, invoke_function
):
    """EventBridge → journey_trigger (route ``CartAbandoned``, target "pinpoint") → the journey whose
    EventStartCondition names the route's event type: no Pinpoint, a Step Functions execution."""
    from engagement.endpoints import build_registry

    app_id = local_stack.function_environment("JourneyTriggerFunction")["JOURNEY_APPLICATION_ID"]
    shopper = f"shopper-{uuid.uuid4().hex[:8]}"
    registry = build_registry(f"dynamodb://{local_stack.physical_id('EndpointsTable')}")
    registry.update_endpoint(
        ApplicationId=app_id,
        EndpointId=shopper,
        EndpointRequest={"ChannelType": "EMAIL", "Address": f"{shopper}@example.com"},
    )
    path = _journey_file(tmp_path)
    body = json.loads(path.read_text())
    condition = body["JourneyResponse"]["StartCondition"]["EventStartCondition"]["EventFilter"]
    condition["Dimensions"]["EventType"]["Values"] = ["cart.abandoned"]
    body["JourneyResponse"]["Name"] = f"cart_{shopper}"
    path.write_text(json.dumps(body))
    main(["journeys", "deploy", str(path), "--application-id", app_id, "--state", "ACTIVE"])
    deployed = json.loads(capsys.readouterr().out)

    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "source": "com.example.carts",
        "detail-type": "Cart Abandoned",
        "account": "123456789012",
        "time": "2026-11-03T10:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"endpointId": shopper, "cartId": "c-1", "itemCount": 2, "cartValue": 80.0},
    }
    answer = invoke_function("journey_trigger", event)
    assert answer["status"] == "started", answer
    executions = boto3.client("stepfunctions").list_executions(stateMachineArn=deployed["StateMachineArn"])
    assert len(executions["executions"]) == 1
    assert shopper in executions["executions"][0]["name"] or shopper in json.dumps(
        boto3.client("stepfunctions").describe_execution(
            executionArn=executions["executions"][0]["executionArn"]
        )["input"]
    )
