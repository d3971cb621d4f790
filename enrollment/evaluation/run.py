"""Evaluating the iris pipeline on a folder of images: FTE, EER, FNMR at fixed FMR, plots."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from enrollment.iris import PipelineParams, QualityError, analyze
from enrollment.iris.image_input import read_gray
from enrollment.iris.template import IrisTemplate

from .comparisons import all_pairs
from .dataset import DatasetError, scan
from .metrics import summarize
from .plots import write_det, write_histogram


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Results of one evaluation run (scores kept for plots; no images or templates)."""

    images: int
    enrolled: int
    rejections: dict[str, int]
    genuine: np.ndarray
    impostor: np.ndarray
    summary: dict
    encode_ms: np.ndarray = field(repr=False)

    def as_dict(self) -> dict[str, object]:
        """The `personhood bio eval --json` object."""
        return {
            "images": self.images,
            "enrolled": self.enrolled,
            "fte": (self.images - self.enrolled) / self.images,
            "genuine": len(self.genuine),
            "impostor": len(self.impostor),
            **self.summary,
        }


def enroll_all(
    images: list[tuple[object, object]],
    params: PipelineParams | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[IrisTemplate], list[object], dict[str, int], np.ndarray]:
    """Encode (label, image-or-path) pairs; returns templates, their labels, rejection counts, ms each."""
    templates, labels, rejections, times = [], [], {}, []
    for k, (label, image) in enumerate(images):
        try:
            gray = read_gray(image) if isinstance(image, Path) else image
            start = time.perf_counter()
            try:
                templates.append(analyze(gray, params).template)
                labels.append(label)
            finally:
                times.append((time.perf_counter() - start) * 1000.0)
        except QualityError as e:
            reason = e.reasons[0].split(":")[0].split(" <")[0].split(" >")[0]
            rejections[reason] = rejections.get(reason, 0) + 1
        if progress is not None:
            progress(k + 1, len(images))
    return templates, labels, rejections, np.array(times)


def evaluate(
    root: str | Path,
    plots_dir: str | Path | None = None,
    params: PipelineParams | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Enroll every image under `root` (SUBJECT/EYE/IMAGE), compare all pairs, optionally plot."""
    samples = scan(root)
    templates, labels, rejections, times = enroll_all([(s.eye_id, s.path) for s in samples], params, progress)
    genuine, impostor = all_pairs(templates, labels)
    if len(genuine) == 0 or len(impostor) == 0:
        raise DatasetError("need at least two enrolled images of one eye and two different eyes to evaluate")
    summary = summarize(genuine, impostor)
    if plots_dir is not None:
        out = Path(plots_dir)
        out.mkdir(parents=True, exist_ok=True)
        write_det({"pipeline": (genuine, impostor)}, out / "det.png")
        write_histogram(genuine, impostor, out / "scores.png", summary["threshold_at_fmr"].get("1e-4"))
    return Evaluation(len(samples), len(templates), rejections, genuine, impostor, summary, times)
