"""The npm Semaphore v4 packages as a peer: identities, group roots and proofs made by their code."""

from __future__ import annotations

import json
from pathlib import Path

from .node_runner import run_node

SCRIPT = Path(__file__).with_name("semaphore_peer.mjs")


def semaphore_peer(spec: dict, timeout: float = 600.0) -> list:
    """Run the Semaphore peer once on `spec` (see semaphore_peer.mjs for its jobs); returns its answers."""
    return run_node(SCRIPT.read_text(), stdin=json.dumps(spec), timeout=timeout)
