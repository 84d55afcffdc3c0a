"""Headless Chromium for the browser tests: Debian's `chromium`, installed here when missing.

On a clean machine (CI runs as root) the session installs it with apt-get; only where that is
impossible (not root, no apt-get, no network) are the browser tests skipped, with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

INSTALL = (["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],)


def _install() -> str | None:
    """Install Debian's chromium; return why not, or None when it worked."""
    if shutil.which("apt-get") is None:
        return "no apt-get on this machine"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return "not root: run `apt-get install -y chromium` once"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], *INSTALL):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0 and command[1] == "install":
            return f"apt-get install chromium failed: {done.stderr.strip()[-300:]}"
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        reason = _install()
        found = shutil.which("chromium")
        if found is None:
            pytest.skip(f"headless Chromium unavailable: {reason or 'not on PATH after install'}")
    return found
