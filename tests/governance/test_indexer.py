"""GroupIndexer: the rebuilt group's root equals the registry's, sync reads only new blocks, the JSON
cache survives a restart, and a chain that changed under the cache (revert) triggers a rebuild."""

from __future__ import annotations

import json

import pytest

from governance import GroupIndexer
from zk_identity import LeanIMT

from .conftest import MEMBERS

pytestmark = [pytest.mark.slow, pytest.mark.node]


def test_the_indexed_root_equals_the_registry_root_and_updates_incrementally(gov_chain, tmp_path):
    gov = gov_chain
    cache = tmp_path / "group.json"
    indexer = GroupIndexer(gov.chain.registry, cache)
    tree = indexer.sync()
    assert tree.root == gov.chain.registry.current_root()
    assert tree.leaves == tuple(i.commitment for i in gov.identities[:MEMBERS])
    assert indexer.last_scanned_from == gov.deployment.start_block > 0  # from the deployment, not genesis
    head = gov.w3.eth.block_number
    gov.enroll(gov.identities[4])
    tree = indexer.sync()
    assert indexer.last_scanned_from == head + 1  # only the new blocks were read
    assert tree.root == gov.chain.registry.current_root()
    assert tree.leaves[-1] == gov.identities[4].commitment
    gov.chain.registry.revoke(gov.identities[0].commitment, gov.owner)
    tree = indexer.sync()
    assert tree.leaves[0] == 0 and tree.root == gov.chain.registry.current_root()
    assert json.loads(cache.read_text())["removed"] == [0]


def test_a_restarted_indexer_resumes_from_its_cache(gov, tmp_path):
    cache = tmp_path / "group.json"
    first = GroupIndexer(gov.chain.registry, cache).sync()
    restarted = GroupIndexer(gov.chain.registry, cache)
    assert restarted.sync().root == first.root
    assert restarted.last_scanned_from == gov.w3.eth.block_number + 1  # nothing rescanned


def test_a_reverted_chain_makes_the_indexer_rebuild(gov, tmp_path):
    indexer = GroupIndexer(gov.chain.registry, tmp_path / "group.json")
    snapshot = gov.w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        gov.enroll(gov.identities[5])
        assert len(indexer.sync()) == MEMBERS + 1
    finally:
        assert gov.w3.provider.make_request("evm_revert", [snapshot])["result"]
    gov.w3.provider.make_request("evm_mine", [])  # a different block at the cached height
    tree = indexer.sync()
    assert len(tree) == MEMBERS and indexer.last_scanned_from == gov.deployment.start_block  # rescanned
    assert tree.root == LeanIMT(i.commitment for i in gov.identities[:MEMBERS]).root


def test_a_corrupt_cache_is_ignored(gov, tmp_path):
    cache = tmp_path / "group.json"
    cache.write_text("{not json")
    assert GroupIndexer(gov.chain.registry, cache).sync().root == gov.chain.registry.current_root()
