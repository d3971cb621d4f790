"""Reach the configured chain: an RPC URL (`Settings.rpc_url`), or an embedded anvil when it is empty."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from web3 import Web3

from .anvil import AnvilNode
from .errors import ChainError

RPC_TIMEOUT_S = 30.0


@contextmanager
def connect(rpc_url: str = "", node_modules: Path | None = None) -> Iterator[Web3]:
    """A Web3 connected to `rpc_url`, or to a fresh local anvil (stopped on exit) when it is "".

    Raises ChainError when the node does not answer.
    """
    node = AnvilNode.start(node_modules=node_modules) if not rpc_url else None
    try:
        url = node.url if node is not None else rpc_url
        w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": RPC_TIMEOUT_S}))
        if not w3.is_connected():
            raise ChainError(f"no JSON-RPC node answers at {url}; check rpc_url in the configuration")
        yield w3
    finally:
        if node is not None:
            node.stop()
