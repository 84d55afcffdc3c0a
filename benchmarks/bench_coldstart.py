"""Cold start measured the way Lambda starts a function (issue 10 §1).

    python benchmarks/bench_coldstart.py [--runs 5] [--baseline REV]

Each handler is started in a fresh interpreter (``local/sandbox.py``: ``-I -B``, the path Lambda
builds: the function, the layer, then the runtime's packages; ``LAMBDA_TASK_ROOT`` and the
function's environment set), from a build laid out as ``sam build`` ships it (``local/build.py``),
without the packages the runtime lacks (awscrt, pyOpenSSL). The interpreter is the runtime's,
``python3.13``, when this machine has one (else this Python, and the output says so).

Measured in one run, as the minimum of ``--runs`` cold starts each (the machine is shared):

- **reference**: ``import boto3, aws_lambda_powertools`` from the same build, and the same plus
  ``pydantic.main`` (what ``from pydantic import BaseModel`` loads): the least a handler that
  validates its input with a pydantic model can cost at init;
- **init** of every handler, today (``--baseline``: the sources before issue 10, without
  bytecode, as ``sam build`` shipped them) and now (this tree, with the bytecode ``make build``
  adds); goal: now <= 1.3 x reference;
- **init + first invocation** with a sample event against the local stack (moto on loopback,
  a fresh idempotency table per cold start so every run does the full work); goal: now < today.

Every handler in ``functions/`` is measured; those added after the baseline (the API, campaigns,
journey definitions, segment scan) for init only, as they have no sample event in ``events/``.
The load average is printed before and after the run.

Tracing is off (``POWERTOOLS_TRACE_DISABLED=true``), as when invoked locally; moto answers each
AWS call in a few ms of this machine's CPU, so the invocation times include that.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "engagement")]

from local.build import RUNTIME_LACKS, build, compile_tree, pip_install, runtime_python  # noqa: E402

SANDBOX = ROOT / "local" / "sandbox.py"
WORK = ROOT / ".local" / "bench_coldstart"
BASELINE = "f78c4c3"  # main when issue 10 was filed
INIT_GOAL = 1.3
# What `from pydantic import BaseModel` loads: every handler whose edge model is pydantic (design.md:
# "pydantic models of Pinpoint's shapes") pays it at init, whatever else it does.
PYDANTIC = ("pydantic.main",)
# The runtime's own packages (boto3 and its dependencies, compiled, as in /var/runtime).
RUNTIME_PACKAGES = ("boto3==1.44.8", "botocore==1.44.8")
EVENTS = {
    "custom_channel": "custom_channel_campaign.json",
    "event_stream": "kinesis_suppression.json",
    "ses_events": "ses_bounce.json",
    "journey_trigger": "eventbridge_order_placed.json",
}
# Every other handler in functions/ is measured for init only: they were added after the baseline
# (nothing to compare a first invocation with) and events/ has no sample event that runs them
# against the seeded stack (a Step Functions task, an API request, a campaign run).
HANDLERS = {
    name: EVENTS.get(name) for name in sorted(p.name for p in (ROOT / "functions").iterdir() if p.is_dir())
}


def runtime_dir(python: str) -> Path:
    """boto3 as the runtime ships it: installed once per interpreter, compiled."""
    key = hashlib.sha256(f"{python}{RUNTIME_PACKAGES}".encode()).hexdigest()[:12]
    target = WORK / f"runtime-{key}"
    if not (target / ".done").exists():
        shutil.rmtree(target, ignore_errors=True)
        pip_install(target, python, *RUNTIME_PACKAGES)
        compile_tree(target, python)
        (target / ".done").touch()
    return target


def baseline_sources(revision: str) -> Path | None:
    """The tree at ``revision`` (layers/ and functions/), or None without git history."""
    target = WORK / f"src-{revision}"
    if (target / "functions").is_dir():
        return target
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "layers", "functions"], capture_output=True
    )
    if archive.returncode != 0:
        return None
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def builds(python: str, revision: str) -> dict[str, Path]:
    offline = python == sys.executable  # no runtime interpreter: copy this one's packages
    result = {"now": build(WORK / "now", python=python, offline=offline, compiled=True)}
    source = baseline_sources(revision)
    if source is not None:
        result["today"] = build(
            WORK / "today", source_root=source, python=python, offline=offline, compiled=False
        )
    for tree in result.values():
        found = [p.name for p in (tree / "layer" / "python").iterdir() if p.name.lower() in RUNTIME_LACKS]
        assert not found, f"the runtime lacks {found}"
    return result


def cold_start(
    python: str, tree: Path, runtime: Path, name: str, env: dict[str, str], event: Path | None
) -> dict:
    task_root = tree / "functions" / name
    args = [
        python,
        "-I",
        "-B",
        str(SANDBOX),
        str(task_root),
        str(tree / "layer" / "python"),
        "app.lambda_handler",
    ]
    if event is not None:
        args.append(str(event))
    sandbox_env = {**env, "LAMBDA_TASK_ROOT": str(task_root), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([*args, "--runtime", str(runtime)], env=sandbox_env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{name} failed to start:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def reference(python: str, tree: Path, runtime: Path, *also: str) -> dict:
    """``import boto3, aws_lambda_powertools`` (then ``also``) in a fresh sandboxed interpreter."""
    out = subprocess.run(
        [
            python,
            "-I",
            "-B",
            str(SANDBOX),
            "--reference",
            str(tree / "layer" / "python"),
            *also,
            "--runtime",
            str(runtime),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    return json.loads(out.stdout)


def fresh_idempotency_table(stack) -> str:
    import boto3

    dynamodb = boto3.client("dynamodb")
    name = f"bench-idempotency-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    return name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE, help="git revision measured as 'today'")
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    python = runtime_python() or sys.executable
    version = subprocess.run([python, "--version"], capture_output=True, text=True).stdout.strip()
    note = "" if python != sys.executable else " (no python3.13 here: this interpreter, packages copied)"
    print(f"interpreter: {version}{note}")
    WORK.mkdir(parents=True, exist_ok=True)
    trees = builds(python, args.baseline)
    runtime = runtime_dir(python)

    import contextlib
    import io

    from local.functions import lambda_environment
    from local.seed import seed
    from local.stack import LocalStack

    with contextlib.redirect_stdout(io.StringIO()):
        stack = LocalStack().start()
    try:
        seed(stack)
        envs = {name: lambda_environment(stack, name) for name in HANDLERS}
        ref: list[dict] = []
        floor: list[dict] = []  # the reference plus pydantic, which every edge model imports
        results: dict[tuple[str, str], list[dict]] = {}
        for _ in range(args.runs):
            ref.append(reference(python, trees["now"], runtime))
            floor.append(reference(python, trees["now"], runtime, *PYDANTIC))
            for name, event in HANDLERS.items():
                for variant, tree in trees.items():
                    if not (tree / "functions" / name).is_dir():
                        continue  # not in the baseline
                    env = {
                        **envs[name],
                        "IDEMPOTENCY_TABLE": fresh_idempotency_table(stack),
                        "POWERTOOLS_TRACE_DISABLED": "true",
                    }
                    if event is None:
                        results.setdefault((name, variant), []).append(
                            cold_start(python, tree, runtime, name, env, None)
                        )
                        continue
                    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as copy:
                        copy.write((ROOT / "events" / event).read_text())
                    try:
                        run = cold_start(python, tree, runtime, name, env, Path(copy.name))
                    finally:
                        os.unlink(copy.name)
                    results.setdefault((name, variant), []).append(run)
    finally:
        stack.stop()

    def best(runs: list[dict], *keys: str) -> float:
        return min(sum(run[key] for key in keys) for run in runs) if runs else float("nan")

    reference_cpu, reference_wall = best(ref, "init_cpu_ms"), best(ref, "init_ms")
    print(
        f"reference import boto3, aws_lambda_powertools: {reference_cpu:.0f} ms CPU, "
        f"{reference_wall:.0f} ms wall (best of {args.runs})"
    )
    floor_cpu = best(floor, "init_cpu_ms")
    print(
        f"reference + pydantic ({', '.join(PYDANTIC)}): {floor_cpu:.0f} ms CPU = "
        f"{floor_cpu / reference_cpu:.2f}x: the least init of a handler with a pydantic model at its edge"
    )
    print("CPU ms of the sandbox process (a shared machine's load inflates wall-clock time, not CPU time)")
    print("load average before the run (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in load_before))
    columns = (("handler", -22), ("init today", 11), ("init now", 10), ("ratio", 7), ("wall", 7))
    header = "".join(f"{title:<{-w}}" if w < 0 else f"{title:>{w}}" for title, w in columns)
    print(f"{header}  {'init+1st today':>15}{'now':>7}  verdict")
    ok = True
    for name, event in HANDLERS.items():
        now, today = results[(name, "now")], results.get((name, "today"), [])
        init_now, ratio = best(now, "init_cpu_ms"), best(now, "init_cpu_ms") / reference_cpu
        wall_ratio = best(now, "init_ms") / reference_wall
        total_now, total_today = (
            best(now, "init_cpu_ms", "invoke_cpu_ms"),
            best(today, "init_cpu_ms", "invoke_cpu_ms"),
        )
        passed = ratio <= INIT_GOAL and (not today or total_now < total_today)
        ok &= passed
        totals = f"{total_today:>15.0f}{total_now:>7.0f}" if event else f"{'(init only)':>22}"
        print(
            f"{name:<22}{best(today, 'init_cpu_ms'):>11.0f}{init_now:>10.0f}{ratio:>6.2f}x{wall_ratio:>6.2f}x"
            f"  {totals}  {'PASS' if passed else 'FAIL'}"
        )
    print(f"goals: init <= {INIT_GOAL} x reference; init + first invocation below today's")
    print("load average after the run (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
