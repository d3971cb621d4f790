"""The Ray engine: one actor per shard, a query fans out to all of them and the results merge.

Ray (not a home-made cluster) places the actors, restarts nothing silently and moves the
arguments: a probe template goes to every actor, matches (ids and distances, never bits) come
back. Each actor asks for one CPU and runs the kernel on one thread, so N actors use N cores.
On a remote cluster each actor opens its shard's store file on the machine it runs on, and the
station key travels to it inside Ray's own channel: enable Ray's TLS (RAY_USE_TLS) there.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from enrollment.iris.template import IrisTemplate
from zk_identity.errors import PersonhoodError

from .errors import GalleryError
from .gallery import Gallery
from .results import SearchResult
from .stored_shard import StoredShard

logger = logging.getLogger(__name__)

ACTOR_CPUS = 1
RAY_MISSING = "the Ray engine needs the optional 'ray' extra: pip install 'personhood[ray]' (make setup does)"
LOCAL_OBJECT_STORE_BYTES = 256 * 1024**2  # probes and results are small; keep /dev/shm use modest


class ShardActor:
    """Holds one StoredShard inside a Ray worker process (wrapped by `ray.remote` at use)."""

    def __init__(self, threads: int) -> None:
        from . import kernel

        kernel.set_threads(threads)
        self._shard: StoredShard | None = None

    def load(self, path: str | None, key: bytes | None, kernel: str) -> int:
        # Not in __init__: an error raised there reaches the caller only as ActorDiedError.
        self._shard = StoredShard(path, key, kernel)
        return len(self._shard)

    def add_many(self, ids: np.ndarray, codes: np.ndarray, masks: np.ndarray) -> None:
        self._shard.add_many(ids, codes, masks)

    def delete(self, ids: list[int]) -> int:
        return self._shard.delete(ids)

    def enrolled_among(self, ids: list[int]) -> list[int]:
        return self._shard.enrolled_among(ids)

    def search(self, probe: IrisTemplate, threshold: float) -> SearchResult:
        return self._shard.search(probe, threshold)

    def search_among(self, probe: IrisTemplate, threshold: float, ids: list[int]) -> SearchResult:
        return self._shard.search_among(probe, threshold, ids)

    def size(self) -> int:
        return len(self._shard)

    def record_ids(self) -> list[int]:
        return self._shard.record_ids()

    def close(self) -> None:
        if self._shard is not None:
            self._shard.close()


def require_ray() -> Any:
    """The `ray` module, imported on first use; GalleryError naming the extra when it is not installed.

    Ray is an optional extra (pyproject `[ray]`): the default local engine, and every process that
    never asks for the Ray engine, runs without it.
    """
    try:
        import ray
    except ImportError as e:
        raise GalleryError(RAY_MISSING) from e
    return ray


def start_local_ray(num_cpus: int) -> None:
    """Start a local Ray instance with `num_cpus` worker slots (no dashboard, quiet logs)."""
    require_ray().init(
        num_cpus=num_cpus,
        include_dashboard=False,
        object_store_memory=LOCAL_OBJECT_STORE_BYTES,
        log_to_driver=False,
        configure_logging=False,
    )


class RayGallery(Gallery):
    """Shards in Ray actors (see module docstring)."""

    def __init__(
        self, address: str, paths: list[Path | None], key: bytes | None, kernel: str = "fused"
    ) -> None:
        ray = self._ray = require_ray()
        self._started_ray = False
        if address.startswith("ray://"):
            if ray.is_initialized():
                raise GalleryError("this process already joined a Ray instance; use address 'ray'")
            ray.init(address=address, log_to_driver=False)
            self._started_ray = True
        elif not ray.is_initialized():
            start_local_ray(num_cpus=max(len(paths), 1))
            self._started_ray = True
        else:
            slots = ray.cluster_resources().get("CPU", 0.0)
            if slots < len(paths) * ACTOR_CPUS:  # the actors could never all be placed: ray.get would hang
                raise GalleryError(
                    f"the Ray instance this process joined has {slots:g} CPU slot(s) in all; "
                    f"{len(paths)} shard actor(s) need {len(paths) * ACTOR_CPUS}"
                )
        remote = ray.remote(num_cpus=ACTOR_CPUS)(ShardActor)
        self._actors: list[Any] = [remote.remote(ACTOR_CPUS) for _ in paths]
        self.shards = len(self._actors)
        try:
            self._get(
                [
                    a.load.remote(None if p is None else os.fspath(p), key, kernel)
                    for a, p in zip(self._actors, paths, strict=True)
                ]
            )
        except BaseException:
            self.close()
            raise
        logger.info("ray gallery: %d shard actors ready", self.shards)

    def __len__(self) -> int:
        return sum(self._get([a.size.remote() for a in self._actors]))

    def record_ids(self) -> list[int]:
        """Every enrolled record id (sorted)."""
        return sorted(r for part in self._get([a.record_ids.remote() for a in self._actors]) for r in part)

    def close(self) -> None:
        """Close the stores, end the actors, and stop Ray if this gallery started it."""
        ray = self._ray
        try:
            if getattr(self, "_actors", None):
                ray.get([a.close.remote() for a in self._actors])
                for actor in self._actors:
                    ray.kill(actor)
                self._actors = []
        finally:
            if self._started_ray:
                ray.shutdown()
                self._started_ray = False

    def _add_to(self, shard: int, ids: np.ndarray, codes: np.ndarray, masks: np.ndarray) -> None:
        self._get(self._actors[shard].add_many.remote(ids, codes, masks))

    def _delete_from(self, shard: int, ids: list[int]) -> int:
        return int(self._get(self._actors[shard].delete.remote(ids)))

    def _enrolled_among(self, shard: int, ids: list[int]) -> list[int]:
        return list(self._get(self._actors[shard].enrolled_among.remote(ids)))

    def _search_all(self, probe: IrisTemplate, threshold: float) -> list[SearchResult]:
        probe_ref = self._ray.put(probe)
        return list(self._get([a.search.remote(probe_ref, threshold) for a in self._actors]))

    def _search_among(
        self, probe: IrisTemplate, threshold: float, ids: list[list[int]]
    ) -> list[SearchResult]:
        return list(
            self._get(
                [
                    a.search_among.remote(probe, threshold, mine)
                    for a, mine in zip(self._actors, ids, strict=True)
                    if mine
                ]
            )
        )

    def _get(self, refs: Any) -> Any:
        errors = self._ray.exceptions
        try:
            return self._ray.get(refs)
        except errors.RayTaskError as e:
            cause = getattr(e, "cause", None)
            if isinstance(cause, PersonhoodError):
                raise cause from None  # the gallery's own error, as the local engine raises it
            raise
