"""bench/pad_paired.py --scores keeps each presentation's scores, and they give back its decisions.

The file is how a refusal on a fresh seed is explained later without drawing the seed again, so what it
holds must decide exactly as the run did: every live eye and attack re-decided from the saved cues,
blur and texture by the shipped fusion lands on the run's own figures. No image is in it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from liveness.fusion import load_fusion
from simulation.pad_dataset import BONA_FIDE, CLASSES

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_saved_scores_decide_as_the_run_did(tmp_path: Path):
    out = tmp_path / "scores.npz"
    command = ["bench/pad_paired.py", "--seeds", "9", "--per-class", "2", "--workers", "1"]
    command += ["--detector", "liveness/models", "--scores", str(out), "--json"]
    done = subprocess.run(
        [sys.executable, *command],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout)["detectors"][0]["per_seed"]["9"]
    saved = np.load(out)
    assert set(saved.files) == {"species", "index", "cue_names", "cues", "texture"}
    assert sorted(saved["species"].tolist()) == sorted(list(CLASSES) * 2)
    assert saved["texture"].shape == (len(CLASSES) * 2, 1)
    assert saved["cues"].dtype.kind == "f" and saved["cues"].ndim == 2  # scores only, no image
    fusion = load_fusion(ROOT / "liveness" / "models" / "fusion.json")
    names = [str(n) for n in saved["cue_names"]]
    decided: dict[str, list[str]] = {c: [] for c in CLASSES}
    for species, cues, texture in zip(saved["species"], saved["cues"], saved["texture"], strict=True):
        scores = dict(zip(names, cues.tolist(), strict=True)) | {"texture": float(texture[0])}
        decided[str(species)].append(fusion.outcome(scores))
    assert np.mean([d != "accepted" for d in decided[BONA_FIDE]]) == pytest.approx(figures["bpcer"])
    for species, accepted in figures["accepted_attacks"].items():
        assert sum(d == "accepted" for d in decided[species]) == accepted
