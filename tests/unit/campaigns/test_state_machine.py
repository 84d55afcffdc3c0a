"""The run state machine's definition: every placeholder substituted, every state reachable, batches
retried on TemporaryBatchError, failures recorded (sam validate --lint checks the rest)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
DEFINITION = json.loads((ROOT / "statemachines" / "campaign_run.asl.json").read_text())


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def test_every_placeholder_has_a_substitution_in_the_template():
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=_Loader)
    substitutions = template["Resources"]["CampaignRunStateMachine"]["Properties"]["DefinitionSubstitutions"]
    placeholders = set(re.findall(r"\$\{(\w+)\}", json.dumps(DEFINITION)))
    assert placeholders == set(substitutions)


def test_every_state_is_reachable_and_every_next_exists():
    states = DEFINITION["States"]
    seen, todo = set(), [DEFINITION["StartAt"]]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        state = states[name]
        targets = [state.get("Next"), state.get("Default")]
        targets += [c["Next"] for c in state.get("Choices", []) + state.get("Catch", [])]
        todo.extend(t for t in targets if t)
    assert seen == set(states)


def test_batches_are_a_distributed_map_of_s3_objects_retried_on_temporary_failures():
    batches = DEFINITION["States"]["Batches"]
    assert batches["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    batch = batches["ItemProcessor"]["States"]["Batch"]
    assert batch["Retry"][0]["ErrorEquals"] == ["TemporaryBatchError"]
    assert batch["Parameters"]["Payload"]["RetryCount.$"] == "$$.State.RetryCount"
    assert DEFINITION["States"]["Record failed run"]["Parameters"]["Payload"]["Failed"] is True
