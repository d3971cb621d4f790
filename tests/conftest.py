"""Shared fixtures: running the independent JavaScript peers (npm packages) at test time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from peers import run_node as run_node_peer
from zk_identity.node_tools import PROJECT_ROOT

NodeRunner = Callable[..., Any]


@pytest.fixture(scope="session")
def run_node() -> NodeRunner:
    """`run_node(js_source, *args) -> parsed JSON printed by the snippet` (an independent peer)."""
    return run_node_peer


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root (holds package.json and node_modules)."""
    return PROJECT_ROOT
