"""The registry's identity group, rebuilt from MemberEnrolled / MemberRevoked events and kept up to date
incrementally: each `sync` reads only the blocks after the last one it saw, and the state (leaves,
removals, last block and its hash) is cached as JSON so a restart does not rescan the chain.

Self-checks: a cached block whose hash changed (a reorg, or a test chain reverted) triggers a rebuild
from block 0, and after every sync the rebuilt root must equal the registry's `currentRoot`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from contracts import ChainError, RegistryClient
from zk_identity import LeanIMT

log = logging.getLogger(__name__)
CACHE_VERSION = 1


@dataclass(frozen=True)
class GroupState:
    """What the indexer knows: enrolled commitments in leaf order, removed leaf indices, last block seen."""

    chain_id: int
    registry: str
    enrolled: tuple[int, ...]
    removed: tuple[int, ...]
    block: int
    block_hash: str

    def tree(self) -> LeanIMT:
        """The group as a LeanIMT (removed leaves are 0, as on chain)."""
        tree = LeanIMT(self.enrolled)
        for index in self.removed:
            tree.remove(index)
        return tree


def apply_events(state: GroupState, events: list, block: int, block_hash: str) -> GroupState:
    """`state` advanced by registry events sorted by (block, logIndex) (pure)."""
    enrolled, removed = list(state.enrolled), list(state.removed)
    for event in events:
        if event["event"] == "MemberEnrolled":
            if int(event["args"]["index"]) != len(enrolled):
                raise ChainError("enrollment events are not contiguous; the log is incomplete")
            enrolled.append(int(event["args"]["commitment"]))
        else:
            removed.append(int(event["args"]["index"]))
    return GroupState(state.chain_id, state.registry, tuple(enrolled), tuple(removed), block, block_hash)


class GroupIndexer:
    """Follows one registry; `sync()` returns the current group as a LeanIMT."""

    def __init__(self, registry: RegistryClient, cache_file: Path | None = None) -> None:
        self.registry = registry
        self.cache_file = cache_file
        self.state = self._load() or self._empty()
        self._tree = self.state.tree()
        self.last_scanned_from = 0  # first block read by the latest sync (tests check incrementality)

    def _empty(self) -> GroupState:
        return GroupState(self.registry.chain_id, self.registry.address, (), (), -1, "")

    def _load(self) -> GroupState | None:
        if self.cache_file is None or not self.cache_file.is_file():
            return None
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
            state = GroupState(
                int(data["chain_id"]),
                str(data["registry"]),
                tuple(int(c) for c in data["enrolled"]),
                tuple(int(i) for i in data["removed"]),
                int(data["block"]),
                str(data["block_hash"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as e:
            log.warning("ignoring unreadable group cache %s: %s", self.cache_file, e)
            return None
        if data.get("version") != CACHE_VERSION or state.registry != self.registry.address:
            return None
        return state

    def _save(self) -> None:
        if self.cache_file is None:
            return
        s = self.state
        data = {
            "version": CACHE_VERSION,
            "chain_id": s.chain_id,
            "registry": s.registry,
            "enrolled": [str(c) for c in s.enrolled],
            "removed": list(s.removed),
            "block": s.block,
            "block_hash": s.block_hash,
        }
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.cache_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        temporary.replace(self.cache_file)  # atomic: a crash leaves the old cache or the new one

    def _still_on_chain(self) -> bool:
        if self.state.block < 0:
            return True
        found = self.registry.block_hash(self.state.block)
        if found is None:
            log.info("cached block %d is gone", self.state.block)
        return found == self.state.block_hash

    def sync(self) -> LeanIMT:
        """Read new events, update and cache the group; raise ChainError if its root is not the registry's.

        The returned tree is the indexer's own (do not mutate it).
        """
        if not self._still_on_chain():
            log.info("the chain changed under the cached group; rebuilding from block 0")
            self.state = self._empty()
            self._tree = LeanIMT()
        head = self.registry.head()
        head_number = head.number
        from_block = max(self.state.block + 1, self.registry.start_block)
        self.last_scanned_from = from_block
        if from_block <= head_number:
            old = self.state
            events = self.registry.membership_events(from_block, head_number)
            self.state = apply_events(old, events, head_number, head.hash)
            if len(self.state.enrolled) > len(old.enrolled):  # only the new leaves are hashed in
                self._tree.insert_many(self.state.enrolled[len(old.enrolled) :])
            for index in self.state.removed[len(old.removed) :]:
                self._tree.remove(index)
            self._save()
        tree = self._tree
        on_chain = self.registry.current_root()
        if (tree.root if len(tree) else 0) != on_chain:
            raise ChainError(
                f"the indexed group's root differs from the registry's ({on_chain}); rescan needed"
            )
        return tree
