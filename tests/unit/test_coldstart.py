"""Cold-start helpers: no GC during init, and no X-Ray SDK import when tracing is off."""

from __future__ import annotations

import gc
import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from aws_lambda_powertools.tracing.tracer import Tracer

from engagement import coldstart

LAYER = Path(__file__).resolve().parents[2] / "layers" / "engagement"
VARIABLES = {
    "POWERTOOLS_TRACE_DISABLED": ["", "true", "false", "1"],
    "LAMBDA_TASK_ROOT": ["", "/var/task"],
    "AWS_SAM_LOCAL": ["", "true"],
}


@pytest.mark.parametrize("values", list(itertools.product(*VARIABLES.values())))
def test_tracing_is_off_exactly_when_powertools_would_disable_it(values, monkeypatch):
    environ = {name: value for name, value in zip(VARIABLES, values, strict=True) if value}
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert coldstart.tracing_disabled(environ) == bool(Tracer._is_tracer_disabled())


def test_the_disabled_tracer_leaves_handlers_unchanged():
    tracer = coldstart.DisabledTracer()

    def handler(event, context):
        return {"echo": event}

    assert tracer.capture_lambda_handler(handler) is handler
    assert tracer.capture_lambda_handler(capture_response=False)(handler) is handler
    assert tracer.capture_method(handler) is handler


def test_tracing_off_never_imports_the_xray_sdk():
    code = (
        "import sys; from engagement import coldstart; t = coldstart.tracer(); coldstart.done(); "
        "import gc; assert gc.isenabled(); print(type(t).__name__, 'aws_xray_sdk' in sys.modules)"
    )
    env = {"PYTHONPATH": str(LAYER), "POWERTOOLS_TRACE_DISABLED": "true", "LAMBDA_TASK_ROOT": "/var/task"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["DisabledTracer", "False"]


def test_tracing_on_is_powertools_tracer(monkeypatch):
    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "false")
    monkeypatch.delenv("AWS_SAM_LOCAL", raising=False)
    assert isinstance(coldstart.tracer(), Tracer)


def test_importing_pauses_gc_until_done():
    code = (
        "import gc; from engagement import coldstart; paused = not gc.isenabled(); coldstart.done(); "
        "print(paused, gc.isenabled(), gc.get_freeze_count() > 0)"
    )
    in_lambda = {"PYTHONPATH": str(LAYER), "LAMBDA_TASK_ROOT": "/var/task"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=in_lambda, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "True", "True"]


def test_outside_lambda_gc_is_left_alone():
    code = (
        "import gc; from engagement import coldstart; print(gc.isenabled()); coldstart.done(); "
        "print(gc.get_freeze_count())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(LAYER)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["True", "0"]


def test_local_cold_starts_leave_gc_on_and_nothing_frozen(local_stack_free_spec):
    from local.functions import load_handler

    load_handler(local_stack_free_spec)
    assert gc.isenabled() and gc.get_freeze_count() == 0


@pytest.fixture
def local_stack_free_spec(tmp_path):
    from local.functions import FunctionSpec

    (tmp_path / "app.py").write_text(
        "from engagement import coldstart\ncoldstart.done()\ndef lambda_handler(e, c):\n    return e\n"
    )
    return FunctionSpec("Fn", "fn", tmp_path, "app.lambda_handler", 3)
