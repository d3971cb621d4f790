r"""Compare texture CNN candidates on data no CNN trained on: the lens pass at the CNN's own BPCER points.

    .venv/bin/python -m liveness.training.compare_candidates --fusion .cache/liveness/fusion_set.npz \
        --real .cache/liveness/real_still_set.npz liveness/models/texture_cnn.onnx member0/texture_cnn.onnx

For each model: on the synthetic fusion phase (`build_training_set --fusion`, never a CNN's training
data), the texture score at which 2% (1%, 5%, 0.5%) of its bona fide fall below, and the share of its
contact lenses (and of its other species) scoring at or above that point; with `--real`, the share of
the real-still set's "fusion" bona fide (training subjects, photographs the CNN did not train on) that
falls below the same synthetic 2% point, and the lens pass at the real stills' own 2% point. This is the
figure candidates are chosen by (MODEL_CARD.md); the held-out sets are not touched.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from liveness.evaluation import threshold_for_bpcer
from liveness.texture_model import TextureModel
from simulation.pad_dataset import BONA_FIDE

POINTS = (0.02, 0.01, 0.05, 0.005)


def texture_scores(model: TextureModel, path: Path, phase: str) -> tuple[np.ndarray, np.ndarray]:
    """(texture score, species) of the `phase` rows of a training-set file."""
    data = np.load(path)
    sel = data["phase"] == phase
    crops = data["crops"][sel].astype(np.float32)
    return np.array([model.score(c) for c in crops]), data["species"][sel]


def report(model_path: Path, fusion: Path, real: Path | None) -> dict:
    model = TextureModel(model_path)
    score, species = texture_scores(model, fusion, "fusion")
    bona = score[species == BONA_FIDE]
    out: dict = {"model": str(model_path), "synthetic_bona_fide": int(bona.size)}
    for point in POINTS:
        t = threshold_for_bpcer(bona, point)
        out[f"bpcer_{point:g}"] = {
            "threshold": round(float(t), 3),
            **{
                s: round(float(np.mean(score[species == s] >= t)), 4)
                for s in sorted(set(species) - {BONA_FIDE})
            },
        }
    if real is not None:
        rscore, rspecies = texture_scores(model, real, "fusion")
        rbona = rscore[rspecies == BONA_FIDE]
        t = threshold_for_bpcer(bona, 0.02)
        own = threshold_for_bpcer(rbona, 0.02)
        out["real_still_bona_fide"] = int(rbona.size)
        out["real_still_refused_at_synthetic_2pct"] = round(float(np.mean(rbona < t)), 4)
        out["real_still_score_quartiles"] = [round(float(v), 2) for v in np.percentile(rbona, (25, 50, 75))]
        lenses = score[species == "contact_lens"]
        out["lens_pass_at_real_still_2pct"] = round(float(np.mean(lenses >= own)), 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--fusion", type=Path, default=Path(".cache/liveness/fusion_set.npz"))
    parser.add_argument("--real", type=Path)
    args = parser.parse_args()
    for path in args.models:
        print(json.dumps(report(path, args.fusion, args.real), sort_keys=True))


if __name__ == "__main__":
    main()
