"""Reach the configured chain: an RPC URL (`Settings.rpc_url`), or an embedded anvil when it is empty."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from requests.exceptions import RequestException
from web3 import Web3
from web3.providers.rpc import HTTPProvider
from web3.types import RPCEndpoint, RPCResponse

from .anvil import AnvilNode
from .errors import ChainError, NodeUnavailableError

RPC_TIMEOUT_S = 30.0
# web3 asks eth_chainId before every eth_call, eth_estimateGas and transaction (its validation middleware):
# one extra round trip per read. A node's chain id does not change under a URL, so it is cached (per
# thread, by web3 itself); the deployment's own chain id is checked against the node when it is opened.
CACHED_RPC = frozenset({RPCEndpoint("eth_chainId")})


class NodeProvider(HTTPProvider):
    """web3's HTTP provider whose transport failures are chain errors: a node that does not answer (after
    web3's own retries of idempotent calls) raises NodeUnavailableError naming the call, so every caller
    that handles ChainError handles an unreachable node too, instead of a `requests` exception escaping."""

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        try:
            return super().make_request(method, params)
        except RequestException as e:
            raise NodeUnavailableError(
                f"the JSON-RPC node at {self.endpoint_uri} did not answer {method}: {type(e).__name__}"
            ) from e


def http_web3(url: str) -> Web3:
    """A Web3 on the JSON-RPC node at `url` (NodeProvider): request timeout RPC_TIMEOUT_S, eth_chainId
    cached."""
    provider = NodeProvider(
        url,
        request_kwargs={"timeout": RPC_TIMEOUT_S},
        cache_allowed_requests=True,
        cacheable_requests=set(CACHED_RPC),
    )
    return Web3(provider)


@contextmanager
def connect(rpc_url: str = "", node_modules: Path | None = None) -> Iterator[Web3]:
    """A Web3 connected to `rpc_url`, or to a fresh local anvil (stopped on exit) when it is "".

    Raises ChainError when the node does not answer.
    """
    node = AnvilNode.start(node_modules=node_modules) if not rpc_url else None
    try:
        url = node.url if node is not None else rpc_url
        w3 = http_web3(url)
        if not w3.is_connected():
            raise ChainError(f"no JSON-RPC node answers at {url}; check rpc_url in the configuration")
        yield w3
    finally:
        if node is not None:
            node.stop()
