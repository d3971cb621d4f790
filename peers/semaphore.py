"""The npm Semaphore v4 packages as a peer: identities, group roots and proofs made by their code."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .node_runner import run_node

SCRIPT = Path(__file__).with_name("semaphore_peer.mjs")
CACHE_ENV = "PERSONHOOD_TEST_PEER_CACHE"


def semaphore_peer(spec: dict, timeout: float = 600.0) -> list:
    """Run the Semaphore peer once on `spec` (see semaphore_peer.mjs for its jobs); returns its answers.

    With $PERSONHOOD_TEST_PEER_CACHE set to a folder (the Solidity mutation campaign sets it), the answers
    to a request identical byte for byte (same peer script, same spec) are reused: a campaign runs the
    contract tests once per mutant, and the peer's proofs are most of their time. Unset (CI, `make test`),
    the peer always runs.
    """
    script = SCRIPT.read_text()
    request = json.dumps(spec, sort_keys=True)
    cache_dir = os.environ.get(CACHE_ENV)
    cached = None
    if cache_dir:
        key = hashlib.sha256(script.encode() + b"\0" + request.encode()).hexdigest()
        cached = Path(cache_dir) / f"{key}.json"
        if cached.is_file():
            return json.loads(cached.read_text(encoding="utf-8"))
    answers = run_node(script, stdin=json.dumps(spec), timeout=timeout)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(answers), encoding="utf-8")
    return answers
