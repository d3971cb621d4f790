"""The shipped texture CNN: a valid ONNX model with the declared shapes that separates fresh data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from liveness.dataset import presentation
from liveness.errors import LivenessModelError
from liveness.pupil_finder import track_pupil
from liveness.texture_model import CROP, MODEL_PATH, TextureModel, default_texture_model, texture_crops


def test_shipped_model_is_small_valid_onnx_with_the_card_shapes():
    assert MODEL_PATH.stat().st_size < 1_000_000
    model = onnx.load(str(MODEL_PATH))
    onnx.checker.check_model(model)
    card = (MODEL_PATH.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert f"[N, 1, {CROP}, {CROP}]" in card and "[N, 1]" in card
    out = default_texture_model().logits(np.zeros((5, 1, CROP, CROP), np.float32))
    assert out.shape == (5,) and np.all(np.isfinite(out))


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


@pytest.mark.slow
def test_texture_scores_separate_fresh_print_and_screen_from_bona_fide():
    model = default_texture_model()

    def score(species: str, index: int) -> float:
        p = presentation("heldout", species, 960_000 + index)
        return model.score(texture_crops(p.frames, track_pupil(p.frames)))

    bona = min(score("bona_fide", i) for i in range(2))
    assert bona > max(score("print", 0), score("screen", 0))
