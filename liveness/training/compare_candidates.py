r"""Compare texture CNN candidates on data no CNN trained on: the lens pass at the CNN's own BPCER points.

    .venv/bin/python -m liveness.training.compare_candidates --fusion .cache/liveness/fusion_set.npz \
        --real .cache/liveness/real_still_set.npz liveness/models/texture_cnn.onnx member0/texture_cnn.onnx

For each model: on the synthetic fusion phase (`build_training_set --fusion`, never a CNN's training
data), the texture score at which 2% (1%, 5%, 0.5%) of its bona fide fall below, and the share of its
contact lenses (and of its other species) scoring at or above that point; with `--real`, the share of
the real-still set's "fusion" bona fide (training subjects, photographs the CNN did not train on) that
falls below the same synthetic 2% point, and the lens pass at the real stills' own 2% point. This is the
figure candidates are chosen by (MODEL_CARD.md); the held-out sets are not touched. With `--detector`,
also each species' share accepted by the whole shipped detector (its vetoes, blur ceiling, fusion and
threshold; `liveness.fusion.default_fusion()`) with this CNN's texture score: meaningful for the CNN that
fusion was fitted to, since the fusion calibrates the texture logit.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from liveness.evaluation import threshold_for_bpcer
from liveness.fusion import BLUR, default_fusion
from liveness.texture_model import TextureModel
from simulation.pad_dataset import BONA_FIDE

POINTS = (0.02, 0.01, 0.05, 0.005)


def texture_scores(model: TextureModel, path: Path, phase: str) -> tuple[np.ndarray, np.ndarray]:
    """(texture score, species) of the `phase` rows of a training-set file."""
    data = np.load(path)
    sel = data["phase"] == phase
    crops = data["crops"][sel].astype(np.float32)
    return np.array([model.score(c) for c in crops]), data["species"][sel]


def detector_acceptance(texture: np.ndarray, species: np.ndarray, path: Path) -> dict[str, float]:
    """Each species' share of the set's fusion rows that the shipped detector accepts with `texture`."""
    data = np.load(path)
    sel = data["phase"] == "fusion"
    names = [str(n) for n in data["cue_names"]]
    fusion = default_fusion()
    accepted = []
    for cues, blur, tex in zip(data["cues"][sel], data["blur"][sel], texture, strict=True):
        scores = dict(zip(names, map(float, cues), strict=True)) | {"texture": float(tex), BLUR: float(blur)}
        accepted.append(not fusion.vetoed(scores) and fusion.probability(scores) >= fusion.threshold)
    accepted = np.array(accepted)
    return {s: round(float(np.mean(accepted[species == s])), 4) for s in sorted(set(species))}


def report(model_path: Path, fusion: Path, real: Path | None, detector: bool = False) -> dict:
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
    if detector:
        out["accepted_by_the_shipped_detector"] = detector_acceptance(score, species, fusion)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--fusion", type=Path, default=Path(".cache/liveness/fusion_set.npz"))
    parser.add_argument("--real", type=Path)
    parser.add_argument("--detector", action="store_true", help="also the shipped detector's acceptance")
    args = parser.parse_args()
    for path in args.models:
        print(json.dumps(report(path, args.fusion, args.real, args.detector), sort_keys=True))


if __name__ == "__main__":
    main()
