"""Run a SAM function's handler in-process, the Docker-free ``sam local invoke``.

Functions are found in ``template.yaml`` by their code directory (``functions/<name>``), so
the handler path, timeout and environment all come from the template.
"""

from __future__ import annotations

import gc
import importlib.util
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.stack import REGION, REPO_ROOT, LocalStack, load_template


@dataclass
class FunctionSpec:
    """One ``AWS::Serverless::Function`` of the template."""

    logical_id: str
    name: str
    code_dir: Path
    handler: str
    timeout_s: int


@dataclass
class LambdaContext:
    """The parts of Lambda's context object handlers and Powertools use."""

    function_name: str
    timeout_s: float
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:123456789012:function:{self.function_name}"

    @property
    def function_version(self) -> str:
        return "$LATEST"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self._started)) * 1000))


def function_specs(template: Mapping[str, Any] | None = None) -> dict[str, FunctionSpec]:
    """Functions of template.yaml by code directory name (``custom_channel`` ...)."""
    template = template or load_template()
    default_timeout = template.get("Globals", {}).get("Function", {}).get("Timeout", 3)
    specs = {}
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        code_dir = REPO_ROOT / props["CodeUri"]
        specs[code_dir.name] = FunctionSpec(
            logical_id=logical_id,
            name=code_dir.name,
            code_dir=code_dir,
            handler=props["Handler"],
            timeout_s=int(props.get("Timeout", default_timeout)),
        )
    return specs


@contextmanager
def patched_environ(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update({name: str(value) for name, value in values.items()})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def load_handler(spec: FunctionSpec) -> Callable[[Any, Any], Any]:
    """Import the handler module afresh: every load is a cold start with the current environment.

    The module gets the name Lambda gives it (``app``), so names derived from it - such as
    Powertools Idempotency keys - are the same locally as deployed and across local invokes.
    """
    module_name, _, attribute = spec.handler.rpartition(".")
    path = spec.code_dir / f"{module_name.replace('.', '/')}.py"
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    if module_spec is None or module_spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module  # replaces the previous cold start's module, as a new sandbox would
    try:
        module_spec.loader.exec_module(module)
    finally:
        # engagement.coldstart pauses GC for init and freezes what init built: right for a sandbox,
        # wrong for a process that cold-starts handlers hundreds of times (tests, the demo).
        gc.unfreeze()
        gc.enable()
    return getattr(module, attribute)


def lambda_environment(stack: LocalStack, name: str) -> dict[str, str]:
    """Every variable the function ``name`` sees deployed, pointed at the local stack."""
    spec = function_specs()[name]
    return {
        **stack.client_environment(),
        "AWS_LAMBDA_FUNCTION_NAME": stack.physical_id(spec.logical_id),
        **stack.function_environment(spec.logical_id),
    }


def invoke(
    stack: LocalStack,
    name: str,
    event: Any,
    *,
    env: Mapping[str, str] | None = None,
    timeout_s: float | None = None,
) -> Any:
    """Cold-start the function ``name`` with its template environment and invoke it once."""
    specs = function_specs()
    if name not in specs:
        raise KeyError(f"no function with CodeUri functions/{name} in template.yaml (have: {sorted(specs)})")
    spec = specs[name]
    function_name = stack.physical_id(spec.logical_id)
    environment = {
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        **stack.function_environment(spec.logical_id),
        **(env or {}),
    }
    context = LambdaContext(function_name=function_name, timeout_s=timeout_s or spec.timeout_s)
    with patched_environ(environment):
        handler = load_handler(spec)
        return handler(event, context)
