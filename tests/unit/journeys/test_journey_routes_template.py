"""routes.json and template.yaml's EventBridge rules cannot drift apart."""

from __future__ import annotations

import copy

import pytest

from engagement.journeys.consistency import FUNCTION_ID, check_routes
from engagement.journeys.routes import RouteTable, load_routes
from local.stack import load_template


@pytest.fixture(scope="module")
def template():
    return load_template()


def _events(template):
    return template["Resources"][FUNCTION_ID]["Properties"]["Events"]


def test_every_route_has_an_identical_rule_and_every_rule_a_route(template):
    assert check_routes(template, load_routes()) == []


def test_a_changed_pattern_in_the_template_is_reported(template):
    changed = copy.deepcopy(template)
    _events(changed)["OrderPlaced"]["Properties"]["Pattern"]["detail"]["status"] = ["PLACED", "PAID"]
    assert any("OrderPlaced: pattern differs" in p for p in check_routes(changed, load_routes()))


def test_a_rule_without_route_and_a_route_without_rule_are_reported(template):
    changed = copy.deepcopy(template)
    _events(changed)["Orphan"] = copy.deepcopy(_events(changed).pop("TrialEnding"))
    problems = check_routes(changed, load_routes())
    assert any("rule Orphan" in p for p in problems)
    assert any("route TrialEnding has no EventBridgeRule" in p for p in problems)


def test_rules_need_retry_policy_and_dead_letter_queue(template):
    changed = copy.deepcopy(template)
    del _events(changed)["CartAbandoned"]["Properties"]["DeadLetterConfig"]
    assert check_routes(changed, load_routes()) == ["route CartAbandoned: rule has no DeadLetterConfig"]


def test_step_functions_routes_need_a_startable_state_machine(template):
    changed = copy.deepcopy(template)
    changed["Resources"][FUNCTION_ID]["Properties"]["Policies"] = [
        p
        for p in changed["Resources"][FUNCTION_ID]["Properties"]["Policies"]
        if "StepFunctionsExecutionPolicy" not in p
    ]
    assert any("StepFunctionsExecutionPolicy" in p for p in check_routes(changed, load_routes()))
    routes = load_routes().model_dump()
    routes["routes"][0]["target"]["state_machine"] = "MissingJourney"
    assert any("MissingJourney is not a resource" in p for p in check_routes(template, RouteTable(**routes)))


def test_check_routes_command_exits_nonzero_on_drift(tmp_path, capsys):
    from engagement.journeys.__main__ import main
    from local.stack import TEMPLATE_PATH

    assert main(["check-routes", "--template", str(TEMPLATE_PATH)]) == 0
    drifted = tmp_path / "template.yaml"
    drifted.write_text(
        TEMPLATE_PATH.read_text().replace("detail-type: [Order Placed]", "detail-type: [Order Paid]")
    )
    assert main(["check-routes", "--template", str(drifted)]) == 1
    assert "OrderPlaced: pattern differs" in capsys.readouterr().err
