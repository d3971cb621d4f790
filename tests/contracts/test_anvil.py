"""The embedded chain helper: anvil starts on a loopback port, answers, and stops by its PID."""

from __future__ import annotations

import pytest

from contracts import AnvilError, ChainError
from contracts.anvil import AnvilNode, rpc_call
from contracts.connection import connect
from personhood.config import load_settings

pytestmark = pytest.mark.slow


def test_anvil_starts_answers_and_stops():
    with AnvilNode.start(chain_id=4242) as node:
        assert node.url.startswith("http://127.0.0.1:")
        assert int(str(rpc_call(node.url, "eth_chainId")), 16) == 4242
        pid = node.process.pid
    assert node.process.poll() is not None, f"anvil {pid} still running"
    with pytest.raises(OSError):
        rpc_call(node.url, "eth_chainId", timeout=1.0)


def test_connect_starts_an_embedded_chain_when_no_rpc_url():
    settings = load_settings(environ={})
    with connect(settings.rpc_url, settings.node_modules) as w3:
        assert w3.eth.chain_id == 31337
        assert w3.eth.block_number == 0


def test_connect_reports_an_unreachable_rpc_url():
    with pytest.raises(ChainError), connect("http://127.0.0.1:9"):
        pass


def test_rpc_errors_are_named():
    with AnvilNode.start() as node, pytest.raises(AnvilError, match="no_such_method"):
        rpc_call(node.url, "no_such_method")
