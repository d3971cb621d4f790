"""The Ray engine on a real local Ray instance with 2 worker slots: same answers as the local engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from enrollment.gallery import DuplicateRecordError, Gallery, GalleryError, StoreCorruptError
from enrollment.gallery.encrypted_store import HEADER_SIZE
from enrollment.gallery.ray_cluster import start_local_ray
from enrollment.iris.template import IrisTemplate
from simulation.synthetic_templates import random_templates, recapture

pytestmark = pytest.mark.slow

KEY = bytes(range(7, 39))
THRESHOLD = 0.35


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    """One local Ray instance (2 CPUs, so 2 shard actors) for this module, always shut down after it
    (other modules size their own: a leftover 2-CPU instance cannot place 4 actors)."""
    import ray

    start_local_ray(num_cpus=2)
    try:
        yield
    finally:
        ray.shutdown()


def probes(codes: np.ndarray, masks: np.ndarray, seed: int) -> list[IrisTemplate]:
    rng = np.random.default_rng(seed)
    planted = [
        recapture(IrisTemplate(code=codes[r], mask=masks[r]), rng, f, s)
        for r, f, s in ((3, 0.1, 15), (500, 0.2, -15), (1999, 0.27, 4))
    ]
    stranger_codes, stranger_masks = random_templates(rng, 2)
    return [
        *planted,
        *(IrisTemplate(code=c, mask=m) for c, m in zip(stranger_codes, stranger_masks, strict=True)),
    ]


def test_ray_and_local_engines_give_identical_results(ray_cluster: None, tmp_path: Path) -> None:
    codes, masks = random_templates(np.random.default_rng(77), 2000)
    ids = np.arange(2000, dtype=np.int64) * 3 + 5
    # a near-copy of record 500 as well, so one probe has two matches
    extra = recapture(IrisTemplate(code=codes[500], mask=masks[500]), np.random.default_rng(1), 0.05, -5)
    results = {}
    for address in ("local", "ray"):
        with Gallery.connect(address, shards=2, directory=tmp_path / address, key=KEY) as gallery:
            gallery.add_many(ids, codes, masks)
            gallery.add(10**9, extra)
            assert len(gallery) == 2001
            results[address] = [gallery.search(p, THRESHOLD) for p in probes(codes, masks, seed=5)]
            assert gallery.delete([ids[3]]) == 1
            results[address].append(gallery.search(probes(codes, masks, seed=5)[0], THRESHOLD))
    assert results["ray"] == results["local"]
    found = [sorted(m.record_id for m in r.matches) for r in results["ray"]]
    assert found == [[ids[3]], [ids[500], 10**9], [ids[1999]], [], [], []]
    assert all(r.searched in (2001, 2000) for r in results["ray"])


def test_ray_gallery_persists_and_reopens(ray_cluster: None, tmp_path: Path) -> None:
    codes, masks = random_templates(np.random.default_rng(8), 300)
    with Gallery.connect("ray", shards=2, directory=tmp_path, key=KEY) as gallery:
        gallery.add_many(np.arange(300, dtype=np.int64), codes, masks)
        with pytest.raises(DuplicateRecordError, match="record 7 is already"):
            gallery.add(7, IrisTemplate(code=codes[1], mask=masks[1]))
    with Gallery.connect("ray", shards=2, directory=tmp_path, key=KEY) as gallery:
        assert gallery.record_ids() == list(range(300))
        probe = recapture(IrisTemplate(code=codes[123], mask=masks[123]), np.random.default_rng(2), 0.15, -9)
        assert gallery.search(probe, THRESHOLD).best.record_id == 123


def test_ray_gallery_reports_a_corrupted_shard(ray_cluster: None, tmp_path: Path) -> None:
    codes, masks = random_templates(np.random.default_rng(9), 20)
    with Gallery.connect("ray", shards=2, directory=tmp_path, key=KEY) as gallery:
        gallery.add_many(np.arange(20, dtype=np.int64), codes, masks)
    path = tmp_path / "shard-000-of-002.phgs"
    data = bytearray(path.read_bytes())
    data[HEADER_SIZE + 5] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(StoreCorruptError, match="record 0 fails authentication"):
        Gallery.connect("ray", shards=2, directory=tmp_path, key=KEY)


def test_more_shards_than_free_ray_slots_is_an_error_not_a_hang(ray_cluster: None) -> None:
    """The module's Ray has 2 CPU slots: 3 shard actors could never all be placed, and ray.get would wait
    forever (it did, in a full test run, when another module's service asked a leftover 2-slot Ray for 4)."""
    with pytest.raises(GalleryError, match="2 CPU slot"):
        Gallery.connect("ray", shards=3)
