"""The shipped texture CNN: a valid ONNX model with the declared shapes that separates fresh data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from liveness.errors import LivenessModelError
from liveness.pupil_finder import PupilObservation, track_pupil
from liveness.texture_model import (
    CHANNELS,
    CROP,
    MODEL_PATH,
    PLACES,
    TextureModel,
    default_texture_model,
    frame_groups,
    texture_crops,
)
from simulation.pad_dataset import presentation


def test_shipped_model_is_small_valid_onnx_with_the_card_shapes():
    assert MODEL_PATH.stat().st_size < 1_000_000
    model = onnx.load(str(MODEL_PATH))
    onnx.checker.check_model(model)
    card = (MODEL_PATH.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert f"[N, {CHANNELS}, {CROP}, {CROP}]" in card and "[N, 1]" in card
    out = default_texture_model().logits(np.zeros((5, CHANNELS, CROP, CROP), np.float32))
    assert out.shape == (5,) and np.all(np.isfinite(out))


def test_the_card_gives_the_shipped_models_hash_and_the_fusion_was_fitted_on_it():
    digest = hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()
    card = (MODEL_PATH.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert f"| sha256 | `{digest}` |" in card
    fusion = json.loads((MODEL_PATH.parent / "fusion.json").read_text(encoding="utf-8"))
    assert fusion["provenance"]["texture_model_sha256"] == digest  # its threshold is this CNN's


def test_metrics_file_matches_the_card():
    metrics = json.loads((MODEL_PATH.parent / "texture_cnn_metrics.json").read_text())
    assert metrics["parameters"] < 100_000


def test_a_corrupt_model_file_is_refused(tmp_path: Path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not an onnx model")
    with pytest.raises(LivenessModelError):
        TextureModel(bad)
    with pytest.raises(LivenessModelError, match="missing"):
        TextureModel(tmp_path / "absent.onnx")


def _textured_frames(n: int, seed: int = 0) -> np.ndarray:
    """n frames of one fixed random texture (a print on the cornea, say), sensor noise per frame."""
    rng = np.random.default_rng(seed)
    scene = rng.uniform(40, 200, size=(480, 640)).astype(np.float32)
    frames = [np.clip(scene + rng.normal(0, 1, scene.shape), 0, 255) for _ in range(n)]
    return np.stack(frames).astype(np.uint8)


def test_crops_sample_the_same_patch_in_every_channel_while_the_pupil_constricts():
    # The pupil shrinks from 40 to 24 px over the sequence; the side crops must not follow its
    # edge (they would then slide over a print that stays put), so a static scene gives three
    # equal channels (up to the averaged sensor noise).
    frames = _textured_frames(20)
    obs = tuple(PupilObservation(320.0, 240.0, 40.0 - 16.0 * i / 19, True) for i in range(20))
    crops = texture_crops(frames, obs)
    assert crops.shape == (PLACES, CHANNELS, CROP, CROP) and crops.dtype == np.float32
    assert np.allclose(crops.mean(axis=(2, 3)), 0.0, atol=1e-4)
    for place in range(PLACES):
        assert np.corrcoef(crops[place, 0].ravel(), crops[place, 2].ravel())[0, 1] > 0.99
    # ...and the channels do see a patch that moves relative to the pupil centre.
    moving = frames.copy()
    for i in range(20):
        moving[i] = np.roll(frames[i], 2 * i, axis=1)
    crops = texture_crops(moving, obs)
    assert np.corrcoef(crops[1, 0].ravel(), crops[1, 2].ravel())[0, 1] < 0.5


def test_frame_groups_cover_the_sequence_in_thirds_and_short_sequences_repeat():
    assert frame_groups(20) == (range(0, 6), range(6, 13), range(13, 20))
    assert len(frame_groups(2)) == CHANNELS and all(len(g) > 0 for g in frame_groups(2))
    assert len(frame_groups(1)) == CHANNELS


@pytest.mark.slow
def test_texture_scores_separate_fresh_print_and_screen_from_bona_fide():
    model = default_texture_model()

    def score(species: str, index: int) -> float:
        p = presentation("heldout", species, 960_000 + index)
        return model.score(texture_crops(p.frames, track_pupil(p.frames)))

    bona = min(score("bona_fide", i) for i in range(2))
    assert bona > max(score("print", 0), score("screen", 0))
