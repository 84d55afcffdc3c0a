"""One Lambda cold start in a fresh interpreter, laid out as the python3.13 runtime lays it out.

    python -I -B local/sandbox.py TASK_ROOT LAYER_DIR HANDLER [EVENT_FILE] [--runtime DIR]
    python -I -B local/sandbox.py --reference LAYER_DIR [MODULE ...] [--runtime DIR]

Run with ``-I`` (no ``PYTHON*`` variables, no user site, not even this file's directory on the
path) and ``-B`` (Lambda's code is read-only: nothing compiled at run time is kept). The path is
``TASK_ROOT`` (``/var/task``), the layer (``/opt/python``), then the runtime's own packages; the
environment is the caller's, which sets what Lambda sets (``LAMBDA_TASK_ROOT``,
``AWS_LAMBDA_FUNCTION_NAME``) and the function's variables. Prints one JSON line: the init time
(importing the handler module), the first invocation's time (wall clock and CPU) and its result.

Only the standard library here: nothing of the repository may be importable in the sandbox.
"""

from __future__ import annotations

import json
import sys
import time
import uuid


class LambdaContext:
    def __init__(self, function_name: str, timeout_s: float) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "sandbox"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _cpu_ms(since: float) -> float:
    """CPU time of this process (all threads) since ``since``: what a shared machine's load
    does not inflate, unlike wall-clock time."""
    return (time.process_time() - since) * 1000


def main(argv: list[str]) -> int:
    import os

    runtime = []
    if "--runtime" in argv:
        index = argv.index("--runtime")
        runtime = [argv[index + 1]]
        del argv[index : index + 2]
    if argv[0] == "--reference":  # --reference LAYER_DIR [MODULE ...]: and these modules too
        sys.path[:0] = [argv[1], *runtime]
        started, cpu = time.perf_counter(), time.process_time()
        import aws_lambda_powertools  # noqa: F401
        import boto3  # noqa: F401

        for extra in argv[2:]:
            __import__(extra)

        print(json.dumps({"init_ms": (time.perf_counter() - started) * 1000, "init_cpu_ms": _cpu_ms(cpu)}))
        return 0
    task_root, layer, handler = argv[:3]
    sys.path[:0] = [task_root, layer, *runtime]
    module_name, _, attribute = handler.rpartition(".")
    started, cpu = time.perf_counter(), time.process_time()
    module = __import__(module_name)
    init_ms, init_cpu_ms = (time.perf_counter() - started) * 1000, _cpu_ms(cpu)
    result = None
    invoke_ms = invoke_cpu_ms = 0.0
    if len(argv) > 3:
        with open(argv[3]) as stream:
            event = json.load(stream)
        context = LambdaContext(os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function"), 30)
        started, cpu = time.perf_counter(), time.process_time()
        result = getattr(module, attribute)(event, context)
        invoke_ms, invoke_cpu_ms = (time.perf_counter() - started) * 1000, _cpu_ms(cpu)
    sys.stdout.flush()
    times = {
        "init_ms": init_ms,
        "init_cpu_ms": init_cpu_ms,
        "invoke_ms": invoke_ms,
        "invoke_cpu_ms": invoke_cpu_ms,
    }
    print("\n" + json.dumps({**times, "result": result}, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
