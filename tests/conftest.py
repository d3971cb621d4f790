"""Shared fixtures: running the independent JavaScript peers (npm packages) at test time."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hardware.softhsm import SoftHsmToken, init_softhsm_token
from peers import run_node as run_node_peer
from zk_identity.node_tools import PROJECT_ROOT

from .postgres_server import PostgresMissingError, PostgresServer, running_postgres

NodeRunner = Callable[..., Any]


@pytest.fixture(scope="session")
def run_node() -> NodeRunner:
    """`run_node(js_source, *args) -> parsed JSON printed by the snippet` (an independent peer)."""
    return run_node_peer


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root (holds package.json and node_modules)."""
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsmToken]:
    """The session's one SoftHSM2 token; SOFTHSM2_CONF points at it before the library is loaded.

    One per process: the PKCS#11 library reads SOFTHSM2_CONF once, when it is first loaded, so a second
    token in another directory would be invisible. Tests that need a token use this one, with their own
    key labels.

    Fails (never skips) with a message naming `make setup` when SoftHSM2 is not installed.
    """
    token = init_softhsm_token(tmp_path_factory.mktemp("softhsm"), "personhood-test", "246810", "13579111")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(token.config)
    yield token
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's one real PostgreSQL server (tests/postgres_server.py), stopped at the end.

    Skipped, with the reason and the install step, only where the server binaries are not installed.
    """
    try:
        with running_postgres() as server:
            yield server
    except PostgresMissingError as missing:
        pytest.skip(str(missing))


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """SQLAlchemy URL of an empty database of its own on the session's PostgreSQL server."""
    with postgres_server.fresh_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Runs a SQL store test twice: on a SQLite file in tmp_path and on an empty PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("postgres_url")
