"""What a handler does at cold start to keep Lambda's init short (issue 10, benchmarks/bench_coldstart.py).

Import it before the rest of the ``engagement`` package in a handler::

    from engagement import coldstart    # from here on: no garbage collection during init
    ...
    tracer = coldstart.tracer()         # Powertools Tracer, or a no-op one when tracing is off
    ...
    coldstart.done()                    # end of init: freeze what init built, collect again

- **No GC during init** (in a Lambda sandbox). Init allocates ~150,000 objects (modules,
  botocore's service models, pydantic schemas) and frees almost none, yet CPython runs hundreds
  of collections over ever more of them: 20-30 % of a handler's init, measured. ``done()`` moves
  what init built into the permanent generation (``gc.freeze``: never scanned again) and turns
  collection back on.
- **No X-Ray SDK when tracing is off.** Powertools' ``Tracer()`` imports ``aws_xray_sdk`` even when
  disabled (to disable it); ``tracer()`` returns a stand-in with the same decorators instead, under
  Powertools' own rule for "off" (``POWERTOOLS_TRACE_DISABLED``, outside Lambda, SAM local).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from typing import Any

# Only in a Lambda sandbox (the runtime sets LAMBDA_TASK_ROOT): tests and tools that import a
# handler keep Python's usual collector.
_PAUSED = bool(os.environ.get("LAMBDA_TASK_ROOT")) and gc.isenabled()
if _PAUSED:
    gc.disable()


def done() -> None:
    """Init is over: what it built is kept for the sandbox's life, so never scan it again."""
    if _PAUSED:
        gc.freeze()
        gc.enable()


def tracing_disabled(environ: dict[str, str] | None = None) -> bool:
    """Powertools' rule (``Tracer._is_tracer_disabled``), without importing the tracer."""
    env = os.environ if environ is None else environ
    if env.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in ("1", "true", "yes", "y", "on"):
        return True
    return not env.get("LAMBDA_TASK_ROOT") or bool(
        env.get("AWS_SAM_LOCAL") or env.get("AWS_CHALICE_CLI_MODE")
    )


class DisabledTracer:
    """Powertools Tracer's surface, doing nothing (what ``Tracer`` does when disabled, minus the import)."""

    disabled = True

    def capture_lambda_handler(self, lambda_handler: Callable | None = None, **_: Any) -> Any:
        return lambda_handler if lambda_handler is not None else (lambda handler: handler)

    def capture_method(self, method: Callable | None = None, **_: Any) -> Any:
        return method if method is not None else (lambda function: function)

    def put_annotation(self, key: str, value: Any) -> None:
        return None

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None:
        return None


def tracer(**kwargs: Any) -> Any:
    """Powertools ``Tracer(**kwargs)`` when tracing is on, else a ``DisabledTracer``."""
    if tracing_disabled():
        return DisabledTracer()
    from aws_lambda_powertools import Tracer

    return Tracer(**kwargs)
