"""GET /v1/group (paged) and GET /v1/group/proof/{commitment} against the session chain: the pages rebuild
the registry's group (root checked against the contract and against @semaphore-protocol/group), the
Merkle proof verifies for the member and is refused for others; bad input is a 400."""

from __future__ import annotations

import json

import pytest

from zk_identity import SNARK_SCALAR_FIELD, LeanIMT

from .conftest import MEMBERS

pytestmark = [pytest.mark.slow, pytest.mark.node]


def test_pages_rebuild_the_registry_group(gov, client, run_node) -> None:
    commitments: list[int] = []
    offset, pages = 0, 0
    while offset is not None:
        r = client.get(f"/v1/group?offset={offset}&limit=3")
        assert r.status_code == 200, r.json
        body = r.json
        commitments += [int(c) for c in body["commitments"]]
        offset, pages = body["next"], pages + 1
    assert pages == 2 and len(commitments) == MEMBERS == body["size"]
    assert commitments == [i.commitment for i in gov.identities[:MEMBERS]]
    assert int(body["root"]) == gov.chain.registry.current_root() == LeanIMT(commitments).root
    js = run_node(
        "import { Group } from '@semaphore-protocol/group';"
        "const g = new Group(JSON.parse(process.argv[1]).map(BigInt));"
        "console.log(JSON.stringify({ root: g.root.toString(), depth: g.depth }));",
        json.dumps([str(c) for c in commitments]),
    )
    assert js == {"root": body["root"], "depth": body["depth"]}
    assert client.get(f"/v1/group?offset={MEMBERS}").json["commitments"] == []


def test_merkle_proof_of_a_member_matches_the_group(gov, client, run_node) -> None:
    member = gov.identities[2].commitment
    r = client.get(f"/v1/group/proof/{member}")
    assert r.status_code == 200, r.json
    body = r.json
    expected = LeanIMT(i.commitment for i in gov.identities[:MEMBERS]).generate_proof(2)
    assert (int(body["leaf"]), body["index"]) == (member, 2)
    assert [int(s) for s in body["siblings"]] == list(expected.siblings)
    assert int(body["root"]) == expected.root
    js = run_node(
        "import { LeanIMT } from '@zk-kit/lean-imt'; import { poseidon2 } from 'poseidon-lite';"
        "const p = JSON.parse(process.argv[1]);"
        "const ok = LeanIMT.verifyProof({ root: BigInt(p.root), leaf: BigInt(p.leaf), index: p.index,"
        " siblings: p.siblings.map(BigInt) }, (a, b) => poseidon2([a, b]));"
        "console.log(JSON.stringify(ok));",
        json.dumps(body),
    )
    assert js is True


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/v1/group/proof/12345", 404, "not_found"),
        (f"/v1/group/proof/{SNARK_SCALAR_FIELD}", 400, "out_of_range"),
        ("/v1/group/proof/0", 400, "out_of_range"),
        ("/v1/group/proof/0x12", 400, "wrong_type"),
        ("/v1/group?limit=0", 400, "out_of_range"),
        ("/v1/group?limit=10001", 400, "out_of_range"),
        ("/v1/group?offset=-1", 400, "out_of_range"),
    ],
)
def test_bad_requests(client, path: str, status: int, code: str) -> None:
    r = client.get(path)
    assert r.status_code == status and r.json["error"] == code


def test_the_group_paths_are_in_the_openapi_spec(client) -> None:
    paths = client.get("/openapi.json").json["paths"]
    assert "/v1/group" in paths and "/v1/group/proof/{commitment}" in paths
