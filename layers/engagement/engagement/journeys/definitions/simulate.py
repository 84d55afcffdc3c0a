"""Run compiled journeys for real, locally and fast: moto 5's Step Functions interpreter
(``moto.stepfunctions.parser``, ``execute_state_machine``) with compressed time (decision 0021).

For tests and the demo; needs ``moto`` (a development dependency, not in the Lambda layer).

    clock = VirtualClock(datetime(2026, 11, 3, 10, tzinfo=UTC))
    with mock_aws(), executing_state_machines(clock, {activity_arn: activity_handler}):
        ...  # create_state_machine / start_execution as usual; Wait states advance the clock

* **Time.** Every ``Wait`` (``Seconds``, ``SecondsPath``, ``Timestamp``) returns at once and moves
  the execution's own clock forward. Each execution runs on its own thread, so each participant
  has its own timeline, starting at the clock's ``base``; the Lambda code reads ``clock.now()``.
* **Lambda tasks.** ``arn:aws:states:::lambda:invoke`` calls the Python handler registered for the
  ``FunctionName`` in-process (moto would need Docker to run a function).
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

Handler = Callable[[dict[str, Any]], Any]


class VirtualClock:
    """``now()`` = ``base`` + the calling thread's own offset (advanced by its Wait states)."""

    def __init__(self, base: datetime) -> None:
        self.base = base
        self._local = threading.local()

    def now(self) -> datetime:
        return self.base + timedelta(seconds=getattr(self._local, "offset", 0))

    def advance(self, seconds: float) -> None:
        self._local.offset = getattr(self._local, "offset", 0) + max(0.0, seconds)


class _Lambda:
    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        self.handlers = handlers

    def invoke(self, **params: Any) -> dict[str, Any]:
        name = params["FunctionName"]
        payload = params.get("Payload") or "{}"
        event = json.loads(payload) if isinstance(payload, str | bytes) else payload
        if name not in self.handlers:
            body = {"errorType": "ResourceNotFoundException", "errorMessage": f"no local handler for {name}"}
            return {
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "Payload": io.BytesIO(json.dumps(body).encode()),
            }
        try:
            result = self.handlers[name](event)
        except Exception as exc:  # reported to the state machine as a function error, as Lambda does
            body = {"errorType": type(exc).__name__, "errorMessage": str(exc)}
            return {
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "Payload": io.BytesIO(json.dumps(body).encode()),
            }
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(result, default=str).encode())}


@contextlib.contextmanager
def executing_state_machines(clock: VirtualClock, handlers: Mapping[str, Handler]) -> Iterator[None]:
    """Inside ``mock_aws()``: moto executes state machines, Waits advance ``clock``, Lambdas run here."""
    from moto.core.config import default_user_config
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function import timestamp, wait_function

    def wait_interval(_self: Any, _env: Any, wait_seconds: int) -> None:
        clock.advance(wait_seconds)

    def timestamp_seconds(self: Any, env: Any) -> int:
        self.string.eval(env=env)
        target = timestamp.Timestamp._from_timestamp_string(timestamp=env.stack.pop())
        return int((target - clock.now().replace(tzinfo=None)).total_seconds())

    saved = (
        dict(default_user_config.get("stepfunctions", {})),
        wait_function.WaitFunction._wait_interval,
        timestamp.Timestamp._get_wait_seconds,
        lambda_eval_utils.boto_client_for,
    )
    fake = _Lambda(handlers)
    default_user_config["stepfunctions"] = {**saved[0], "execute_state_machine": True}
    wait_function.WaitFunction._wait_interval = wait_interval
    timestamp.Timestamp._get_wait_seconds = timestamp_seconds
    lambda_eval_utils.boto_client_for = lambda **_kwargs: fake
    try:
        yield
    finally:
        default_user_config["stepfunctions"] = saved[0]
        wait_function.WaitFunction._wait_interval = saved[1]
        timestamp.Timestamp._get_wait_seconds = saved[2]
        lambda_eval_utils.boto_client_for = saved[3]


def wait_for(
    sfn: Any, execution_arns: list[str], *, poll: float = 0.01, limit: float = 60.0
) -> list[dict[str, Any]]:
    """``describe_execution`` of each execution once none is RUNNING (``limit`` guards a hung run)."""
    deadline = time.monotonic() + limit
    while True:
        described = [sfn.describe_execution(executionArn=arn) for arn in execution_arns]
        if all(item["status"] != "RUNNING" for item in described) or time.monotonic() > deadline:
            return described
        time.sleep(poll)


def visited(sfn: Any, execution_arn: str) -> list[str]:
    """The states an execution entered, in order (from its history)."""
    events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return [
        details["name"] for event in events if (details := event.get("stateEnteredEventDetails")) is not None
    ]
