"""The in-process engine: every shard in this process, searched one after the other."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from enrollment.iris.template import IrisTemplate

from .gallery import Gallery, build_shards
from .results import SearchResult


class LocalGallery(Gallery):
    """Shards as plain objects in this process (the reference engine, and a station's default)."""

    def __init__(self, paths: list[Path | None], key: bytes | None, kernel: str = "fused") -> None:
        self._shards = build_shards(paths, key, kernel)
        self.shards = len(self._shards)

    def __len__(self) -> int:
        return sum(len(s) for s in self._shards)

    def record_ids(self) -> list[int]:
        """Every enrolled record id (sorted)."""
        return sorted(r for s in self._shards for r in s.record_ids())

    def close(self) -> None:
        """Close every shard's store."""
        for shard in self._shards:
            shard.close()

    def _add_to(self, shard: int, ids: np.ndarray, codes: np.ndarray, masks: np.ndarray) -> None:
        self._shards[shard].add_many(ids, codes, masks)

    def _delete_from(self, shard: int, ids: list[int]) -> int:
        return self._shards[shard].delete(ids)

    def _enrolled_among(self, shard: int, ids: list[int]) -> list[int]:
        return self._shards[shard].enrolled_among(ids)

    def _search_all(self, probe: IrisTemplate, threshold: float) -> list[SearchResult]:
        return [s.search(probe, threshold) for s in self._shards]

    def _search_among(
        self, probe: IrisTemplate, threshold: float, ids: list[list[int]]
    ) -> list[SearchResult]:
        return [
            s.search_among(probe, threshold, mine) for s, mine in zip(self._shards, ids, strict=True) if mine
        ]
