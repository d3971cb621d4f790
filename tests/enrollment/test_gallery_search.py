"""1:N search through the gallery (local engine): planted duplicates, deletion, bad input, decisions."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from enrollment.gallery import (
    DuplicateRecordError,
    Gallery,
    GalleryError,
    GalleryInputError,
    StoreCorruptError,
    decide,
    false_match_rate_at,
    threshold_for_gallery_size,
)
from enrollment.gallery.encrypted_store import HEADER_SIZE, RECORD_SIZE
from enrollment.iris.pipeline import encode
from enrollment.iris.template import IrisTemplate
from simulation.synthetic_eye import CaptureConditions, EyeIdentity, render_eye
from simulation.synthetic_templates import random_templates, recapture

KEY = bytes(range(100, 132))
THRESHOLD = 0.33
SUBJECTS = 4


@pytest.fixture(scope="module")
def captures() -> dict[tuple[int, int], IrisTemplate]:
    """Two captures (different conditions) of the left eye of SUBJECTS synthetic people."""
    rng = np.random.default_rng(2024)
    out = {}
    for subject in range(SUBJECTS):
        eye = EyeIdentity.from_seed(subject, "L")
        for capture in range(2):
            out[subject, capture] = encode(render_eye(eye, CaptureConditions.random(rng)))
    return out


def filled(
    size: int, shards: int, seed: int, directory: Path | None = None
) -> tuple[Gallery, np.ndarray, np.ndarray]:
    codes, masks = random_templates(np.random.default_rng(seed), size)
    gallery = Gallery.connect("local", shards=shards, directory=directory, key=KEY if directory else None)
    gallery.add_many(np.arange(size, dtype=np.int64) * 7 + 1, codes, masks)
    return gallery, codes, masks


@pytest.mark.parametrize("size", [1, 2, 37, 1000, 5000])
@pytest.mark.parametrize("shards", [1, 2, 3])
def test_planted_recapture_is_found_at_every_size_and_layout(size: int, shards: int) -> None:
    gallery, codes, masks = filled(size, shards, seed=size)
    rng = np.random.default_rng(size + shards)
    row = int(rng.integers(size))
    probe = recapture(IrisTemplate(code=codes[row], mask=masks[row]), rng, 0.15, int(rng.integers(-15, 16)))
    result = gallery.search(probe, THRESHOLD)
    assert result.searched == size
    assert [m.record_id for m in result.matches] == [row * 7 + 1]
    stranger_codes, stranger_masks = random_templates(rng, 1)
    assert (
        gallery.search(IrisTemplate(code=stranger_codes[0], mask=stranger_masks[0]), THRESHOLD).matches == ()
    )


def test_encoded_captures_of_the_same_eye_are_duplicates_and_other_eyes_are_not(captures) -> None:
    gallery, _, _ = filled(2000, 2, seed=1)
    for subject in range(SUBJECTS):
        gallery.add(10_000 + subject, captures[subject, 0])
    for subject in range(SUBJECTS):
        result = gallery.search(captures[subject, 1], THRESHOLD)
        assert [m.record_id for m in result.matches] == [10_000 + subject]
        assert decide(result).duplicate
    gallery.delete([10_000 + s for s in range(SUBJECTS)])
    for subject in range(SUBJECTS):
        assert not decide(gallery.search(captures[subject, 1], THRESHOLD)).duplicate


def test_several_matches_come_back_best_first() -> None:
    gallery, codes, masks = filled(50, 2, seed=3)
    rng = np.random.default_rng(4)
    source = IrisTemplate(code=codes[10], mask=masks[10])
    gallery.add(1000, recapture(source, rng, 0.05, 2))
    gallery.add(1001, recapture(source, rng, 0.10, -3))
    result = gallery.search(source, THRESHOLD)
    assert [m.record_id for m in result.matches] == [71, 1000, 1001]
    assert [m.shift for m in result.matches] == [0, 2, -3]  # the probe turns to meet each one
    assert result.best == result.matches[0]
    assert list(result.matches) == sorted(result.matches, key=lambda m: m.distance)


def test_deletion_removes_from_search_and_disk_and_survives_reopen(tmp_path: Path) -> None:
    gallery, codes, masks = filled(300, 2, seed=5, directory=tmp_path)
    probe = recapture(IrisTemplate(code=codes[42], mask=masks[42]), np.random.default_rng(6), 0.1, 5)
    assert gallery.search(probe, THRESHOLD).best.record_id == 42 * 7 + 1
    shard_file = tmp_path / f"shard-{(42 * 7 + 1) % 2:03d}-of-002.phgs"
    before = shard_file.read_bytes()
    assert gallery.delete([42 * 7 + 1, 999_999]) == 1
    after = shard_file.read_bytes()
    assert len(after) == len(before) - RECORD_SIZE
    assert not any(before[o : o + RECORD_SIZE] in after for o in range(HEADER_SIZE, len(before), RECORD_SIZE))
    assert gallery.search(probe, THRESHOLD).matches == ()
    gallery.close()
    with Gallery.connect("local", directory=tmp_path, key=KEY, shards=2) as reopened:
        assert len(reopened) == 299
        assert 42 * 7 + 1 not in reopened.record_ids()
        assert reopened.search(probe, THRESHOLD).matches == ()
        other = recapture(IrisTemplate(code=codes[7], mask=masks[7]), np.random.default_rng(8), 0.1, -2)
        assert reopened.search(other, THRESHOLD).best.record_id == 7 * 7 + 1


def test_bad_input_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    gallery, codes, masks = filled(20, 2, seed=9, directory=tmp_path)
    sizes = [p.stat().st_size for p in sorted(tmp_path.iterdir())]
    template = IrisTemplate(code=codes[0], mask=masks[0])
    with pytest.raises(DuplicateRecordError, match="already in the gallery"):
        gallery.add(1, template)
    with pytest.raises(GalleryInputError):
        gallery.add(-1, template)
    with pytest.raises(GalleryInputError):
        gallery.add(2**63, template)
    with pytest.raises(GalleryInputError):
        gallery.add("5", template)  # type: ignore[arg-type]
    with pytest.raises(GalleryInputError, match="IrisTemplate"):
        gallery.add(5, codes[0])  # type: ignore[arg-type]
    with pytest.raises(GalleryInputError, match="distinct"):
        gallery.add_many(np.array([500, 500]), codes[:2], masks[:2])
    with pytest.raises(GalleryInputError, match="uint64"):
        gallery.add_many(np.array([500, 502]), codes[:2].astype(np.int64), masks[:2])
    with pytest.raises(DuplicateRecordError):  # id 8 exists (shard 0): 501 (shard 1) is not added either
        gallery.add_many(np.array([501, 8]), codes[:2], masks[:2])
    with pytest.raises(GalleryInputError, match="uint64"):
        gallery.add_many(np.array([500, 502]), codes[0], masks[:2])
    with pytest.raises(GalleryInputError, match="integers"):
        gallery.add_many(np.array([500.0, 502.0]), codes[:2], masks[:2])
    for bad in (-0.1, 1.0, float("nan"), "0.3", True):
        with pytest.raises(GalleryInputError, match="threshold"):
            gallery.search(template, bad)  # type: ignore[arg-type]
    assert len(gallery) == 20
    assert 500 not in gallery.record_ids() and 501 not in gallery.record_ids()
    assert [p.stat().st_size for p in sorted(tmp_path.iterdir())] == sizes
    gallery.close()


def test_connect_refuses_bad_addresses_and_layouts(tmp_path: Path) -> None:
    with pytest.raises(GalleryInputError, match="unknown gallery address"):
        Gallery.connect("tcp://x")
    with pytest.raises(GalleryInputError, match="station key"):
        Gallery.connect("local", directory=tmp_path)
    with pytest.raises(GalleryInputError, match="shards"):
        Gallery.connect("local", shards=0)
    Gallery.connect("local", directory=tmp_path, key=KEY, shards=2).close()
    with pytest.raises(GalleryError, match="different shard count"):
        Gallery.connect("local", directory=tmp_path, key=KEY, shards=3)


def test_a_corrupted_shard_file_stops_the_gallery_from_opening(tmp_path: Path) -> None:
    gallery, _, _ = filled(10, 2, seed=10, directory=tmp_path)
    gallery.close()
    path = tmp_path / "shard-001-of-002.phgs"
    data = bytearray(path.read_bytes())
    data[HEADER_SIZE + RECORD_SIZE + 77] ^= 0x80
    path.write_bytes(bytes(data))
    with pytest.raises(StoreCorruptError, match="record 1 fails authentication"):
        Gallery.connect("local", directory=tmp_path, key=KEY, shards=2)
    Gallery.connect("local", directory=tmp_path / "fresh", key=KEY, shards=2).close()  # locks were released
    with pytest.raises(StoreCorruptError):  # and the shard files stay locked by nobody
        Gallery.connect("local", directory=tmp_path, key=KEY, shards=2)


def test_threshold_follows_the_gallery_size() -> None:
    assert false_match_rate_at(0.33) == pytest.approx(1 / 4e6)
    assert false_match_rate_at(0.32) == pytest.approx(1 / 26e6)
    assert 1 / 1.5e9 < false_match_rate_at(0.31) < 1 / 26e6
    with pytest.raises(GalleryInputError):
        false_match_rate_at(0.40)
    small = threshold_for_gallery_size(1_000)
    assert small.threshold == 0.33 and small.meets_target
    million = threshold_for_gallery_size(1_000_000)
    assert 0.30 < million.threshold < 0.32 and million.meets_target
    assert million.expected_false_duplicates == pytest.approx(1e-3, rel=1e-6)
    billion = threshold_for_gallery_size(1_000_000_000)
    assert billion.threshold == 0.30 and not billion.meets_target
    sizes = [10, 10**4, 10**5, 10**6, 10**7]
    thresholds = [threshold_for_gallery_size(n).threshold for n in sizes]
    assert thresholds == sorted(thresholds, reverse=True)


def test_decision_is_logged_without_template_bits(caplog: pytest.LogCaptureFixture) -> None:
    gallery, codes, masks = filled(30, 1, seed=12)
    probe = recapture(IrisTemplate(code=codes[3], mask=masks[3]), np.random.default_rng(1), 0.1, 0)
    with caplog.at_level(logging.INFO, logger="enrollment.gallery"):
        decision = decide(gallery.search(probe, THRESHOLD))
    assert decision.duplicate and decision.best.record_id == 22
    text = caplog.text
    assert "DUPLICATE of record 22" in text
    for word in (*probe.code[:8].tolist(), *codes[3][:8].tolist()):
        assert str(word) not in text and hex(word)[2:] not in text
