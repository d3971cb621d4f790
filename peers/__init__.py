"""The independent implementations we test against (npm Semaphore, circomlibjs, poseidon-lite, snarkjs),
run through node. Development only: tests and benchmarks import this, nothing at run time does."""

from .node_runner import NodePeerError, run_node
from .semaphore import semaphore_peer

__all__ = ["NodePeerError", "run_node", "semaphore_peer"]
