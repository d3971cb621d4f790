"""Shared fixtures: running the independent JavaScript peers (npm packages) at test time."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from zk_identity.node_tools import PROJECT_ROOT, node_executable, node_modules_dir

NodeRunner = Callable[..., Any]


def _run_node(source: str, *args: str, timeout: float = 120.0) -> Any:
    """Run an ES-module snippet with node in the project root; it must print one JSON value.

    The snippet gets its command-line arguments in `process.argv.slice(1)`. Bigints in the
    output should be printed as decimal strings.
    """
    node_modules_dir()  # clear error naming the setup command when npm ci was not run
    proc = subprocess.run(
        [str(node_executable()), "--input-type=module", "-e", source, "--", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"node peer failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def run_node() -> NodeRunner:
    """`run_node(js_source, *args) -> parsed JSON printed by the snippet` (an independent peer)."""
    return _run_node


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root (holds package.json and node_modules)."""
    return PROJECT_ROOT
