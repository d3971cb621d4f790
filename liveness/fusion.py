"""Score fusion: logistic regression over the cue scores, with its operating threshold.

The coefficients, the standardization, the decision threshold (chosen for a target BPCER on the
fusion-fitting data), one threshold per cue (to say which cues "fired") and the vetoes live in
`liveness/models/fusion.json` with their provenance; `liveness/training/fit_fusion.py` writes it.

A veto is a floor on one cue below which no other evidence can make a presentation live: a live
eye, with or without a cosmetic lens, always constricts its pupil after the light steps up, so a
pupil-reflex score below what live eyes ever show forces p(bona fide) to 0, however live the
texture looks. A linear fusion cannot say "necessary", only "weighs so much".

The blur ceiling is the same kind of rule for the capture itself: a live eye whose corneal
reflections are spread wider than `blur_ceiling_px` (`liveness.glint_blur`) is too blurred for the
texture model to see a lens print, so the presentation is refused, whatever else it shows.

Between sharp and that ceiling lies an optional blur zone (`blur_penalty`: from `from_px` up): a
capture blurred that much is still judged, but its fused log-odds are lowered by `logit` first, so
only a texture far more live than any attack's of the fitting data passes. Live eyes a little
blurred by the autofocus keep their high texture score; a lens print under blur does not reach it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import LivenessModelError

CUES = ("pupil_reflex", "illumination_response", "specular", "frequency", "micro_motion", "texture")
BLUR = "glint_blur"  # the reflection-blur measure's key in a score mapping (not a fused cue)
FUSION_PATH = Path(__file__).parent / "models" / "fusion.json"


@dataclass(frozen=True)
class Fusion:
    """A fitted logistic fusion: p(bona fide) = sigmoid(bias + sum w_i (x_i - mean_i) / std_i)."""

    cues: tuple[str, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float  # accept as bona fide when the fused probability >= threshold
    cue_thresholds: Mapping[str, float]  # a cue fires (says "attack") when its score < threshold
    provenance: Mapping[str, object]
    vetoes: Mapping[str, float] = field(default_factory=dict)  # cue -> floor; below it, p = 0
    blur_ceiling_px: float | None = None  # reflection blur above which p = 0 (None: no ceiling)
    # {"from_px": B, "logit": L}: a reflection blur above B (under the ceiling) lowers the log-odds by L
    blur_penalty: Mapping[str, float] | None = None

    def __post_init__(self) -> None:
        n = len(self.cues)
        if not n or any(len(v) != n for v in (self.mean, self.std, self.weights)):
            raise LivenessModelError("fusion: cues, mean, std and weights must have the same length")
        if any(s <= 0 for s in self.std) or not 0.0 < self.threshold < 1.0:
            raise LivenessModelError("fusion: std must be positive and the threshold in (0, 1)")
        if set(self.cue_thresholds) != set(self.cues):
            raise LivenessModelError("fusion: need one threshold per cue")
        for cue, floor in self.vetoes.items():
            if cue not in self.cues or not math.isfinite(floor):
                raise LivenessModelError(f"fusion: veto {cue!r}: must be one of the cues with a finite floor")
        if self.blur_ceiling_px is not None and not (
            math.isfinite(self.blur_ceiling_px) and self.blur_ceiling_px > 0
        ):
            raise LivenessModelError("fusion: the blur ceiling must be a positive number of px")
        if self.blur_penalty is not None:
            start, cost = self.blur_penalty.get("from_px"), self.blur_penalty.get("logit")
            if set(self.blur_penalty) != {"from_px", "logit"} or not all(
                isinstance(v, float) and math.isfinite(v) for v in (start, cost)
            ):
                raise LivenessModelError("fusion: the blur penalty needs finite from_px and logit")
            if start <= 0 or cost < 0 or (self.blur_ceiling_px is not None and start >= self.blur_ceiling_px):
                raise LivenessModelError("fusion: the blur penalty must start above 0 px, under the ceiling")

    def vetoed(self, scores: Mapping[str, float]) -> tuple[str, ...]:
        """The cues whose score is below their veto floor, and "glint_blur" when `scores` has a
        reflection blur above the ceiling (empty for a sharp, plausible live eye)."""
        below = tuple(cue for cue, floor in self.vetoes.items() if float(scores[cue]) < floor)
        blur = float(scores.get(BLUR, math.nan))
        blurred = self.blur_ceiling_px is not None and math.isfinite(blur) and blur > self.blur_ceiling_px
        return (*below, BLUR) if blurred else below

    def penalized(self, scores: Mapping[str, float]) -> bool:
        """True when `scores` has a reflection blur inside the blur zone (its log-odds are lowered)."""
        blur = float(scores.get(BLUR, math.nan))
        return self.blur_penalty is not None and math.isfinite(blur) and blur > self.blur_penalty["from_px"]

    def logit(self, scores: Mapping[str, float]) -> float:
        """The fused log-odds of bona fide for a mapping cue -> score (the blur zone's penalty taken)."""
        z = self.bias
        for cue, m, s, w in zip(self.cues, self.mean, self.std, self.weights, strict=True):
            z += w * (float(scores[cue]) - m) / s
        if self.penalized(scores):
            z -= self.blur_penalty["logit"]
        return float(z)

    def probability(self, scores: Mapping[str, float]) -> float:
        """p(bona fide) in [0, 1): the logistic fusion, or 0 when a veto applies."""
        if self.vetoed(scores):
            return 0.0
        z = self.logit(scores)
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def outcome(self, scores: Mapping[str, float]) -> str:
        """How the decision came about: "accepted", "blurred" (the blur ceiling alone, or the blur zone's
        penalty alone: sharp, it would pass), "veto:CUE[,CUE]" (a physical cue below its floor) or "score"
        (the fused p(bona fide) below the threshold)."""
        vetoed = self.vetoed(scores)
        if vetoed:
            return "blurred" if vetoed == (BLUR,) else "veto:" + ",".join(v for v in vetoed if v != BLUR)
        if self.probability(scores) >= self.threshold:
            return "accepted"
        unblurred = {cue: score for cue, score in scores.items() if cue != BLUR}
        return "blurred" if self.probability(unblurred) >= self.threshold else "score"

    def as_json(self) -> dict[str, object]:
        """The JSON document `load_fusion` reads."""
        return {
            "cues": list(self.cues),
            "mean": list(self.mean),
            "std": list(self.std),
            "weights": list(self.weights),
            "bias": self.bias,
            "threshold": self.threshold,
            "cue_thresholds": dict(self.cue_thresholds),
            "vetoes": dict(self.vetoes),
            "blur_ceiling_px": self.blur_ceiling_px,
            **({"blur_penalty": dict(self.blur_penalty)} if self.blur_penalty is not None else {}),
            "provenance": dict(self.provenance),
        }


def load_fusion(path: Path = FUSION_PATH) -> Fusion:
    """Read and validate a fusion file; LivenessModelError when missing or malformed."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        return Fusion(
            cues=tuple(doc["cues"]),
            mean=tuple(float(v) for v in doc["mean"]),
            std=tuple(float(v) for v in doc["std"]),
            weights=tuple(float(v) for v in doc["weights"]),
            bias=float(doc["bias"]),
            threshold=float(doc["threshold"]),
            cue_thresholds={k: float(v) for k, v in doc["cue_thresholds"].items()},
            provenance=doc.get("provenance", {}),
            vetoes={k: float(v) for k, v in doc.get("vetoes", {}).items()},
            blur_ceiling_px=None if doc.get("blur_ceiling_px") is None else float(doc["blur_ceiling_px"]),
            blur_penalty=_blur_penalty(doc.get("blur_penalty")),
        )
    except FileNotFoundError as e:
        raise LivenessModelError(f"fusion file {path} is missing; run liveness/training/fit_fusion.py") from e
    except (AttributeError, KeyError, TypeError, ValueError) as e:
        raise LivenessModelError(f"fusion file {path} is malformed: {e}") from e


def _blur_penalty(doc: object) -> dict[str, float] | None:
    """The file's blur zone as floats (None when it has none); Fusion validates the values."""
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise TypeError("blur_penalty must be an object")
    return {str(k): float(v) for k, v in doc.items()}


@lru_cache(maxsize=1)
def default_fusion() -> Fusion:
    """The shipped fusion, loaded once per process."""
    return load_fusion(FUSION_PATH)


def fit_logistic(
    X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray, l2: float = 1e-2, iterations: int = 50
) -> tuple[np.ndarray, float]:
    """Weighted L2-regularized logistic regression by Newton's method: (weights, bias).

    X is standardized (n, d); y in {0, 1}; the bias is not regularized.
    """
    n, d = X.shape
    A = np.concatenate([X, np.ones((n, 1))], axis=1)
    beta = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(A @ beta, -30, 30)))
        grad = A.T @ (sample_weight * (p - y)) + reg * beta
        hess = (A * (sample_weight * p * (1 - p))[:, None]).T @ A + np.diag(reg) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta[:-1], float(beta[-1])
