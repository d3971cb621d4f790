"""Presentation-attack detection metrics per ISO/IEC 30107-3:2023 (clause 13), and the DET plot.

Convention: a higher score means "more likely bona fide"; a presentation is accepted as bona fide
when `score >= threshold`.

- APCER (attack presentation classification error rate) is computed per PAI species: the share
  of that species' attack presentations accepted as bona fide. ISO/IEC 30107-3 asks for the
  worst species to be reported (`apcer_max`, APCER_AP in the standard's notation).
- BPCER (bona fide presentation classification error rate): the share of bona fide presentations
  rejected as attacks.
- BPCER at APCER = x (BPCERx, e.g. BPCER20 for 5%): the BPCER at the lowest threshold for which
  every species' APCER is <= x, so the operating point is fixed by the worst species.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import LivenessError


def _scores(values: object, what: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size == 0:
        raise LivenessError(f"{what}: no scores")
    if not np.all(np.isfinite(arr)):
        raise LivenessError(f"{what}: scores must be finite")
    return arr


def apcer(attack_scores: object, threshold: float) -> float:
    """Share of attack presentations (one species) accepted as bona fide at `threshold`."""
    return float(np.mean(_scores(attack_scores, "attack scores") >= threshold))


def bpcer(bona_fide_scores: object, threshold: float) -> float:
    """Share of bona fide presentations rejected as attacks at `threshold`."""
    return float(np.mean(_scores(bona_fide_scores, "bona fide scores") < threshold))


def threshold_for_apcer(attacks_by_species: Mapping[str, object], target: float) -> float:
    """Lowest threshold at which every species' APCER is <= `target` (0 <= target < 1)."""
    if not 0.0 <= target < 1.0:
        raise LivenessError(f"target APCER must be in [0, 1), got {target}")
    if not attacks_by_species:
        raise LivenessError("no attack species given")
    threshold = -np.inf
    for species, values in attacks_by_species.items():
        scores = np.sort(_scores(values, f"attack scores of {species!r}"))[::-1]
        allowed = int(np.floor(target * scores.size + 1e-9))  # attacks that may be accepted
        if allowed < scores.size:
            # strictly above the (allowed+1)-th highest score, so at most `allowed` pass
            threshold = max(threshold, float(np.nextafter(scores[allowed], np.inf)))
    return float(threshold)


def threshold_for_bpcer(bona_fide_scores: object, target: float) -> float:
    """Highest threshold at which BPCER is <= `target` (0 <= target < 1)."""
    if not 0.0 <= target < 1.0:
        raise LivenessError(f"target BPCER must be in [0, 1), got {target}")
    scores = np.sort(_scores(bona_fide_scores, "bona fide scores"))
    allowed = int(np.floor(target * scores.size + 1e-9))  # bona fide that may be rejected
    return float(scores[allowed])


@dataclass(frozen=True)
class PadMetrics:
    """ISO/IEC 30107-3 figures at one operating threshold, plus BPCER at fixed APCERs."""

    threshold: float
    apcer: Mapping[str, float]
    apcer_max: float
    bpcer: float
    bpcer_at_apcer: Mapping[str, float]
    n_bona_fide: int
    n_attacks: Mapping[str, int]

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of `personhood pad eval --json`."""
        return {
            "threshold": self.threshold,
            "apcer": dict(self.apcer),
            "apcer_max": self.apcer_max,
            "bpcer": self.bpcer,
            "bpcer_at_apcer": dict(self.bpcer_at_apcer),
            "n_bona_fide": self.n_bona_fide,
            "n_attacks": dict(self.n_attacks),
        }


def pad_metrics(
    bona_fide_scores: object,
    attacks_by_species: Mapping[str, object],
    threshold: float,
    apcer_targets: tuple[float, ...] = (0.01, 0.05),
) -> PadMetrics:
    """APCER per species, worst APCER and BPCER at `threshold`; BPCER at each APCER target."""
    bona = _scores(bona_fide_scores, "bona fide scores")
    if not attacks_by_species:
        raise LivenessError("no attack species given")
    per_species = {name: apcer(s, threshold) for name, s in attacks_by_species.items()}
    at_apcer = {f"{t:g}": bpcer(bona, threshold_for_apcer(attacks_by_species, t)) for t in apcer_targets}
    return PadMetrics(
        threshold=float(threshold),
        apcer=per_species,
        apcer_max=max(per_species.values()),
        bpcer=bpcer(bona, threshold),
        bpcer_at_apcer=at_apcer,
        n_bona_fide=int(bona.size),
        n_attacks={name: int(np.asarray(s).size) for name, s in attacks_by_species.items()},
    )


def det_curve(bona_fide_scores: object, attack_scores: object) -> tuple[np.ndarray, np.ndarray]:
    """(APCER, BPCER) at every distinct score used as threshold, ordered by increasing threshold."""
    bona = np.sort(_scores(bona_fide_scores, "bona fide scores"))
    att = np.sort(_scores(attack_scores, "attack scores"))
    thresholds = np.unique(np.concatenate([bona, att, [np.inf]]))
    apcers = 1.0 - np.searchsorted(att, thresholds, side="left") / att.size
    bpcers = np.searchsorted(bona, thresholds, side="left") / bona.size
    return apcers, bpcers


def plot_det(
    curves: Mapping[str, tuple[object, Mapping[str, object]]], path: Path, title: str = "DET"
) -> Path:
    """Write a DET plot (probit axes, ISO/IEC 30107-3 style) of one curve per system to `path` (PNG).

    `curves` maps a label to (bona fide scores, {species: attack scores}); each curve uses the
    pooled attacks. Returns `path`.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    probit = statistics.NormalDist().inv_cdf
    lo, hi = 1e-3, 0.5

    def axis(p: np.ndarray) -> np.ndarray:
        return np.array([probit(v) for v in np.clip(p, lo, hi)])

    fig, ax = plt.subplots(figsize=(5.5, 5.0), dpi=110)
    for label, (bona, by_species) in curves.items():
        pooled = np.concatenate([_scores(s, label) for s in by_species.values()])
        a, b = det_curve(bona, pooled)
        ax.plot(axis(a), axis(b), label=label, linewidth=1.4)
    ticks = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]
    ax.set_xticks(axis(np.array(ticks)), [f"{t:.1%}" for t in ticks], rotation=45)
    ax.set_yticks(axis(np.array(ticks)), [f"{t:.1%}" for t in ticks])
    ax.set_xlabel("APCER (all species pooled)")
    ax.set_ylabel("BPCER")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
