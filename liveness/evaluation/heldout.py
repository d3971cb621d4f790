"""The held-out evaluation behind `personhood pad eval` and bench/liveness.py (ISO/IEC 30107-3).

Generates bona fide and attack presentations of the held-out split (seeds and parameter ranges the
models never saw; see simulation/pad_dataset.py), scores every cue and the fusion, and reports APCER
per species, BPCER, BPCER at APCER = 1% and 5% for the fused decision and for each cue alone,
what the blur ceiling refused per class, and the lens figures of evasive (deliberately blurred)
and ordinary wearers apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from simulation.pad_dataset import BONA_FIDE, CLASSES, presentation

from ..assess import measure_cues
from ..fusion import BLUR, CUES, Fusion, default_fusion
from .metrics import pad_metrics, plot_det, threshold_for_bpcer

SEED_STRIDE = 100_000  # --seed S evaluates held-out indices [S * stride, S * stride + n)


@dataclass(frozen=True)
class ScoredSet:
    """Cue scores (and fused p(bona fide)) of every evaluated presentation, by class."""

    # class -> cue, "fused", BLUR (reflection blur) and "evasive" (1.0 for a wearer who blurred
    # the capture on purpose) -> one value per presentation
    scores: dict[str, dict[str, np.ndarray]]
    seconds_per_assessment: float


def _score(job: tuple[str, int]) -> tuple[str, dict[str, float], float]:
    species, index = job
    p = presentation("heldout", species, index)
    start = time.perf_counter()
    cues = measure_cues(p.frames, p.schedule)
    seconds = time.perf_counter() - start
    cues["evasive"] = float(p.evasive)
    return species, cues, seconds


def score_heldout(
    n_per_class: int, seed: int = 0, workers: int = 1, progress: Callable[[str], None] | None = None
) -> ScoredSet:
    """Generate and score `n_per_class` held-out presentations of every class."""
    jobs = [(c, seed * SEED_STRIDE + i) for c in CLASSES for i in range(n_per_class)]
    fusion = default_fusion()
    rows: dict[str, list[dict[str, float]]] = {c: [] for c in CLASSES}
    seconds = []
    pool = Pool(workers) if workers > 1 else None
    try:
        results = pool.imap(_score, jobs, chunksize=2) if pool else map(_score, jobs)
        for k, (species, cues, dt) in enumerate(results):
            cues["fused"] = fusion.probability(cues)
            rows[species].append(cues)
            seconds.append(dt)
            if progress and (k + 1) % 25 == 0:
                progress(f"scored {k + 1}/{len(jobs)} held-out presentations")
    finally:
        if pool:
            pool.close()
            pool.join()
    names = (*CUES, "fused", BLUR, "evasive")
    scores = {c: {name: np.array([r[name] for r in rows[c]]) for name in names} for c in CLASSES}
    return ScoredSet(scores, float(np.median(seconds)))


def _refused_as_blurred(fusion: Fusion, scores: dict[str, np.ndarray]) -> np.ndarray:
    """Per presentation: past the blur ceiling (whatever else refused it too), or refused in the blur zone
    where sharp it would have passed (`Fusion.outcome` says "blurred")."""
    names = (*fusion.cues, BLUR)
    rows = [{name: float(scores[name][i]) for name in names} for i in range(len(scores[BLUR]))]
    ceiling = fusion.blur_ceiling_px
    past = np.array([ceiling is not None and r[BLUR] > ceiling for r in rows], dtype=bool)
    return past | np.array([fusion.outcome(r) == "blurred" for r in rows], dtype=bool)


def report(scored: ScoredSet, fusion: Fusion | None = None, out_dir: Path | None = None) -> dict[str, object]:
    """ISO/IEC 30107-3 figures of the fused decision (at the shipped threshold) and of each cue alone.

    Each cue alone is operated at its own threshold for BPCER = 2% on this set (its best case).
    With `out_dir`, a DET plot of the fusion and every cue is written to out_dir/det.png.
    """
    fusion = fusion if fusion is not None else default_fusion()
    attacks = [c for c in CLASSES if c != BONA_FIDE]

    def figures(name: str, threshold: float) -> dict[str, object]:
        bona = scored.scores[BONA_FIDE][name]
        by_species = {s: scored.scores[s][name] for s in attacks}
        return pad_metrics(bona, by_species, threshold).as_dict()

    fused = figures("fused", fusion.threshold)
    per_cue = {}
    for cue in (*CUES, "fused"):
        bona = scored.scores[BONA_FIDE][cue]
        per_cue[cue] = figures(cue, threshold_for_bpcer(bona, 0.02))
    result = dict(fused)
    result["per_cue_at_bpcer_2pct"] = {
        cue: {k: per_cue[cue][k] for k in ("apcer", "apcer_max", "bpcer", "bpcer_at_apcer")}
        for cue in per_cue
    }
    # refused for blur: past the ceiling, or in the blur zone where sharp it would have passed
    blurred = {c: _refused_as_blurred(fusion, scored.scores[c]) for c in CLASSES}
    result["refused_as_blurred"] = {c: float(np.mean(v)) for c, v in blurred.items()}
    lens = scored.scores["contact_lens"]
    evasive = lens["evasive"] > 0.5
    result["contact_lens_by_wearer"] = {
        kind: {
            "n": int(mask.sum()),
            "apcer": float(np.mean(lens["fused"][mask] >= fusion.threshold)) if mask.any() else None,
            "refused_as_blurred": float(np.mean(blurred["contact_lens"][mask])) if mask.any() else 0.0,
        }
        for kind, mask in (("evasive", evasive), ("ordinary", ~evasive))
    }
    result["seconds_per_assessment"] = scored.seconds_per_assessment
    if out_dir is not None:
        curves = {
            name: (scored.scores[BONA_FIDE][name], {s: scored.scores[s][name] for s in attacks})
            for name in ("fused", *CUES)
        }
        result["det_plot"] = str(plot_det(curves, Path(out_dir) / "det.png", "Held-out synthetic PAD (DET)"))
    return result
