"""Runs handlebars.js once per session over the whole corpus (tests/conformance/render.js)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).with_name("render.js")


def run_node(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Render cases with handlebars.js; fail (never skip) when it is not installed."""
    if not (ROOT / "node_modules" / "handlebars" / "package.json").exists():
        pytest.fail("handlebars.js is not installed: run `npm ci` at the repository root")
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: install Node.js 20 and run `npm ci`")
    proc = subprocess.run(
        [node, str(HARNESS)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if proc.returncode != 0:
        pytest.fail(f"render.js failed: {proc.stderr}")
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def node_render():
    """The runner, for tests that send their own batch (e.g. hypothesis samples)."""
    return run_node
