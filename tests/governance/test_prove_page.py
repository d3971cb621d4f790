"""The files the proving page needs, served by the app from node_modules: only the allowlisted ones."""

from __future__ import annotations

import pytest

from zk_identity.node_tools import node_modules_dir

pytestmark = [pytest.mark.slow, pytest.mark.node]


def test_the_page_module_and_ceremony_artifacts_are_served(client) -> None:
    assert b"personhood-prove.js" in client.get("/prove").data
    assert b"export async function prove" in client.get("/prove/personhood-prove.js").data
    wasm = client.get("/prove/artifacts/semaphore-2.wasm")
    assert wasm.status_code == 200
    assert wasm.data == (node_modules_dir(None) / "@zk-kit/semaphore-artifacts/semaphore-2.wasm").read_bytes()
    utils = client.get("/prove/vendor/noble-hashes/utils.js").get_data(as_text=True)
    assert "from './crypto.js'" in utils and "@noble/hashes/crypto" not in utils  # no bare import left
    constants = client.get("/prove/poseidon-t3.json").json
    assert len(constants["roundConstants"]) == 65 and len(constants["mds"]) == 3


@pytest.mark.parametrize(
    "path",
    [
        "/prove/vendor/../package.json",
        "/prove/vendor/snarkjs/package.json",
        "/prove/vendor/noble-hashes/sha512.js",
        "/prove/artifacts/semaphore-0.wasm",
        "/prove/artifacts/semaphore-33.zkey",
        "/prove/artifacts/semaphore-2.json",
    ],
)
def test_nothing_else_under_node_modules_is_reachable(client, path: str) -> None:
    assert client.get(path).status_code == 404
